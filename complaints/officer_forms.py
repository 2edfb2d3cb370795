"""The officer's forms on a complaint's page: answer, note, transfer, route, record a notification,
close, reopen. The services check everything again; these catch what a browser gets wrong."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import MultipleFileField
from wtforms import DateField, SelectField, SubmitField, TextAreaField, TimeField
from wtforms.validators import DataRequired, Length, Optional

from complaints.forms import ACCEPT
from complaints.officer import DETAIL_MAX, REASON_MAX, TEXT_MAX


class AnswerForm(FlaskForm):
    source = TextAreaField(
        _l("Answer"),
        validators=[
            DataRequired(message=_l("Write the answer.")),
            Length(max=TEXT_MAX, message=_l("An answer has at most %(max)d characters.", max=TEXT_MAX)),
        ],
        description=_l("The complainant reads this and is told of it the way they chose. Markdown works."),
        render_kw={"rows": 8},
    )  # fmt: skip
    attachments = MultipleFileField(
        _l("Attachments (optional)"),
        description=_l("Up to 5 files: PDF, DOC, DOCX, JPG or PNG."),
        render_kw={"accept": ACCEPT},
    )
    submit = SubmitField(_l("Send the answer"))


class NoteForm(FlaskForm):
    source = TextAreaField(
        _l("Internal note"),
        validators=[
            DataRequired(message=_l("Write the note.")),
            Length(max=TEXT_MAX, message=_l("A note has at most %(max)d characters.", max=TEXT_MAX)),
        ],
        description=_l("Seen by the officers and supervisors only, never by the complainant."),
        render_kw={"rows": 3},
    )  # fmt: skip
    submit = SubmitField(_l("Add the note"))


class TransferForm(FlaskForm):
    position = SelectField(_l("Transfer to"), choices=[], validate_choice=True)
    reason = TextAreaField(
        _l("Reason for the transfer"),
        validators=[
            DataRequired(message=_l("Give the reason for the transfer.")),
            Length(max=REASON_MAX, message=_l("A reason has at most %(max)d characters.", max=REASON_MAX)),
        ],
        description=_l("Within the department the answer stays due on the same day; a transfer to another department restarts the count from today."),
        render_kw={"rows": 2},
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
    how = TextAreaField(
        _l("How"),
        validators=[
            DataRequired(message=_l("Say how the complainant was told.")),
            Length(max=DETAIL_MAX, message=_l("At most %(max)d characters.", max=DETAIL_MAX)),
        ],
        description=_l("For example: phoned 138…, spoke to the complainant; or the letter's posting number."),
        render_kw={"rows": 2},
    )  # fmt: skip
    submit = SubmitField(_l("Record the notification"))


class CloseForm(FlaskForm):
    reason = TextAreaField(
        _l("Closing remark (optional)"),
        validators=[Length(max=REASON_MAX)],
        render_kw={"rows": 2},
    )
    submit = SubmitField(_l("Close the complaint"))


class ReopenForm(FlaskForm):
    reason = TextAreaField(
        _l("Reason for reopening"),
        validators=[
            DataRequired(message=_l("Give the reason for reopening.")),
            Length(max=REASON_MAX, message=_l("A reason has at most %(max)d characters.", max=REASON_MAX)),
        ],
        description=_l("The complaint goes back to its position with a new deadline for the answer."),
        render_kw={"rows": 2},
    )  # fmt: skip
    submit = SubmitField(_l("Reopen"))
