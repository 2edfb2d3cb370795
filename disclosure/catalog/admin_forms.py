"""Forms of the catalog and directory administration pages.

Labels and rules come from the services' field lists (``DEPARTMENT_FIELDS``, ``ITEM_FIELDS``…) and
lengths from the model columns, so a form and the service it feeds cannot disagree; each
message names its field, so the error summary reads well on its own.
"""

from __future__ import annotations

from collections.abc import Mapping

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileField, FileRequired
from wtforms import BooleanField, EmailField, SelectField, StringField, TextAreaField
from wtforms.validators import (
    DataRequired,
    InputRequired,
    Length,
    Optional,
    Regexp,
    ValidationError,
)

from disclosure.catalog.models import ApplicationForm, ApprovalItem, ProcedureStep
from disclosure.catalog.services import ITEM_FIELDS, STEP_FIELDS
from disclosure.directory.models import Department, Leader, Position, StaffMember
from disclosure.directory.services import (
    DEPARTMENT_FIELDS,
    LEADER_FIELDS,
    POSITION_FIELDS,
    STAFF_FIELDS,
)
from portal.accounts.services import AccountError, normalise_email
from portal.editing import (
    CODE_PATTERN,
    MAX_DAYS,
    MAX_NUMBER,
    MIN_PHONE,
    POSTCODE_PATTERN,
    Field,
    number_message,
)

WORKING_DAYS_HINT = _l(
    "In working days (工作日): weekends and public holidays do not count; "
    "counting starts the working day after receipt."
)
NONE_CHOICE = 0  # the value of "nobody" / "none" in a select of people or positions


class WholeNumberField(StringField):
    """A whole number typed as text: "2.5", "-1" or "五" are refused with the field's own message."""

    def __init__(self, label=None, validators=None, *, spec: Field, **kwargs):
        kwargs.setdefault("render_kw", {"inputmode": "numeric", "autocomplete": "off"})
        super().__init__(label, validators, **kwargs)
        self.minimum = spec.minimum
        self.limit = MAX_DAYS if spec.kind == "days" else MAX_NUMBER
        self.invalid_message = number_message(spec)

    def process_formdata(self, valuelist):
        if not valuelist:
            return
        raw = valuelist[0].strip()
        self.data = None
        if raw and (
            not (raw.isascii() and raw.isdigit()) or not self.minimum <= int(raw) <= self.limit
        ):
            raise ValueError(self.invalid_message)
        self.data = int(raw) if raw else None

    def _value(self):
        if self.raw_data:
            return self.raw_data[0]
        return "" if self.data is None else str(self.data)


def _valid_email(label):
    message = _l("%(field)s: enter a valid email address, such as name@example.com.", field=label)

    def check(form, field) -> None:
        try:
            normalise_email(field.data or "")
        except AccountError:
            raise ValidationError(message) from None

    return check


def field_for(
    model: type,
    fields: Mapping[str, Field],
    name: str,
    *,
    multiline: bool = False,
    description=None,
    required: bool | None = None,
):
    """A form field for ``fields[name]`` with the service's label, kind and the column's length."""
    spec = fields[name]
    label = spec.label
    required = spec.required if required is None else required
    if spec.kind == "flag":
        return BooleanField(label, description=description)
    if spec.kind in ("days", "number"):
        presence = (
            InputRequired(message=_l("%(field)s: this is required.", field=label))
            if required
            else Optional()
        )
        return WholeNumberField(
            label,
            [presence],
            spec=spec,
            description=description or (WORKING_DAYS_HINT if spec.kind == "days" else None),
        )
    validators = [
        DataRequired(message=_l("%(field)s: this is required.", field=label))
        if required
        else Optional()
    ]
    length = getattr(model.__table__.c[name].type, "length", None)
    if length:
        validators.append(
            Length(
                max=length,
                message=_l("%(field)s: at most %(max)d characters.", field=label, max=length),
            )
        )
    render_kw = {}
    if spec.kind == "phone":
        validators.append(
            Length(
                min=MIN_PHONE,
                message=_l("%(field)s: at least %(min)d characters.", field=label, min=MIN_PHONE),
            )
        )
        render_kw = {"inputmode": "tel"}
    elif spec.kind == "code":
        validators.append(
            Regexp(
                CODE_PATTERN,
                message=_l(
                    "%(field)s: use letters, digits, dots, hyphens and underscores only, "
                    "starting with a letter or digit.",
                    field=label,
                ),
            )
        )
        render_kw = {"spellcheck": "false", "autocomplete": "off"}
    elif spec.kind == "postcode":
        validators.append(
            Regexp(
                POSTCODE_PATTERN, message=_l("%(field)s: six digits, such as 310000.", field=label)
            )
        )
        render_kw = {"inputmode": "numeric", "autocomplete": "off"}
    elif spec.kind == "email":
        validators.append(_valid_email(label))
        return EmailField(
            label, validators, description=description, render_kw={"spellcheck": "false"}
        )
    cls = TextAreaField if multiline else StringField
    if multiline:
        render_kw["rows"] = 5
    return cls(label, validators, description=description, render_kw=render_kw or None)


