"""The officers' side on the web: the queue (by due date, overdue marked, constant SQL), the
actions on the application's page, and who may take them (403 off the step's position)."""

from __future__ import annotations

from datetime import date

import sqlalchemy as sa

from approvals.application_models import Application, ApplicationStatus, Result
from approvals.procedure_models import IssuedDocument
from portal.extensions import db
from tests.approvals.application_world import *  # noqa: F403
from tests.approvals.application_world import at, submit

S = ApplicationStatus


def test_the_queue_lists_my_open_tasks_by_due_date(client, applicant, item, acceptor, reviewer):
    with at(date(2026, 12, 1)):
        older, _ = submit(applicant, item)
    with at(date(2026, 12, 3)):
        newer, _ = submit(applicant, item)
    client.login(acceptor.email)
    with at(date(2026, 12, 10)):
        page = client.get("/approvals/queue").get_data(as_text=True)
    assert page.index(older.number) < page.index(newer.number)
    assert "overdue" in page  # 12/1 + 5 working days = 12/8
    client.logout()
    client.login(reviewer.email)
    page = client.get("/approvals/queue").get_data(as_text=True)
    assert older.number not in page  # the review position has nothing yet


def test_the_queue_needs_a_position(client, applicant):
    client.login(applicant.email)
    assert client.get("/approvals/queue").status_code == 403


def test_the_queue_runs_constant_sql(client, applicant, item, acceptor, count_queries):
    submit(applicant, item)
    client.login(acceptor.email)
    client.get("/approvals/queue")
    with count_queries() as few:
        client.get("/approvals/queue")
    for _ in range(5):
        submit(applicant, item)
    with count_queries() as many:
        page = client.get("/approvals/queue").get_data(as_text=True)
    assert page.count("<code>SP") == 6
    assert many.count == few.count


def test_the_procedure_through_the_web(client, applicant, item, acceptor, reviewer, decider):
    application, _code = submit(applicant, item)
    url = f"/approvals/applications/{application.number}"
    # The review position has no task of this application yet: it does not see it.
    client.login(reviewer.email)
    assert client.get(url).status_code == 404
    assert client.post(f"{url}/note", {"body": "看一下"}).status_code == 404
    client.logout()
    client.login(acceptor.email)
    page = client.get(url).get_data(as_text=True)
    assert "Accept (受理)" in page and "Send the correction notice" in page
    response = client.post(
        f"{url}/request-correction", {"c_field_phone": "1", "r_field_phone": "号码错误"}
    )
    assert response.status_code == 302
    assert db.session.get(Application, application.id).status == S.CORRECTION_REQUESTED
    from approvals import services

    services.resubmit(
        db.session.get(Application, application.id), applicant, {"phone": "13900000000"}
    )
    db.session.commit()
    assert client.post(f"{url}/accept").status_code == 302
    # The acceptance position still sees the file, but the review step is not its to act on.
    assert client.post(f"{url}/opinion", {"opinion": "agree", "text": "x"}).status_code == 403
    client.logout()
    client.login(decider.email)
    # The decision position has no task yet: the application is not shown to it.
    assert client.post(f"{url}/decide", {"result": "approved"}).status_code == 404
    client.logout()
    client.login(reviewer.email)
    wrong = client.post(f"{url}/accept")  # the review step's task, the acceptance's action
    assert wrong.status_code == 400 and "does not belong" in wrong.get_data(as_text=True)
    assert client.post(f"{url}/opinion", {"opinion": "agree", "text": ""}).status_code == 400
    assert client.post(f"{url}/opinion", {"opinion": "agree", "text": "同意"}).status_code == 302
    client.logout()
    client.login(decider.email)
    response = client.post(
        f"{url}/decide",
        {"result": "approved", "reasons": "符合条件", "legal_basis": "《环境保护法》第四十五条"},
    )
    assert response.status_code == 302
    client.logout()
    client.login(acceptor.email)
    assert client.post(f"{url}/deliver", {"method": "电子送达"}).status_code == 302
    done = db.session.get(Application, application.id)
    assert done.status == S.DELIVERED and done.result == Result.APPROVED
    kinds = [
        d.kind.value
        for d in db.session.scalars(sa.select(IssuedDocument).order_by(IssuedDocument.id))
    ]
    assert kinds == ["receipt", "correction", "acceptance", "approval", "delivery"]
    letter = db.session.scalar(sa.select(IssuedDocument).where(IssuedDocument.kind == "approval"))
    client.logout()
    verify = client.get(f"/approvals/verify/{letter.verification_code}")
    assert verify.status_code == 200 and letter.number in verify.get_data(as_text=True)


