"""Permission predicates about accounts: pure functions of the user, and a decorator built on them."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps

from flask import abort
from flask_login import current_user

from portal.accounts.models import Role
from portal.extensions import login_manager


def is_admin(user) -> bool:
    return bool(user and user.is_authenticated and user.has_role(Role.ADMIN))


def can_manage_users(user) -> bool:
    return is_admin(user)


def can_read_audit_log(user) -> bool:
    return is_admin(user)


def can_read_mail(user) -> bool:
    return is_admin(user)


def require(predicate: Callable[[object], bool]):
    """Guard a view: anonymous visitors are sent to log in; others without permission get 403."""

    def decorator(view):
        @wraps(view)
        def wrapped(*args, **kwargs):
            if not current_user.is_authenticated:
                return login_manager.unauthorized()
            if not predicate(current_user):
                abort(403)
            return view(*args, **kwargs)

        return wrapped

    return decorator
