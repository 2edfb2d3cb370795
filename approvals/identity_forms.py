"""Forms of the identity pages. The check digits are verified by the service
(``identity_services.validate_declaration``), whose messages the view puts on the fields."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import EmailField, HiddenField, RadioField, StringField, TextAreaField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, Length, Optional

from approvals.identity_models import IDENTITY_KIND_LABELS, IdentityKind

_NUMBER_ATTRS = {"autocomplete": "off", "spellcheck": "false", "autocapitalize": "characters"}


class IdentityForm(FlaskForm):
    """Declare (or change) a person's or a company's identity."""

    kind = RadioField(
        _l("Who applies"),
        choices=[SelectChoice(kind.value, IDENTITY_KIND_LABELS[kind]) for kind in IdentityKind],
        default=IdentityKind.PERSON.value,
        validators=[DataRequired(message=_l("Choose a person or a company."))],
    )
    real_name = StringField(
        _l("Real name"),
        description=_l(
            "As on the resident ID card. For a company: the name of the person acting for it "
            "(经办人)."
        ),
        validators=[Length(max=50, message=_l("A name has at most 50 characters."))],
        render_kw={"autocomplete": "name"},
    )
    id_number = StringField(
        _l("ID card number"),
        description=_l(
            "18 characters; the last may be X. For a company: the acting person's ID number."
        ),
        render_kw=_NUMBER_ATTRS,
    )
    company_name = StringField(
        _l("Company name"),
        description=_l("Only for a company: its registered name."),
        validators=[Length(max=200, message=_l("A company name has at most 200 characters."))],
        render_kw={"autocomplete": "organization"},
    )
    credit_code = StringField(
        _l("Unified social credit code"),
        description=_l("Only for a company: the 18 characters on its business licence."),
        render_kw=_NUMBER_ATTRS,
    )


class PhoneForm(FlaskForm):
    phone = StringField(
        _l("Mobile number"),
        description=_l("We send a code by SMS to this number."),
        validators=[DataRequired(message=_l("Enter your mobile number."))],
        render_kw={"autocomplete": "tel", "inputmode": "tel"},
    )


class PhoneCodeForm(FlaskForm):
    code = StringField(
        _l("Code from the SMS"),
        description=_l("6 digits, valid for 10 minutes."),
        validators=[DataRequired(message=_l("Enter the code from the SMS."))],
        render_kw={"autocomplete": "one-time-code", "inputmode": "numeric"},
    )


class RevokeForm(FlaskForm):
    """Withdraw one's identity (a button: CSRF only)."""


class CounterFindForm(FlaskForm):
    email = EmailField(
        _l("Account email address"),
        validators=[DataRequired(message=_l("Enter the account's email address."))],
        render_kw={"autocomplete": "off", "spellcheck": "false"},
    )


class CounterCheckForm(FlaskForm):
    """The officer types the numbers from the papers the applicant brought."""

    id_number = StringField(
        _l("ID card number on the papers"),
        validators=[DataRequired(message=_l("Type the ID number from the ID card."))],
        render_kw=_NUMBER_ATTRS,
    )
    credit_code = StringField(
        _l("Credit code on the business licence"),
        validators=[Optional()],
        render_kw=_NUMBER_ATTRS,
    )


class CounterConfirmForm(FlaskForm):
    """Confirm, carrying the numbers the officer typed (checked again on confirmation)."""

    id_number = HiddenField()
    credit_code = HiddenField()
    note = TextAreaField(
        _l("Note (optional)"),
        description=_l("For example which papers you saw. Do not type identity numbers here."),
        validators=[Length(max=500, message=_l("A note has at most 500 characters."))],
    )
