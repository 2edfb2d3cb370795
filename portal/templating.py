"""Helpers the templates use: navigation, languages, times in Asia/Shanghai."""

from __future__ import annotations

import re

from flask import Flask, current_app, request
from flask_babel import format_datetime, get_locale
from flask_babel import gettext as _

from portal.i18n import html_lang

# How portal.mail.inbound.ingest records a permanent bounce on the outbound message.
_BOUNCED = re.compile(
    r"^Bounced \((?P<status>[^)]*)\) for (?P<recipients>.*?): (?P<diagnostic>.*)$", re.S
)


def describe_mail_error(value: str | None) -> str:
    if not value:
        return ""
    match = _BOUNCED.match(value)
    if match is None:
        return value
    status = match["status"]
    return _(
        "Bounced (%(status)s) for %(recipients)s: %(diagnostic)s",
        status=_("permanent failure") if status == "permanent failure" else status,
        recipients=_("a recipient")
        if match["recipients"] == "a recipient"
        else match["recipients"],
        diagnostic=match["diagnostic"],
    )


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

    @app.template_filter("mail_error")
    def mail_error_filter(value):
        """An outbound message's stored error in the reader's language (what the remote server
        said stays as it said it)."""
        return describe_mail_error(value)

    @app.template_filter("datetime")
    def datetime_filter(value, format="medium"):
        """Show a UTC timestamp in Asia/Shanghai (the configured time zone) in the reader's language."""
        return format_datetime(value, format) if value else ""
