"""How Flask-Login finds the signed-in user from the session."""

from __future__ import annotations

import hmac

from portal.accounts.models import User
from portal.extensions import db


def load_user(session_id: str) -> User | None:
    """Session ids are ``<user id>:<auth token>``; a new password changes the token."""
    user_id, _, token = session_id.partition(":")
    if not user_id.isdigit() or not token:
        return None
    user = db.session.get(User, int(user_id))
    if user is None or not user.is_active or not hmac.compare_digest(user.auth_token, token):
        return None
    return user
