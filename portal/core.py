"""The kernel's public pages: home, the catalog entry page, and the language switch."""

from __future__ import annotations

from flask import Blueprint, abort, current_app, redirect, render_template, request, url_for
from flask_login import current_user

from portal.i18n import LANGUAGE_COOKIE, supported_locale
from portal.security import is_safe_local_path

bp = Blueprint("core", __name__)

LANGUAGE_COOKIE_AGE = 365 * 24 * 3600


@bp.route("/")
def home():
    registry = current_app.extensions["kaimen"]
    sections = [section for hook in registry.home_sections if (section := hook())]
    return render_template("core/home.html", home_sections=sections)


@bp.route("/language", methods=["POST"])
def set_language():
    """Remember the chosen language in a cookie and, for a signed-in user, on the account."""
    locale = supported_locale(request.form.get("locale"))
    if locale is None:
        abort(400)
    target = request.form.get("next")
    response = redirect(target if is_safe_local_path(target) else url_for("core.home"))
    response.set_cookie(
        LANGUAGE_COOKIE,
        locale,
        max_age=LANGUAGE_COOKIE_AGE,
        httponly=True,
        samesite="Lax",
        secure=current_app.config["SESSION_COOKIE_SECURE"],
    )
    if current_user.is_authenticated:
        current_user.locale = locale
    return response


@bp.route("/healthz")
def health():
    return {"status": "ok"}
