"""Administrator forms of the calendar."""

from __future__ import annotations

from datetime import date

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import SelectField, StringField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import AnyOf, DataRequired, Length, Optional, ValidationError
from wtforms.widgets import DateInput

from portal.workdays.models import DAY_KIND_LABELS, DayKind
from portal.workdays.services import NAME_MAX, SOURCE_MAX


def parse_day(text: str) -> date | None:
    try:
        return date.fromisoformat((text or "").strip())
    except ValueError:
        return None


def _iso_date(form, field) -> None:
    value = (field.data or "").strip()
    if len(value) != 10 or parse_day(value) is None:
        raise ValidationError(_l("Enter the date as YYYY-MM-DD, for example 2027-10-01."))


class DayForm(FlaskForm):
    day = StringField(
        _l("Date"),
        widget=DateInput(),
        description=_l("YYYY-MM-DD"),
        validators=[DataRequired(message=_l("Enter the date.")), _iso_date],
    )
    kind = SelectField(
        _l("Kind"),
        choices=[SelectChoice(kind.value, label) for kind, label in DAY_KIND_LABELS.items()],
        validate_choice=False,
        validators=[
            AnyOf(
                [kind.value for kind in DayKind],
                message=_l("Choose holiday or make-up working day."),
            )
        ],
    )
    name = StringField(
        _l("Name"),
        description=_l("For example 国庆节 or 国庆节调休上班."),
        validators=[
            Optional(),
            Length(max=NAME_MAX, message=_l("At most %(max)d characters.", max=NAME_MAX)),
        ],
    )


class OfficialForm(FlaskForm):
    source = StringField(
        _l("Source"),
        description=_l("The State Council notice, for example 国办发明电〔2026〕7号."),
        validators=[
            DataRequired(message=_l("Name the notice the days come from.")),
            Length(max=SOURCE_MAX, message=_l("At most %(max)d characters.", max=SOURCE_MAX)),
        ],
    )


class RemoveDayForm(FlaskForm):
    """Only the CSRF token."""
