"""Helpers the templates use: navigation, languages, times in Asia/Shanghai."""

from __future__ import annotations

from flask import Flask, current_app, request
from flask_babel import format_datetime, get_locale

from portal.i18n import html_lang


def register_template_helpers(app: Flask) -> None:
    app.jinja_env.add_extension("jinja2.ext.do")
    app.jinja_env.trim_blocks = True
    app.jinja_env.lstrip_blocks = True

    @app.context_processor
    def inject():
        locale = get_locale()
        return {
            "nav_entries": current_app.extensions["kaimen"].nav,
            "admin_nav_entries": current_app.extensions["kaimen"].admin_nav,
            "languages": current_app.config["LANGUAGES"],
            "current_locale": str(locale) if locale else current_app.config["BABEL_DEFAULT_LOCALE"],
            "html_lang": html_lang(str(locale or current_app.config["BABEL_DEFAULT_LOCALE"])),
            "request_path": request.full_path.rstrip("?") if request else "/",
        }

    @app.template_filter("datetime")
    def datetime_filter(value, format="medium"):
        """Show a UTC timestamp in Asia/Shanghai (the configured time zone) in the reader's language."""
        return format_datetime(value, format) if value else ""
