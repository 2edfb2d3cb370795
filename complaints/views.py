"""Complaint pages. Intake, the officer's queue and statistics arrive with their own issues."""

from __future__ import annotations

from flask import Blueprint, render_template

bp = Blueprint("complaints", __name__, url_prefix="/complaints")


@bp.route("/")
def index():
    return render_template("complaints/index.html")


@bp.route("/statistics")
def statistics():
    return render_template("complaints/statistics.html")
