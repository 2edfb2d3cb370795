"""Forms of the online offer's administration pages (网上申报): the offer, a field, a material.

The service (``online_services``) has the last word; these forms catch what the browser sends
badly (a number that is not one) and keep what was typed when something is refused.
"""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import (
    BooleanField,
    HiddenField,
    SelectField,
    SelectMultipleField,
    StringField,
    TextAreaField,
    widgets,
)
from wtforms.validators import InputRequired, Optional

from disclosure.catalog.admin_forms import WORKING_DAYS_HINT, WholeNumberField
from disclosure.catalog.online_models import ApplicantKind, FieldType, IdentityLevel
from disclosure.catalog.online_rules import DEFAULT_MB, FILE_TYPES, MAX_MB
from portal.editing import Field

NO_TEMPLATE = 0


class DecimalText(StringField):
    """A number typed as text ("12", "-3.5"); empty is None; anything else is refused."""

    def __init__(self, label=None, validators=None, **kwargs):
        kwargs.setdefault("render_kw", {"inputmode": "decimal", "autocomplete": "off"})
        super().__init__(label, validators, **kwargs)

    def process_formdata(self, valuelist):
        if not valuelist:
            return
        raw = valuelist[0].strip()
        self.data = None
        if not raw:
            return
        try:
            value = float(raw)
        except ValueError:
            raise ValueError(
                _l("%(field)s: a number, such as 10 or 2.5.", field=self.label.text)
            ) from None
        if value != value or value in (float("inf"), float("-inf")):
            raise ValueError(_l("%(field)s: a number, such as 10 or 2.5.", field=self.label.text))
        self.data = value

    def _value(self):
        if self.raw_data:
            return self.raw_data[0]
        if self.data is None:
            return ""
        return str(int(self.data)) if float(self.data).is_integer() else str(self.data)


class CheckboxesField(SelectMultipleField):
    widget = widgets.ListWidget(prefix_label=False)
    option_widget = widgets.CheckboxInput()


def _number(label, kind: str = "number", minimum: int = 0, required: bool = False, **kwargs):
    spec = Field(label, kind, required=required, minimum=minimum)
    presence = (
        InputRequired(message=_l("%(field)s: this is required.", field=label))
        if required
        else Optional()
    )
    return WholeNumberField(label, [presence], spec=spec, **kwargs)


class OfferForm(FlaskForm):
    enabled = BooleanField(
        _l("Can be applied for online"),
        description=_l("Unticked, the offer is kept but the item cannot be applied for online."),
    )
    applicant_kind = SelectField(
        _l("Who may apply"),
        validators=[InputRequired(message=_l("Who may apply: choose one of the options."))],
    )
    identity_level = SelectField(
        _l("Identity level needed"),
        validators=[InputRequired(message=_l("Identity level: choose one of the options."))],
    )
    statutory_limit_days = _number(
        _l("Statutory time limit"),
        "days",
        minimum=1,
        required=True,
        description=WORKING_DAYS_HINT,
    )
    promised_limit_days = _number(
        _l("Promised time limit"),
        "days",
        description=_l(
            "In working days. Leave empty to promise the sum of the procedure steps' limits."
        ),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # Labels are lazy: build the choices again in the reader's language.
        self.applicant_kind.choices = [(kind.value, kind.label) for kind in ApplicantKind]
        self.identity_level.choices = [(level.value, level.label) for level in IdentityLevel]


class FormFieldForm(FlaskForm):
    key = StringField(
        _l("Key"),
        description=_l(
            "A short stable name for programs, such as applicant_name: lower-case letters, "
            "digits and underscores, starting with a letter."
        ),
        render_kw={"spellcheck": "false", "autocomplete": "off"},
    )
    label_zh = StringField(_l("Label (Chinese)"))
    label_en = StringField(_l("Label (English)"))
    type = SelectField(_l("Type"), validators=[InputRequired()])
    required = BooleanField(_l("The applicant must fill it in"))
    min_length = _number(_l("Shortest length"), description=_l("Text fields only, in characters."))
    max_length = _number(_l("Longest length"), description=_l("Text fields only, in characters."))
    min_value = DecimalText(_l("Smallest value"), description=_l("Number fields only."))
    max_value = DecimalText(_l("Largest value"), description=_l("Number fields only."))
    choices = TextAreaField(
        _l("Choices"),
        description=_l("Choice fields only, and needed there: one choice per line."),
        render_kw={"rows": 4},
    )
    help_zh = TextAreaField(_l("Help (Chinese)"), render_kw={"rows": 2})
    help_en = TextAreaField(_l("Help (English)"), render_kw={"rows": 2})

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.type.choices = [(kind.value, kind.label) for kind in FieldType]
        if not self.is_submitted() and isinstance(self.choices.data, list):
            self.choices.data = "\n".join(self.choices.data)

    def choice_list(self) -> list[str]:
        return [line.strip() for line in (self.choices.data or "").splitlines() if line.strip()]


class MaterialForm(FlaskForm):
    name = StringField(_l("Name of the material"))
    required = BooleanField(_l("The applicant must provide it"), default=True)
    accepted_types = CheckboxesField(
        _l("Accepted types of file"),
        validate_choice=False,  # the service names an unknown type
    )
    max_mb = _number(
        _l("Size limit (MB)"),
        minimum=1,
        required=True,
        description=_l("From 1 to %(max)d MB.", max=MAX_MB),
        default=DEFAULT_MB,
    )
    note = StringField(_l("Note"), description=_l("Such as 原件扫描 (a scan of the original)."))
    template = SelectField(
        _l("Template form"),
        coerce=int,
        validate_choice=False,
        description=_l("One of the item's published application forms, if it is the template."),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.accepted_types.choices = [(kind, kind.upper()) for kind in FILE_TYPES]


class MoveForm(FlaskForm):
    direction = HiddenField(validators=[InputRequired()])
