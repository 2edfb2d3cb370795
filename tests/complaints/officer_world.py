"""Helpers for the officer-side complaint tests."""

from __future__ import annotations

from datetime import date

from complaints.models import Complaint
from portal.extensions import db
from portal.i18n import LANGUAGE_COOKIE


def english(client):
    client.http.set_cookie(LANGUAGE_COOKIE, "en")
    return client


def signed_in(client, user):
    english(client)
    client.login(user.email)
    return client


def set_due(complaint: Complaint, day: date, *, provisional: bool = False) -> Complaint:
    complaint.handling_due = day
    complaint.handling_due_provisional = provisional
    db.session.commit()
    return complaint


def reload(complaint: Complaint) -> Complaint:
    db.session.expire_all()
    return db.session.get(Complaint, complaint.id)
