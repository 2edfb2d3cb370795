"""Kaimen's kernel: the application factory and the parts every feature stands on."""

from __future__ import annotations

import os
from collections.abc import Mapping
from importlib.metadata import entry_points
from pathlib import Path
from typing import Any

from flask import Flask
from flask_babel import lazy_gettext as _l

import portal.models  # noqa: F401 - registers every kernel model with the metadata
from portal.accounts.loader import load_user
from portal.accounts.views import bp as accounts_bp
from portal.admin.inbound_views import bp as inbound_admin_bp
from portal.admin.views import bp as admin_bp
from portal.commands import register_commands
from portal.config import Config
from portal.core import bp as core_bp
from portal.db import configure_sqlite
from portal.errors import register_error_handlers
from portal.extensions import babel, csrf, db, limiter, login_manager, mail, migrate
from portal.features import FeatureRegistry, load_order
from portal.i18n import select_locale
from portal.resources import resource_dir
from portal.security import load_secret_key, set_hsts, set_security_headers
from portal.templating import register_template_helpers
from portal.workdays.admin_views import bp as calendar_admin_bp

__all__ = ["create_app"]


def create_app(config: Mapping[str, Any] | None = None) -> Flask:
    """Build the Kaimen application: settings from the environment, then ``config`` over them."""
    config = dict(config or {})
    app = Flask(
        "portal",
        template_folder=str(resource_dir("templates")),
        static_folder=str(Path(__file__).parent / "static"),
        instance_path=config.get("KAIMEN_INSTANCE_PATH")
        or os.environ.get("KAIMEN_INSTANCE_PATH")
        or None,
    )
    app.config.update(Config.from_env())
    app.config.update(config)
    Path(app.instance_path).mkdir(parents=True, exist_ok=True)
    if not app.config.get("SQLALCHEMY_DATABASE_URI"):
        database = Path(app.instance_path) / "kaimen.sqlite3"
        app.config["SQLALCHEMY_DATABASE_URI"] = f"sqlite:///{database}"

    load_secret_key(app)
    register_extensions(app)
    register_request_hooks(app)
    register_blueprints(app)
    register_features(app)
    register_error_handlers(app)
    register_template_helpers(app)
    register_commands(app)
    return app


def register_extensions(app: Flask) -> None:
    """Bind the unbound extensions to this app."""
    db.init_app(app)
    with app.app_context():
        configure_sqlite(db.engine)
    migrate.init_app(
        app, db, directory=str(resource_dir("migrations")), render_as_batch=True, compare_type=True
    )
    csrf.init_app(app)
    babel.init_app(
        app,
        locale_selector=select_locale,
        default_translation_directories=str(Path(__file__).parent / "translations"),
    )
    mail.init_app(app)
    limiter.init_app(app)
    login_manager.init_app(app)
    login_manager.user_loader(load_user)
    login_manager.login_view = "accounts.login"
    login_manager.login_message = _l("Please log in to see this page.")
    login_manager.login_message_category = "info"


def register_request_hooks(app: Flask) -> None:
    """One transaction per request, committed at the end unless the answer is an error."""

    @app.after_request
    def commit_session(response):
        if response.status_code < 400:
            db.session.commit()
        else:
            db.session.rollback()
        return response

    app.after_request(set_security_headers)
    if app.config.get("KAIMEN_HTTPS"):
        app.after_request(set_hsts)


def register_blueprints(app: Flask) -> None:
    """The kernel's own pages."""
    app.register_blueprint(core_bp)
    app.register_blueprint(accounts_bp)
    app.register_blueprint(admin_bp)
    app.register_blueprint(inbound_admin_bp)
    app.register_blueprint(calendar_admin_bp)


def register_features(app: Flask) -> None:
    """Load the feature packages through the ``kaimen.features`` entry points.

    The kernel never imports a feature: each feature's ``init_app(app)`` registers its blueprint
    and navigation entries into the kernel's registry. A feature loads after those it requires
    (``portal.features.requires``): 政务公开 (``disclosure``) first, then the services on it.
    """
    registry = FeatureRegistry()
    app.extensions["kaimen"] = registry
    wanted = app.config.get("KAIMEN_FEATURES")
    available = {entry.name: entry.load for entry in entry_points(group="kaimen.features")}
    for name, init_app in load_order(available, None if wanted is None else set(wanted)):
        init_app(app)
        registry.features.append(name)
