"""Form values of an application, sealed in the database.

An application's form holds personal information (ID numbers of the applicant or a legal
representative, phones, addresses): PIPL asks that a database dump does not give it away. The
column stores the JSON document encrypted with AES-GCM under the identity key
(``approvals.identity_crypto``, ``KAIMEN_IDENTITY_KEY``); the application reads and writes a
plain dict. Pages show ID-card fields in full only to the applicant and to the officers handling
the application (``shown_values``), masked to everyone else.
"""

from __future__ import annotations

import json

import sqlalchemy as sa

from approvals import identity_crypto
from approvals.identity_numbers import mask

PURPOSE = "application:form_values"


class SealedJSON(sa.types.TypeDecorator):
    """A JSON document stored encrypted (as bytes) on every database."""

    impl = sa.LargeBinary
    cache_ok = True

    def process_bind_param(self, value, dialect):
        if value is None:
            return None
        text = json.dumps(value, ensure_ascii=False, sort_keys=True)
        return identity_crypto.encrypt(text, PURPOSE)

    def process_result_value(self, value, dialect):
        if value is None:
            return None
        return json.loads(identity_crypto.decrypt(bytes(value), PURPOSE))


def shown_values(fields: list[dict], values: dict, *, in_full: bool) -> dict:
    """The values as a page shows them: ID-card numbers masked unless ``in_full``."""
    shown = dict(values or {})
    if not in_full:
        for field in fields:
            if field.get("type") == "id_card" and shown.get(field["key"]):
                shown[field["key"]] = mask(str(shown[field["key"]]))
    return shown
