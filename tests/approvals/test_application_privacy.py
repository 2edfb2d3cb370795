"""Personal information in an application's form (PIPL): sealed in the database, an ID number in
full only for the applicant and the officers handling the application, masked for the others."""

from __future__ import annotations

import sqlalchemy as sa

from approvals.application_models import Application
from portal.extensions import db
from tests.approvals.application_world import *  # noqa: F403
from tests.approvals.application_world import VALUES, submit
from tests.approvals.identity_helpers import all_row_values, contains

# A legal representative's ID number, not the applicant's own (their identity shows masked).
LEGAL_ID = "330102197606120020"
MASKED = "3301**********0020"


def test_form_values_cannot_be_read_from_the_database(applicant, item):
    application, _code = submit(applicant, item, values={"legal_id": LEGAL_ID})
    rows = all_row_values(["applications"])
    assert not contains(rows, LEGAL_ID)
    assert not contains(rows, VALUES["company"])
    assert not contains(rows, VALUES["phone"])
    # ... and the application reads them back as they were given.
    db.session.expire_all()
    stored = db.session.get(Application, application.id).form_values
    assert stored["legal_id"] == LEGAL_ID
    assert stored["company"] == VALUES["company"]


def test_an_id_number_is_shown_in_full_only_to_the_applicant_and_its_handlers(
    client, applicant, item, acceptor, supervisor, admin
):
    application, _code = submit(applicant, item, values={"legal_id": LEGAL_ID})
    url = f"/approvals/applications/{application.number}"
    for user, full in ((applicant, True), (acceptor, True), (supervisor, False), (admin, False)):
        client.login(user.email)
        page = client.get(url).get_data(as_text=True)
        client.logout()
        assert (LEGAL_ID in page) is full, user.email
        assert (MASKED in page) is not full, user.email


def test_the_raw_column_is_not_json(applicant, item, backend):
    application, _code = submit(applicant, item, values={"legal_id": LEGAL_ID})
    raw = db.session.execute(
        sa.text("SELECT form_values FROM applications WHERE id = :id"), {"id": application.id}
    ).scalar()
    raw = bytes(raw)
    assert not raw.lstrip().startswith(b"{")
