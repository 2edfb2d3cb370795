"""政务公开 — open disclosure: the directory of departments, leaders, staff and positions, and the
catalog of approval items with their eight elements, procedure and the submission format (报送规范).

The layer between the kernel (``portal``) and the services (``forum``, ``complaints``,
``approvals``): they import from it, it imports only the kernel. It plugs in through the same
``kaimen.features`` entry point as they do, and is loaded before them.
"""

from __future__ import annotations

import sqlalchemy as sa
from flask import Flask
from flask_babel import lazy_gettext as _l

from disclosure import models as _models  # noqa: F401 - the disclosure tables registered with the app
from disclosure.catalog import indexing
from disclosure.catalog import online_admin_views as _online_admin_views  # noqa: F401 - its routes
from disclosure.catalog.admin_views import bp as catalog_admin_bp
from disclosure.catalog.cli import catalog
from disclosure.catalog.demo import load_catalog_demo
from disclosure.catalog.models import ApprovalItem
from disclosure.catalog.views import bp as catalog_bp
from disclosure.directory.admin_views import bp as directory_admin_bp
from disclosure.directory.models import Department
from disclosure.directory.views import bp as directory_bp
from portal.demo import DEMO_DOMAIN
from portal.extensions import db


def load_demo() -> None:
    """The catalog and directory of the demo city, with the demo officer and supervisor linked."""
    load_catalog_demo(
        officer_email=f"officer@{DEMO_DOMAIN}", supervisor_email=f"supervisor@{DEMO_DOMAIN}"
    )


def demo_summary() -> str:
    departments = db.session.scalar(sa.select(sa.func.count()).select_from(Department))
    items = db.session.scalar(sa.select(sa.func.count()).select_from(ApprovalItem))
    return f"The catalog holds {departments} departments and {items} approval items."


def init_app(app: Flask) -> None:
    """Plug 政务公开 into the kernel: its pages, its admin pages, its command and its demo data."""
    for blueprint in (catalog_bp, directory_bp, catalog_admin_bp, directory_admin_bp):
        app.register_blueprint(blueprint)
    app.cli.add_command(catalog)
    indexing.install()
    registry = app.extensions["kaimen"]
    registry.demo_loaders.append(load_demo)
    registry.demo_summaries.append(demo_summary)
    registry.add_admin_nav(
        "catalog_admin.index", _l("Catalog"), blueprints=("catalog_admin", "directory_admin")
    )
    registry.add_nav(
        "catalog.index",
        _l("Catalog"),
        order=10,
        description=_l(
            "Every approval item with its eight elements: who handles it, time limits, "
            "eligibility, materials, fees, legal basis, procedure and result; and the directory "
            "of departments."
        ),
    )
