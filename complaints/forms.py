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


def files_field(description=None):
    if description is None:
        description = _l("Up to 5 files: PDF, DOC, DOCX, JPG or PNG, each at most 3 MB.")
    return MultipleFileField(
        _l("Attachments (optional)"), description=description, render_kw={"accept": ACCEPT}
    )


def text_field(
    label,
    max_length: int,
    too_long=None,
    *,
    required=None,
    optional: bool = False,
    field=TextAreaField,
    description="",
    **render_kw,
):
    """A text field of at most ``max_length`` characters (``too_long`` says so); with ``required``
    (what to say when it is empty) it may not be empty; ``optional`` stops at an empty one.
    ``render_kw`` are the input's attributes (``rows=3``)."""
    validators = [Optional()] if optional else []
    if required is not None:
        validators.append(DataRequired(message=required))
    validators.append(Length(max=max_length, message=too_long))
    return field(label, validators=validators, description=description, render_kw=render_kw or None)


class ComplaintForm(FlaskForm):
    """A new complaint. ``step`` is offered when the complaint is about an item, ``department``
    when it is not; the view fills in their choices."""

    step = SelectField(
        _l("Which step of the procedure is it about?"), choices=[], validate_choice=True
    )
    department = SelectField(_l("Department"), choices=[], validate_choice=True)
    subject = text_field(
        _l("Subject"),
        SUBJECT_MAX,
        _l("A subject has at most %(max)d characters.", max=SUBJECT_MAX),
        required=_l("Give your complaint a subject."),
        field=StringField,
        description=_l("In one line: what went wrong?"),
    )
    details = text_field(
        _l("What happened"),
        DETAILS_MAX,
        _l("The description has at most %(max)d characters.", max=DETAILS_MAX),
        required=_l("Describe what happened."),
        description=_l("When and where, who you dealt with, and what you expect. Markdown works."),
        rows=10,
    )
    attachments = files_field()
    contact_name = text_field(
        _l("Your name"),
        NAME_MAX,
        _l("A name has at most %(max)d characters.", max=NAME_MAX),
        required=_l("Give your name, so that the answer can reach you."),
        field=StringField,
        autocomplete="name",
    )
    contact_email = EmailField(
        _l("Email address"),
        validators=[DataRequired(message=_l("Enter a valid email address for replies, such as name@example.com."))],
        render_kw={"autocomplete": "email"},
    )  # fmt: skip
    contact_phone = text_field(
        _l("Phone (needed for SMS or a call)"),
        PHONE_MAX,
        _l("A phone number has at most %(max)d characters.", max=PHONE_MAX),
        optional=True,
        field=StringField,
        autocomplete="tel",
        inputmode="tel",
    )
    contact_address = text_field(
        _l("Postal address (needed for a letter)"),
        ADDRESS_MAX,
        _l("An address has at most %(max)d characters.", max=ADDRESS_MAX),
        optional=True,
        rows=2,
        autocomplete="street-address",
    )
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
    text = text_field(
        _l("Add information"),
        FOLLOW_UP_MAX,
        _l("A follow-up has at most %(max)d characters.", max=FOLLOW_UP_MAX),
        description=_l("It goes to the position handling your complaint. Markdown works."),
        rows=5,
    )
    attachments = files_field()
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
    comment = text_field(
        _l("Comment (optional)"),
        COMMENT_MAX,
        _l("A comment has at most %(max)d characters.", max=COMMENT_MAX),
        rows=3,
    )
    submit = SubmitField(_l("Rate the answer"))
