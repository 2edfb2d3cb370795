"""Forum pages. The boards and consultations themselves arrive with their own issues."""

from __future__ import annotations

from flask import Blueprint, render_template

bp = Blueprint("forum", __name__, url_prefix="/forum")


@bp.route("/")
def index():
    return render_template("forum/index.html")


@bp.route("/consultations/")
def consultations():
    return render_template("forum/consultations.html")
