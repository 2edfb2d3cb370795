"""The officer's forms on a complaint's page: answer, note, transfer, route, record a notification,
close, reopen. The services check everything again; these catch what a browser gets wrong."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import DateField, SelectField, SubmitField, TimeField
from wtforms.validators import DataRequired, Optional

from complaints.forms import files_field, text_field
from complaints.officer import DETAIL_MAX, REASON_MAX, TEXT_MAX


def _reason_field(label, required, description):
    return text_field(
        label,
        REASON_MAX,
        _l("A reason has at most %(max)d characters.", max=REASON_MAX),
        required=required,
        description=description,
        rows=2,
    )


class AnswerForm(FlaskForm):
    source = text_field(
        _l("Answer"),
        TEXT_MAX,
        _l("An answer has at most %(max)d characters.", max=TEXT_MAX),
        required=_l("Write the answer."),
        description=_l("The complainant reads this and is told of it the way they chose. Markdown works."),
        rows=8,
    )  # fmt: skip
    attachments = files_field(_l("Up to 5 files: PDF, DOC, DOCX, JPG or PNG."))
    submit = SubmitField(_l("Send the answer"))


class NoteForm(FlaskForm):
    source = text_field(
        _l("Internal note"),
        TEXT_MAX,
        _l("A note has at most %(max)d characters.", max=TEXT_MAX),
        required=_l("Write the note."),
        description=_l("Seen by the officers and supervisors only, never by the complainant."),
        rows=3,
    )
    submit = SubmitField(_l("Add the note"))


class TransferForm(FlaskForm):
    position = SelectField(_l("Transfer to"), choices=[], validate_choice=True)
    reason = _reason_field(
        _l("Reason for the transfer"),
        _l("Give the reason for the transfer."),
        _l("Within the department the answer stays due on the same day; a transfer to another department restarts the count from today."),
    )  # fmt: skip
    submit = SubmitField(_l("Transfer"))


class RouteForm(FlaskForm):
    position = SelectField(_l("Send to the position"), choices=[], validate_choice=True)
    submit = SubmitField(_l("Assign"))


class RecordNotificationForm(FlaskForm):
    day = DateField(
        _l("Day the complainant was told"),
        validators=[DataRequired(message=_l("Give the day, such as 2026-11-26."))],
    )
    time = TimeField(_l("Time (Beijing time)"), validators=[Optional()])
    how = text_field(
        _l("How"),
        DETAIL_MAX,
        _l("At most %(max)d characters.", max=DETAIL_MAX),
        required=_l("Say how the complainant was told."),
        description=_l("For example: phoned 138…, spoke to the complainant; or the letter's posting number."),
        rows=2,
    )  # fmt: skip
    submit = SubmitField(_l("Record the notification"))


class CloseForm(FlaskForm):
    reason = text_field(_l("Closing remark (optional)"), REASON_MAX, rows=2)
    submit = SubmitField(_l("Close the complaint"))


class ReopenForm(FlaskForm):
    reason = _reason_field(
        _l("Reason for reopening"),
        _l("Give the reason for reopening."),
        _l("The complaint goes back to its position with a new deadline for the answer."),
    )
    submit = SubmitField(_l("Reopen"))