def _select(label, message=None):
    validators = [InputRequired(message=message)] if message else [Optional()]
    return SelectField(label, coerce=int, validate_choice=True, validators=validators)


def _reason(label=None, required: bool = False):
    label = label or _l("Reason (kept in the audit log)")
    validators = [
        DataRequired(message=_l("%(field)s: this is required.", field=label))
        if required
        else Optional(),
        Length(max=500, message=_l("%(field)s: at most %(max)d characters.", field=label, max=500)),
    ]
    return StringField(label, validators)


class ConfirmForm(FlaskForm):
    """Only the CSRF token: for buttons that delete or remove."""


# --- directory ----------------------------------------------------------------------------------


class DepartmentForm(FlaskForm):
    code = field_for(
        Department,
        DEPARTMENT_FIELDS,
        "code",
        description=_l(
            "A short stable key used in addresses and submission files, such as hz-sthjj."
        ),
    )
    full_name = field_for(Department, DEPARTMENT_FIELDS, "full_name")
    short_name = field_for(Department, DEPARTMENT_FIELDS, "short_name")
    address = field_for(Department, DEPARTMENT_FIELDS, "address")
    postcode = field_for(Department, DEPARTMENT_FIELDS, "postcode")
    public_phone = field_for(Department, DEPARTMENT_FIELDS, "public_phone")
    supervision_phone = field_for(Department, DEPARTMENT_FIELDS, "supervision_phone")
    email = field_for(Department, DEPARTMENT_FIELDS, "email")
    functions = field_for(Department, DEPARTMENT_FIELDS, "functions", multiline=True)
    allowed_reply_domains = field_for(
        Department,
        DEPARTMENT_FIELDS,
        "allowed_reply_domains",
        description=_l(
            "Besides the position's holder and deputy, staff writing from these mail domains "
            "(separated by spaces, e.g. hz.gov.cn) may answer a complaint by replying to its email."
        ),
    )
    sort_order = field_for(
        Department,
        DEPARTMENT_FIELDS,
        "sort_order",
        description=_l("Smaller numbers come first; leave empty for 0."),
    )
    default_complaint_position = SelectField(
        _l("Default complaint position"),
        coerce=int,
        description=_l(
            "Receives complaints about the department when no item's complaint step names a position."
        ),
    )


class LeaderForm(FlaskForm):
    name = field_for(Leader, LEADER_FIELDS, "name")
    title = field_for(Leader, LEADER_FIELDS, "title")
    portfolio = field_for(Leader, LEADER_FIELDS, "portfolio", multiline=True)
    office_phone = field_for(Leader, LEADER_FIELDS, "office_phone")
    email = field_for(Leader, LEADER_FIELDS, "email")
    sort_order = field_for(Leader, LEADER_FIELDS, "sort_order")


class PhotoForm(FlaskForm):
    photo = FileField(
        _l("Photo"),
        validators=[FileRequired(message=_l("Choose a photo to upload."))],
        description=_l(
            "A JPEG or PNG image. It is shrunk to a thumbnail and everything but the picture "
            "(camera data, GPS position) is removed."
        ),
        render_kw={"accept": "image/jpeg,image/png"},
    )


class StaffForm(FlaskForm):
    name = field_for(StaffMember, STAFF_FIELDS, "name")
    title = field_for(StaffMember, STAFF_FIELDS, "title")
    duties = field_for(StaffMember, STAFF_FIELDS, "duties", multiline=True)
    office_phone = field_for(StaffMember, STAFF_FIELDS, "office_phone")
    email = field_for(StaffMember, STAFF_FIELDS, "email")
    sort_order = field_for(StaffMember, STAFF_FIELDS, "sort_order")
    user_email = EmailField(
        _l("Account"),
        validators=[
            Optional(),
            _valid_email(_l("Account")),
        ],
        description=_l(
            "The email address of the account this person logs in with, if any. "
            "Officers need one to answer complaints on the web."
        ),
        render_kw={"spellcheck": "false"},
    )


class PositionForm(FlaskForm):
    code = field_for(Position, POSITION_FIELDS, "code")
    name = field_for(Position, POSITION_FIELDS, "name")
    duties = field_for(Position, POSITION_FIELDS, "duties", multiline=True)
    sort_order = field_for(Position, POSITION_FIELDS, "sort_order")


