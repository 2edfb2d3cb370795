"""The applicant's pages and the public ones: applying through the web, the application page and
who sees it (404 to outsiders, 403 to the allowed-but-not-permitted), correction, lookup and
verification without personal data, downloads, and constant SQL on the list."""

from __future__ import annotations

import io
import re
from datetime import date

import pytest
import sqlalchemy as sa

from approvals import officer_services, review
from approvals.application_models import Application, ApplicationStatus
from approvals.procedure_models import DocumentKind, IssuedDocument
from portal.extensions import db
from tests.approvals.application_world import *  # noqa: F403
from tests.approvals.application_world import PDF, VALUES, at, copies, submit

S = ApplicationStatus


def form_data(**overrides) -> dict:
    data = {f"f_{key}": value for key, value in VALUES.items()}
    data.update(overrides)
    return data


def test_items_offered_online_are_listed_and_offered_on_the_item_page(client, item):
    page = client.get("/approvals/").get_data(as_text=True)
    assert item.name in page and f"/approvals/apply/{item.code}" in page
    catalog = client.get(f"/catalog/items/{item.code}").get_data(as_text=True)
    assert f"/approvals/apply/{item.code}" in catalog


def test_visitors_are_sent_to_log_in(client, applicant, item):
    application, _code = submit(applicant, item)
    for url in (
        f"/approvals/apply/{item.code}",
        "/approvals/mine",
        f"/approvals/applications/{application.number}",
    ):
        response = client.get(url)
        assert response.status_code == 302 and "/account/login" in response.headers["Location"]


def test_apply_through_the_web(client, applicant, item):
    client.login(applicant.email)
    page = client.get(f"/approvals/apply/{item.code}").get_data(as_text=True)
    assert "Company name" in page and 'name="m_m1"' in page
    # A wrong ID number: a field-level error, and what was typed is still there.
    response = client.post(
        f"/approvals/apply/{item.code}",
        {**form_data(f_legal_id="330106198507150012"), "action": "review"},
    )
    assert response.status_code == 400
    body = response.get_data(as_text=True)
    assert "check digit" in body and 'id="f_legal_id-error"' in body
    assert VALUES["company"] in body
    assert db.session.scalar(sa.select(sa.func.count(Application.id))) == 0
    # Right values and the required file: saved, then the summary.
    response = client.post(
        f"/approvals/apply/{item.code}",
        {**form_data(), "action": "review", "m_m1": (io.BytesIO(PDF), "申请表.pdf")},
    )
    assert response.status_code == 302
    summary_url = response.headers["Location"]
    summary = client.get(summary_url).get_data(as_text=True)
    assert "申请表.pdf" in summary and VALUES["company"] in summary
    response = client.post(summary_url)
    assert response.status_code == 302
    submitted = client.get(response.headers["Location"]).get_data(as_text=True)
    application = db.session.scalar(sa.select(Application))
    assert application.status == S.SUBMITTED
    assert application.number in submitted and 'id="query-code"' in submitted
    # Shown once only.
    again = client.get(response.headers["Location"]).get_data(as_text=True)
    assert 'id="query-code"' not in again
    # A second submit of the same draft lands on the application, not a second receipt.
    response = client.post(summary_url)
    assert response.status_code == 302 and application.number in response.headers["Location"]
    assert db.session.scalar(sa.select(sa.func.count(IssuedDocument.id))) == 1


def test_a_draft_is_kept_and_continued(client, applicant, item):
    client.login(applicant.email)
    response = client.post(
        f"/approvals/apply/{item.code}", {**form_data(f_phone=""), "action": "save"}
    )
    assert response.status_code == 302
    page = client.get(f"/approvals/apply/{item.code}").get_data(as_text=True)
    assert VALUES["company"] in page


