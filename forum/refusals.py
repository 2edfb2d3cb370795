"""The answer to a moderator's action the forum refused (approve, reject, lift, hide, move …).

A browser does not follow a redirect that comes with status 400, so the refusal is a small page
of its own: the flashed reasons, a link back to where the form was, status 400 (the request's
transaction rolls back).
"""

from __future__ import annotations

from flask import flash, render_template, request
from flask_wtf import FlaskForm

from portal.security import is_safe_local_path


def safe_next(default: str) -> str:
    """The form's ``next`` if it is a path on this site, ``default`` otherwise."""
    target = request.form.get("next", "")
    return target if is_safe_local_path(target) else default


def refused(back: str, *messages: str, status: int = 400):
    """Flash ``messages`` and answer the refusal page linking to ``back``."""
    for message in messages:
        flash(message, "error")
    return render_template("forum/refused.html", back=back), status


def refused_form(form: FlaskForm, back: str):
    """A form that does not validate: every error, on the refusal page."""
    return refused(back, *(str(error) for errors in form.errors.values() for error in errors))
