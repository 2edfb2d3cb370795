"""Complaint forms: filing, adding information (follow-up) and rating the answer.

The forms check what a browser can get wrong (empty, too long); the services check everything
again and decide, so a complaint filed any other way meets the same rules.
"""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import MultipleFileField
from wtforms import EmailField, RadioField, SelectField, StringField, SubmitField, TextAreaField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, Length, Optional

from complaints.citizen import COMMENT_MAX, FOLLOW_UP_MAX
from complaints.intake import ADDRESS_MAX, DETAILS_MAX, NAME_MAX, PHONE_MAX, SUBJECT_MAX
from complaints.models import METHOD_LABELS, NotificationMethod

ACCEPT = ".pdf,.doc,.docx,.jpg,.jpeg,.png,application/pdf,image/jpeg,image/png"


def _files_field():
    return MultipleFileField(
        _l("Attachments (optional)"),
        description=_l("Up to 5 files: PDF, DOC, DOCX, JPG or PNG, each at most 3 MB."),
        render_kw={"accept": ACCEPT},
    )


class ComplaintForm(FlaskForm):
    """A new complaint. ``step`` is offered when the complaint is about an item, ``department``
    when it is not; the view fills in their choices."""

    step = SelectField(
        _l("Which step of the procedure is it about?"), choices=[], validate_choice=True
    )
    department = SelectField(_l("Department"), choices=[], validate_choice=True)
    subject = StringField(
        _l("Subject"),
        validators=[
            DataRequired(message=_l("Give your complaint a subject.")),
            Length(max=SUBJECT_MAX, message=_l("A subject has at most %(max)d characters.", max=SUBJECT_MAX)),
        ],
        description=_l("In one line: what went wrong?"),
    )  # fmt: skip
    details = TextAreaField(
        _l("What happened"),
        validators=[
            DataRequired(message=_l("Describe what happened.")),
            Length(max=DETAILS_MAX, message=_l("The description has at most %(max)d characters.", max=DETAILS_MAX)),
        ],
        description=_l("When and where, who you dealt with, and what you expect. Markdown works."),
        render_kw={"rows": 10},
    )  # fmt: skip
    attachments = _files_field()
    contact_name = StringField(
        _l("Your name"),
        validators=[
            DataRequired(message=_l("Give your name, so that the answer can reach you.")),
            Length(max=NAME_MAX, message=_l("A name has at most %(max)d characters.", max=NAME_MAX)),
        ],
        render_kw={"autocomplete": "name"},
    )  # fmt: skip
    contact_email = EmailField(
        _l("Email address"),
        validators=[DataRequired(message=_l("Enter a valid email address for replies, such as name@example.com."))],
        render_kw={"autocomplete": "email"},
    )  # fmt: skip
    contact_phone = StringField(
        _l("Phone (needed for SMS or a call)"),
        validators=[Optional(), Length(max=PHONE_MAX, message=_l("A phone number has at most %(max)d characters.", max=PHONE_MAX))],
        render_kw={"autocomplete": "tel", "inputmode": "tel"},
    )  # fmt: skip
    contact_address = TextAreaField(
        _l("Postal address (needed for a letter)"),
        validators=[Optional(), Length(max=ADDRESS_MAX, message=_l("An address has at most %(max)d characters.", max=ADDRESS_MAX))],
        render_kw={"rows": 2, "autocomplete": "street-address"},
    )  # fmt: skip
    notification_method = RadioField(
        _l("How do you want to be told the answer?"),
        choices=[
            SelectChoice(method.value, METHOD_LABELS[method]) for method in NotificationMethod
        ],
        default=NotificationMethod.EMAIL.value,
        validators=[DataRequired(message=_l("Choose how you want to be told the answer."))],
    )
    submit = SubmitField(_l("File the complaint"))


class FollowUpForm(FlaskForm):
    text = TextAreaField(
        _l("Add information"),
        validators=[Length(max=FOLLOW_UP_MAX, message=_l("A follow-up has at most %(max)d characters.", max=FOLLOW_UP_MAX))],
        description=_l("It goes to the position handling your complaint. Markdown works."),
        render_kw={"rows": 5},
    )  # fmt: skip
    attachments = _files_field()
    submit = SubmitField(_l("Add to the complaint"))


class RatingForm(FlaskForm):
    rating = RadioField(
        _l("How satisfied are you with the answer?"),
        choices=[
            SelectChoice("5", _l("5 — very satisfied")),
            SelectChoice("4", _l("4 — satisfied")),
            SelectChoice("3", _l("3 — neither")),
            SelectChoice("2", _l("2 — dissatisfied")),
            SelectChoice("1", _l("1 — very dissatisfied")),
        ],
        validators=[DataRequired(message=_l("Choose a rating from 1 to 5."))],
    )
    comment = TextAreaField(
        _l("Comment (optional)"),
        validators=[Length(max=COMMENT_MAX, message=_l("A comment has at most %(max)d characters.", max=COMMENT_MAX))],
        render_kw={"rows": 3},
    )  # fmt: skip
    submit = SubmitField(_l("Rate the answer"))