def test_who_sees_an_application(
    client, applicant, item, acceptor, supervisor, admin, outsider, other_officer
):
    application, _code = submit(applicant, item)
    review.add_note(application, acceptor, "内部备注：申请人来电")
    db.session.commit()
    url = f"/approvals/applications/{application.number}"
    client.login(applicant.email)
    mine = client.get(url)
    assert mine.status_code == 200
    assert "内部备注" not in mine.get_data(as_text=True)
    assert "/complaints/new?item=" in mine.get_data(as_text=True)
    client.logout()
    for user in (acceptor, supervisor, admin):
        client.login(user.email)
        page = client.get(url)
        assert page.status_code == 200, user
        assert "内部备注" in page.get_data(as_text=True)
        client.logout()
    for user in (outsider, other_officer):
        client.login(user.email)
        assert client.get(url).status_code == 404
        assert client.post(f"{url}/withdraw").status_code == 404
        client.logout()
    # Seen but not permitted: the officer cannot withdraw or correct for the applicant.
    client.login(acceptor.email)
    assert client.post(f"{url}/withdraw").status_code == 403
    assert client.get(f"{url}/correction").status_code == 403
    assert client.post(f"{url}/rate", {"rating": "5"}).status_code == 403


def test_documents_download_for_those_who_see_the_application(client, applicant, item, outsider):
    application, _code = submit(applicant, item)
    receipt = db.session.scalar(sa.select(IssuedDocument))
    url = f"/approvals/applications/{application.number}/documents/{receipt.id}.pdf"
    client.login(applicant.email)
    response = client.get(url)
    assert response.status_code == 200 and response.data.startswith(b"%PDF")
    assert response.headers["Content-Type"] == "application/pdf"
    client.logout()
    client.login(outsider.email)
    assert client.get(url).status_code == 404


def test_correction_through_the_web_shows_only_what_was_asked(client, applicant, item, acceptor):
    application, _code = submit(applicant, item)
    officer_services.request_correction(
        application, acceptor, [{"field": "phone", "reason": "号码有误"}]
    )
    db.session.commit()
    url = f"/approvals/applications/{application.number}/correction"
    client.login(applicant.email)
    page = client.get(url).get_data(as_text=True)
    assert 'name="f_phone"' in page and 'name="f_company"' not in page and "号码有误" in page
    refused = client.post(url, {"f_phone": "13900000000", "f_company": "别的公司"})
    assert refused.status_code == 400
    assert "does not ask you to change" in refused.get_data(as_text=True)
    assert db.session.get(Application, application.id).status == S.CORRECTION_REQUESTED
    done = client.post(url, {"f_phone": "13900000000"})
    assert done.status_code == 302
    assert db.session.get(Application, application.id).status == S.SUBMITTED


def test_withdraw_and_rate_through_the_web(client, applicant, item, acceptor, reviewer, decider):
    first, _code = submit(applicant, item)
    client.login(applicant.email)
    assert client.post(f"/approvals/applications/{first.number}/withdraw").status_code == 302
    assert db.session.get(Application, first.id).status == S.WITHDRAWN
    second, _code = submit(applicant, item)
    officer_services.accept(second, acceptor)
    review.record_opinion(second, reviewer, "agree", "同意")
    review.decide(second, decider, "refused", "不符合条件", "《环境保护法》")
    review.deliver(second, acceptor, "邮寄")
    db.session.commit()
    url = f"/approvals/applications/{second.number}"
    assert "Rate the service" in client.get(url).get_data(as_text=True)
    assert client.post(f"{url}/rate", {"rating": "2", "comment": "太慢"}).status_code == 302
    assert db.session.get(Application, second.id).rating == 2


def test_lookup_by_number_and_query_code_shows_no_personal_data(client, applicant, item, acceptor):
    with at(date(2026, 12, 3)):
        application, code = submit(applicant, item)
        officer_services.accept(application, acceptor)
        db.session.commit()
    client.http.set_cookie("kaimen_lang", "en")
    response = client.post(
        "/approvals/lookup", {"number": application.number, "code": code.lower()}
    )
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    assert item.name in page and "In review" in page and "Review" in page
    assert "2026-12-03" in page
    for personal in (
        "张三",
        "3301",
        applicant.email,
        VALUES["phone"],
        VALUES["company"],
        "申请人甲",
    ):
        assert personal not in page, personal
    wrong = client.post("/approvals/lookup", {"number": application.number, "code": "AAAA-BBBB"})
    assert wrong.status_code == 404
    assert item.name not in wrong.get_data(as_text=True)


