"""Open-door consultations (开门审批): hearing the public on major approval items before deciding.

Importing this package registers its routes on the forum's blueprint, its posting check (the
window), its part of the thread page, and its models; ``init_app`` plugs in the home-page
section, the demo data and the closing job's command.
"""

from __future__ import annotations

from flask import Flask
from markupsafe import Markup

import forum.consultations.export
import forum.consultations.feeds
import forum.consultations.panel
import forum.consultations.report_views  # noqa: F401 - registers routes and hooks
from forum.consultations import models as _models  # noqa: F401 - registers the tables
from forum.consultations.cli import consultations_close
from forum.consultations.demo import load_consultation_demo
from forum.consultations.models import State
from forum.consultations.queries import latest_in_state
from forum.thread_extensions import fragment

HOME_LIMIT = 5


def home_section() -> Markup | None:
    """The open consultations, for the home page; nothing when none is open."""
    consultations = latest_in_state(State.OPEN, HOME_LIMIT)
    if not consultations:
        return None
    return fragment("forum/consultations/_home.html", consultations=consultations)


def init_app(app: Flask, forum_cli) -> None:
    registry = app.extensions["kaimen"]
    registry.home_sections.append(home_section)
    registry.demo_loaders.append(load_consultation_demo)
    forum_cli.add_command(consultations_close)