def test_suspend_extend_and_note_through_the_web(client, applicant, item, acceptor, supervisor):
    application, _code = submit(applicant, item)
    url = f"/approvals/applications/{application.number}"
    client.login(acceptor.email)
    client.post(f"{url}/accept")
    assert client.post(f"{url}/note", {"body": "内部"}).status_code == 302
    assert client.post(f"{url}/extend", {"days": "3", "reason": "复杂"}).status_code == 403
    client.logout()
    client.login(supervisor.email)
    assert client.post(f"{url}/extend", {"days": "3", "reason": "复杂"}).status_code == 302
    assert client.post(f"{url}/extend", {"days": "8", "reason": "再延"}).status_code == 400
    assert client.post(f"{url}/suspend", {"kind": "hearing", "reason": "听证"}).status_code == 302
    assert db.session.get(Application, application.id).status == S.SUSPENDED
    assert client.post(f"{url}/resume").status_code == 302
    assert db.session.get(Application, application.id).extension_days == 3


def test_the_department_page_is_for_its_supervisors(
    client, applicant, item, supervisor, acceptor, department
):
    with at(date(2026, 12, 1)):
        application, _code = submit(applicant, item)
    client.login(supervisor.email)
    with at(date(2026, 12, 10)):
        page = client.get(f"/approvals/department/{department.code}?overdue=1")
    assert page.status_code == 200 and application.number in page.get_data(as_text=True)
    client.logout()
    client.login(acceptor.email)
    assert client.get(f"/approvals/department/{department.code}").status_code == 403


def test_the_queue_is_keyset_paged(client, applicant, item, acceptor, monkeypatch):
    from approvals import officer_views

    monkeypatch.setattr(officer_views, "QUEUE_PAGE", 2)
    numbers = []
    for day in (date(2026, 12, 1), date(2026, 12, 2), date(2026, 12, 3)):
        with at(day):
            numbers.append(submit(applicant, item)[0].number)
    client.login(acceptor.email)
    first = client.get("/approvals/queue").get_data(as_text=True)
    assert numbers[0] in first and numbers[1] in first and numbers[2] not in first
    link = first.split('rel="next" href="')[1].split('"')[0].replace("&amp;", "&")
    second = client.get(link).get_data(as_text=True)
    assert numbers[2] in second and numbers[0] not in second
    assert 'rel="next"' not in second


def test_every_stage_of_the_page_renders_for_its_officer(
    client, applicant, item, acceptor, reviewer, decider, supervisor
):
    from approvals import officer_services, review

    application, _code = submit(applicant, item)
    url = f"/approvals/applications/{application.number}"

    def page(user):
        client.login(user.email)
        response = client.get(url)
        client.logout()
        assert response.status_code == 200
        return response.get_data(as_text=True)

    officer_services.accept(application, acceptor)
    db.session.commit()
    assert "Record the opinion" in page(reviewer)
    assert "Extend the time limit" in page(supervisor)
    review.suspend(application, reviewer, "testing", "检测")
    db.session.commit()
    assert "Resume" in page(reviewer)
    review.resume(application, reviewer)
    review.record_opinion(application, reviewer, "agree", "同意")
    db.session.commit()
    assert "Record the decision" in page(decider)
    review.decide(application, decider, "refused", "不符合", "依据")
    db.session.commit()
    assert "Record the delivery" in page(acceptor)
    review.deliver(application, acceptor, "邮寄")
    db.session.commit()
    assert "Decision to refuse" in page(applicant)