@pytest.mark.parametrize(
    "app_config", [{"RATELIMIT_ENABLED": True, "RATELIMIT_APPROVALS_LOOKUP": "3 per minute"}]
)
def test_the_lookup_is_rate_limited(client, applicant, item, app_config):
    statuses = [
        client.post("/approvals/lookup", {"number": "SP20261203-0001", "code": "X"}).status_code
        for _ in range(5)
    ]
    assert statuses == [404, 404, 404, 429, 429]


def test_the_verify_page(client, applicant, item, acceptor):
    application, _code = submit(applicant, item)
    officer_services.request_correction(application, acceptor, [{"field": "phone", "reason": "错"}])
    db.session.commit()
    receipt, correction = db.session.scalars(sa.select(IssuedDocument).order_by(IssuedDocument.id))
    page = client.get(f"/approvals/verify/{receipt.verification_code}")
    assert page.status_code == 200
    text = page.get_data(as_text=True)
    assert DocumentKind.RECEIPT.label in text and receipt.number in text and item.name in text
    assert "临江市生态环境局" in text and "Yes: this is the current document" in text
    for personal in ("张三", "3301", applicant.email, VALUES["phone"], VALUES["company"]):
        assert personal not in text
    # Typed loosely (lower case, spaces): the form normalises it.
    typed = receipt.verification_code.lower().replace("-", " ")
    response = client.get("/approvals/verify", query_string={"code": typed})
    assert response.status_code == 302
    assert response.headers["Location"].endswith(f"/approvals/verify/{receipt.verification_code}")
    assert client.get("/approvals/verify/AAAA-BBBB-CCCC").status_code == 404
    # A second correction notice supersedes the first.
    from approvals import services

    services.resubmit(application, applicant, {"phone": "13900000000"}, {})
    officer_services.request_correction(
        application, acceptor, [{"field": "phone", "reason": "仍错"}]
    )
    db.session.commit()
    old = client.get(f"/approvals/verify/{correction.verification_code}").get_data(as_text=True)
    assert "superseded" in old


def test_my_applications_run_constant_sql(client, applicant, item, count_queries):
    from approvals.views import PER_PAGE
    from tests.disclosure.factories import make_department

    # Every other copy is another department's: a lazy load of each row's department would show.
    other_id = make_department("lj-fgw", "临江市发展和改革委员会").id
    db.session.commit()
    client.login(applicant.email)
    original_id = submit(applicant, item)[0].id
    made, counts = 1, {}
    for size in (1, 10, 60):
        for application in copies(db.session.get(Application, original_id), size - made)[::2]:
            application.department_id = other_id
        db.session.commit()
        made = size
        client.get("/approvals/mine")
        db.session.expunge_all()  # the test's session outlives the requests: start afresh
        with count_queries() as counter:
            page = client.get("/approvals/mine").get_data(as_text=True)
        counts[size] = counter.count
        assert page.count("<code>SP") == min(size, PER_PAGE)
    link = re.search(r'href="([^"]+)" rel="next"', page)[1].replace("&amp;", "&")
    assert "before=" in link
    db.session.expunge_all()
    with count_queries() as counter:
        later = client.get(link).get_data(as_text=True)
    counts["next page"] = counter.count
    assert later.count("<code>SP") == PER_PAGE
    assert len(set(counts.values())) == 1, counts


def test_a_task_file_is_for_officers_only(client, applicant, item, acceptor, reviewer):
    from approvals.application_models import ApplicationMaterial
    from approvals.materials import Incoming

    application, _code = submit(applicant, item)
    officer_services.accept(application, acceptor)
    review.record_opinion(
        application, reviewer, "agree", "同意", files=[Incoming("现场核查.pdf", PDF)]
    )
    db.session.commit()
    row = db.session.scalar(
        sa.select(ApplicationMaterial).where(ApplicationMaterial.task_id.is_not(None))
    )
    url = f"/approvals/applications/{application.number}/files/{row.id}"
    client.login(reviewer.email)
    assert client.get(url).status_code == 200
    client.logout()
    client.login(applicant.email)
    assert client.get(url).status_code == 404
