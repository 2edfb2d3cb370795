"""Administrator forms."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import SelectField, SelectMultipleField, StringField
from wtforms.validators import DataRequired, Length, Optional
from wtforms.widgets import CheckboxInput, ListWidget

from portal.accounts.forms import RegisterForm
from portal.accounts.models import ROLE_LABELS, Role


def _role_choices():
    return [(role.value, ROLE_LABELS[role]) for role in Role]


class CreateUserForm(RegisterForm):
    roles = SelectMultipleField(
        _l("Roles"),
        choices=_role_choices,
        option_widget=CheckboxInput(),
        widget=ListWidget(prefix_label=False),
        validators=[Optional()],
    )


class GrantRoleForm(FlaskForm):
    role = SelectField(
        _l("Role"), choices=_role_choices, validators=[DataRequired(message=_l("Choose a role."))]
    )
    reason = StringField(
        _l("Reason (kept in the audit log)"),
        validators=[Length(max=500, message=_l("At most %(max)d characters.", max=500))],
    )


class RevokeRoleForm(FlaskForm):
    reason = StringField(
        _l("Reason (kept in the audit log)"),
        validators=[Length(max=500, message=_l("At most %(max)d characters.", max=500))],
    )


class RetryMessageForm(FlaskForm):
    """Only the CSRF token."""
