"""Administrator pages of the working-day calendar: the years, a year's days, and its changes."""

from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import get_locale
from flask_babel import gettext as _
from flask_login import current_user
from flask_wtf import FlaskForm

from portal.accounts.permissions import require
from portal.extensions import db
from portal.workdays import services as calendar
from portal.workdays.calendar import today
from portal.workdays.forms import DayForm, OfficialForm, RemoveDayForm, parse_day
from portal.workdays.models import CalendarDay, DayKind
from portal.workdays.permissions import can_manage_calendar

bp = Blueprint("calendar_admin", __name__, url_prefix="/admin/calendar")


def _check_year(year: int) -> int:
    if not calendar.FIRST_YEAR <= year <= calendar.LAST_YEAR:
        abort(404)
    return year


def _show_error(form: FlaskForm, error: calendar.CalendarError) -> None:
    field = form._fields.get(error.field) if error.field else None
    if field is None:
        form.form_errors.append(str(error))
    else:
        field.errors = [*field.errors, str(error)]


def _year_page(year: int, day_form=None, official_form=None, status: int = 200):
    locale = get_locale()
    days = calendar.year_days(year, chinese=locale is None or locale.language == "zh")
    overview = {s.year: s for s in calendar.years_overview(year)}
    return render_template(
        "admin/calendar_year.html",
        year=year,
        summary=overview[year],
        days=days,
        day_form=day_form or DayForm(formdata=None),
        official_form=official_form or OfficialForm(formdata=None),
        remove_form=RemoveDayForm(formdata=None),
    ), status


@bp.route("/")
@require(can_manage_calendar)
def index():
    current = today().year
    wanted = request.args.get("year", "").strip()
    if wanted:
        if wanted.isdigit() and calendar.FIRST_YEAR <= int(wanted) <= calendar.LAST_YEAR:
            return redirect(url_for("calendar_admin.year", year=int(wanted)))
        flash(
            _(
                "Choose a year from %(first)d to %(last)d.",
                first=calendar.FIRST_YEAR,
                last=calendar.LAST_YEAR,
            ),
            "error",
        )
    return render_template(
        "admin/calendar.html", years=calendar.years_overview(current), current=current
    )


@bp.route("/<int:year>")
@require(can_manage_calendar)
def year(year: int):
    return _year_page(_check_year(year))


@bp.route("/<int:year>/days", methods=["POST"])
@require(can_manage_calendar)
def add_day(year: int):
    _check_year(year)
    form = DayForm()
    if form.validate_on_submit():
        day = parse_day(form.day.data)
        if day.year != year:
            form.day.errors = [_("The date must lie in %(year)d.", year=year)]
        else:
            try:
                calendar.add_day(day, DayKind(form.kind.data), form.name.data, actor=current_user)
            except calendar.CalendarError as error:
                _show_error(form, error)
            else:
                flash(_("%(date)s saved.", date=day.isoformat()), "success")
                return redirect(url_for("calendar_admin.year", year=year))
    return _year_page(year, day_form=form, status=400)


@bp.route("/<int:year>/days/<int:day_id>/remove", methods=["POST"])
@require(can_manage_calendar)
def remove_day(year: int, day_id: int):
    _check_year(year)
    entry = db.session.get(CalendarDay, day_id)
    if entry is None or entry.day.year != year:
        abort(404)
    if not RemoveDayForm().validate_on_submit():
        abort(400)
    calendar.remove_day(entry, actor=current_user)
    flash(_("%(date)s removed.", date=entry.day.isoformat()), "success")
    return redirect(url_for("calendar_admin.year", year=year))


@bp.route("/<int:year>/official", methods=["POST"])
@require(can_manage_calendar)
def mark_official(year: int):
    _check_year(year)
    form = OfficialForm()
    if form.validate_on_submit():
        try:
            calendar.mark_official(year, form.source.data, actor=current_user)
        except calendar.CalendarError as error:
            _show_error(form, error)
        else:
            flash(_("%(year)d is now official.", year=year), "success")
            return redirect(url_for("calendar_admin.year", year=year))
    return _year_page(year, official_form=form, status=400)
