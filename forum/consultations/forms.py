"""Forms of consultations: opening/editing one, a document, an opinion, marks and the response."""

from __future__ import annotations

from datetime import UTC, datetime
from zoneinfo import ZoneInfo

from flask import current_app
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileField, FileRequired
from wtforms import (
    DateTimeLocalField,
    HiddenField,
    RadioField,
    SelectField,
    StringField,
    SubmitField,
    TextAreaField,
)
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, InputRequired, Length, Optional

from forum.consultations.models import MARK_LABELS, STANCE_LABELS
from forum.forms import _source_field
from forum.services import TITLE_MAX

NO_STANCE = "none"
LOCAL_FORMAT = "%Y-%m-%dT%H:%M"


def local_zone() -> ZoneInfo:
    return ZoneInfo(current_app.config.get("BABEL_DEFAULT_TIMEZONE", "Asia/Shanghai"))


def to_utc(local: datetime) -> datetime:
    """A time typed in the city's time zone (Asia/Shanghai), as UTC."""
    return local.replace(tzinfo=local_zone()).astimezone(UTC)


def to_local(moment: datetime) -> datetime:
    return moment.astimezone(local_zone()).replace(tzinfo=None)


class ConsultationForm(FlaskForm):
    item = StringField(
        _l("Approval item code"),
        validators=[DataRequired(message=_l("Give the code of a major approval item."))],
        description=_l("The item's code as in the catalog, e.g. LJ-STHJ-002."),
    )
    title = StringField(
        _l("Title"),
        validators=[
            DataRequired(message=_l("Give the consultation a title.")),
            Length(max=TITLE_MAX),
        ],
    )
    summary = _source_field(_l("Summary of the matter under approval"))
    opens_at = DateTimeLocalField(
        _l("Opens at"),
        format=LOCAL_FORMAT,
        validators=[InputRequired(message=_l("Give the opening time."))],
        description=_l("Beijing time."),
    )
    closes_at = DateTimeLocalField(
        _l("Closes at"),
        format=LOCAL_FORMAT,
        validators=[InputRequired(message=_l("Give the closing time."))],
        description=_l("Beijing time. From this minute on, nothing more can be posted."),
    )
    submit = SubmitField(_l("Open the consultation"))


class DocumentForm(FlaskForm):
    title = StringField(_l("Document title"), validators=[Optional(), Length(max=200)])
    file = FileField(
        _l("File"),
        validators=[FileRequired(message=_l("Choose a file to upload."))],
        description=_l("PDF, Word (DOC, DOCX), JPEG or PNG; at most 20 MB."),
    )
    submit = SubmitField(_l("Add the document"))


class OpinionForm(FlaskForm):
    stance = RadioField(
        _l("Your stance"),
        choices=[SelectChoice(stance.value, label) for stance, label in STANCE_LABELS.items()]
        + [
            SelectChoice(NO_STANCE, _l("No stance: I am only replying to others in the discussion"))
        ],
        validators=[InputRequired(message=_l("Choose your stance."))],
    )
    topic = SelectField(
        _l("About (optional)"),
        choices=[],
        validate_choice=False,  # checked by the service against the item's elements and steps
        description=_l("The element of the item or the procedure step your opinion is about."),
    )
    source = _source_field(_l("Your opinion"))
    quote = HiddenField()
    preview = SubmitField(_l("Preview"))
    submit = SubmitField(_l("Post"))


class MarkForm(FlaskForm):
    mark = RadioField(
        _l("Mark"),
        choices=[SelectChoice(mark.value, label) for mark, label in MARK_LABELS.items()],
        validators=[InputRequired(message=_l("Choose a mark."))],
    )
    reason = TextAreaField(
        _l("Reason"),
        validators=[DataRequired(message=_l("Give the reason for the mark."))],
        render_kw={"rows": 3},
    )
    group_name = StringField(
        _l("Group name"),
        validators=[Optional(), Length(max=200)],
        description=_l("Needed when you mark several opinions together, e.g. “Opening hours”."),
    )
    revision_reason = StringField(
        _l("Why the published report changes"),
        validators=[Optional(), Length(max=500)],
    )
    submit = SubmitField(_l("Mark the chosen opinions"))


class ResponseForm(FlaskForm):
    response = TextAreaField(
        _l("Overall response"),
        validators=[Length(max=50_000)],
        description=_l("Markdown. What the department decided and how the opinions shaped it."),
        render_kw={"rows": 10},
    )
    revision_reason = StringField(
        _l("Why the published report changes"),
        validators=[Optional(), Length(max=500)],
    )
    submit = SubmitField(_l("Save the response"))


class PublishForm(FlaskForm):
    submit = SubmitField(_l("Publish the report"))
