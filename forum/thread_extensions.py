"""A place for features of the forum to add to a thread page without copying it.

A feature (open-door consultations) registers a callable ``(thread, posts) -> ThreadExtension |
None``; the thread view collects what the callables return for the thread being shown.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from flask import render_template
from markupsafe import Markup

from forum.models import Post, Thread


@dataclass
class ThreadExtension:
    panel: Markup = field(default_factory=Markup)  # shown above the floors
    reply: Markup | None = None  # shown instead of the thread's reply form, when not None
    post_notes: dict[int, Markup] = field(default_factory=dict)  # post id -> shown with the post
    replies_closed: bool = False  # no "Quote" links: nothing can be posted now


def fragment(template: str, **context) -> Markup:
    """A template rendered (with autoescaping) for inclusion in a page."""
    return Markup(render_template(template, **context))  # noqa: S704 - autoescaped by Jinja


thread_extensions: list[Callable[[Thread, list[Post]], ThreadExtension | None]] = []


def collect(thread: Thread, posts: list[Post]) -> dict:
    """The template context the extensions add to a thread page."""
    found = [ext for hook in thread_extensions if (ext := hook(thread, posts)) is not None]
    return {
        "thread_extensions": found,
        "extension_reply": next((ext.reply for ext in found if ext.reply is not None), None),
        "replies_closed": any(ext.replies_closed for ext in found),
    }