class HandOverForm(FlaskForm):
    holder = _select(_l("New holder"))
    deputy = _select(_l("Deputy"))
    reason = _reason(required=True)


# --- catalog ------------------------------------------------------------------------------------


class ItemForm(FlaskForm):
    code = field_for(
        ApprovalItem,
        ITEM_FIELDS,
        "code",
        description=_l("The item number (审批项目编号) as the department reports it."),
    )
    name = field_for(ApprovalItem, ITEM_FIELDS, "name")
    department = _select(_l("Accepting department"), _l("Choose the accepting department."))
    published = BooleanField(
        _l("Published"),
        description=_l(
            "Unpublished items are drafts: only administrators can see them. An item is "
            "published once its procedure has the acceptance and complaint steps."
        ),
    )
    is_major = field_for(
        ApprovalItem,
        ITEM_FIELDS,
        "is_major",
        description=_l(
            "A major item touches citizens' interests and can be opened to consultation."
        ),
    )
    agency_name = field_for(ApprovalItem, ITEM_FIELDS, "agency_name")
    agency_address = field_for(ApprovalItem, ITEM_FIELDS, "agency_address")
    agency_phone = field_for(ApprovalItem, ITEM_FIELDS, "agency_phone")
    total_time_limit_days = field_for(ApprovalItem, ITEM_FIELDS, "total_time_limit_days")
    eligibility = field_for(ApprovalItem, ITEM_FIELDS, "eligibility", multiline=True)
    materials = field_for(ApprovalItem, ITEM_FIELDS, "materials", multiline=True)
    fee_standard = field_for(ApprovalItem, ITEM_FIELDS, "fee_standard", multiline=True)
    fee_basis = field_for(ApprovalItem, ITEM_FIELDS, "fee_basis", multiline=True)
    legal_basis = field_for(ApprovalItem, ITEM_FIELDS, "legal_basis", multiline=True)
    result = field_for(ApprovalItem, ITEM_FIELDS, "result", multiline=True)
    reason = _reason()


class StepForm(FlaskForm):
    kind = SelectField(
        _l("Kind of step"),
        validators=[InputRequired(message=_l("Choose the kind of step."))],
    )
    position = _select(
        _l("Responsible position"), _l("Choose the position responsible for this step.")
    )
    standard = field_for(ProcedureStep, STEP_FIELDS, "standard", multiline=True)
    conditions = field_for(
        ProcedureStep,
        STEP_FIELDS,
        "conditions",
        multiline=True,
        description=_l(
            "What must be met at this step; on the acceptance step, the materials the "
            "applicant submits."
        ),
    )
    duties = field_for(
        ProcedureStep,
        STEP_FIELDS,
        "duties",
        multiline=True,
        description=_l("Leave empty to show the position's own duties and authority."),
    )
    time_limit_days = field_for(ProcedureStep, STEP_FIELDS, "time_limit_days")
    consultation_time_limit_days = field_for(
        ProcedureStep, STEP_FIELDS, "consultation_time_limit_days"
    )
    complaint_channels = field_for(ProcedureStep, STEP_FIELDS, "complaint_channels", multiline=True)
    complaint_phone = field_for(ProcedureStep, STEP_FIELDS, "complaint_phone")
    notification_method = field_for(
        ProcedureStep, STEP_FIELDS, "notification_method", multiline=True
    )
    notification_time_limit_days = field_for(
        ProcedureStep, STEP_FIELDS, "notification_time_limit_days"
    )


FORM_ACCEPT = ",".join(
    [
        ".pdf",
        ".doc",
        ".docx",
        "application/pdf",
        "application/msword",
        "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    ]
)


class FormUploadForm(FlaskForm):
    title = StringField(
        _l("Title of the form"),
        validators=[
            DataRequired(message=_l("Give the form a title.")),
            Length(
                max=ApplicationForm.__table__.c.title.type.length,
                message=_l("The title has at most %(max)d characters.", max=200),
            ),
        ],
    )
    file = FileField(
        _l("File"),
        validators=[FileRequired(message=_l("Choose a WORD or PDF file."))],
        description=_l("WORD (.doc, .docx) or PDF."),
        render_kw={"accept": FORM_ACCEPT},
    )


class ImportForm(FlaskForm):
    file = FileField(
        _l("Submission file"),
        validators=[FileRequired(message=_l("Choose a submission file (YAML or JSON)."))],
        description=_l("One department's submission in the published format, as YAML or JSON."),
        render_kw={"accept": ".yaml,.yml,.json,application/json,application/yaml,text/yaml"},
    )
    dry_run = BooleanField(
        _l("Only check the file (dry run): show what would change, save nothing"),
        default=True,
    )
