"""Readable error pages for the codes people meet: 400, 403, 404, 405, 413, 429 and 500."""

from __future__ import annotations

from flask import Flask, render_template
from flask_babel import lazy_gettext as _l
from flask_wtf.csrf import CSRFError
from werkzeug.exceptions import HTTPException

from portal.extensions import db

MESSAGES = {
    400: (
        _l("Bad request"),
        _l("The request could not be understood. Please go back and try again."),
    ),
    403: (_l("Not allowed"), _l("You do not have permission to do this.")),
    404: (
        _l("Page not found"),
        _l("There is no page at this address. It may have been moved or removed."),
    ),
    405: (_l("Not allowed"), _l("This page cannot be used that way.")),
    413: (_l("Too large"), _l("What you sent is larger than we accept.")),
    429: (
        _l("Too many attempts"),
        _l("You have tried this too often. Please wait a few minutes and try again."),
    ),
    500: (
        _l("Something went wrong"),
        _l("We could not complete your request. Nothing was saved. Please try again later."),
    ),
}


def _render(code: int, detail: str | None = None):
    title, message = MESSAGES.get(code, MESSAGES[500])
    return render_template(
        "errors/error.html", code=code, title=title, message=message, detail=detail
    ), code


def register_error_handlers(app: Flask) -> None:
    """Give every HTTP error our own page; a CSRF failure says what to do."""

    @app.errorhandler(CSRFError)
    def csrf_error(error):
        return _render(
            400,
            _l(
                "Your form expired or was sent from elsewhere. Please reload the page and send it again."
            ),
        )

    @app.errorhandler(HTTPException)
    def http_error(error: HTTPException):
        if error.code is None or error.code < 400:
            return error
        if error.code not in MESSAGES:
            return error.get_response()
        return _render(error.code)

    @app.errorhandler(500)
    def server_error(error):
        db.session.rollback()
        return _render(500)
