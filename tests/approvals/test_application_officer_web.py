"""The officers' side on the web: the queue (by due date, overdue marked, constant SQL), the
actions on the application's page, and who may take them (403 off the step's position)."""

from __future__ import annotations

from datetime import date

import sqlalchemy as sa

from approvals.application_models import Application, ApplicationStatus, Result
from approvals.procedure_models import IssuedDocument
from portal.extensions import db
from tests.approvals.application_world import *  # noqa: F403
from tests.approvals.application_world import at, copies, submit

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


SIZES = (1, 10, 60)  # 60: more than a page (25 tasks, 50 applications): the cursor too


def _statements(client, count_queries, url: str) -> tuple[int, str]:
    client.get(url)  # warm: the first request of a client loads what every page does
    # The test's app context (and session) outlives the requests: forget what it has loaded, so
    # that a lazy load per row cannot be hidden by the identity map.
    db.session.expunge_all()
    with count_queries() as counter:
        response = client.get(url)
    assert response.status_code == 200
    return counter.count, response.get_data(as_text=True)


def _next_link(page: str) -> str | None:
    if 'rel="next" href="' not in page:
        return None
    return page.split('rel="next" href="')[1].split('"')[0].replace("&amp;", "&")


def _counts_by_size(client, count_queries, applicant, item, url, per_page, spread=None):
    """Statements of ``url`` at 1, 10 and 60 rows, and of its next page at 60 (by the cursor).
    ``spread(copies)`` may vary what the rows refer to, so that a lazy load per row shows."""
    original_id = submit(applicant, item)[0].id
    made, counts = 1, {}
    for size in SIZES:
        more = copies(db.session.get(Application, original_id), size - made)
        if spread is not None:
            spread(more)
        made = size
        counts[size], page = _statements(client, count_queries, url)
        assert page.count("<code>SP") == min(size, per_page)
    link = _next_link(page)
    assert link is not None and "after=" in link
    counts["next page"], later = _statements(client, count_queries, link)
    assert later.count("<code>SP") == min(60 - per_page, per_page)
    assert not set(_numbers(page)) & set(_numbers(later))
    return counts


def _numbers(page: str) -> list[str]:
    return [part.split("<")[0] for part in page.split("<code>")[1:] if part.startswith("SP")]


def test_the_queue_runs_constant_sql(client, applicant, item, acceptor, department, count_queries):
    from approvals.application_models import ApplicationTask
    from approvals.lists import QUEUE_PAGE

    # The acceptor deputises a second position, and every other copied task is there: a page
    # that loaded each row's position lazily would run one statement more for 10 rows than for 1.
    window = next(p for p in department.positions if p.code == "window")
    second = next(p for p in department.positions if p.code == "complaints")
    second.deputy = window.holder
    second_id = second.id
    db.session.commit()

    def spread(made):
        ids = [a.id for a in made[::2]]
        db.session.execute(
            sa.update(ApplicationTask)
            .where(ApplicationTask.application_id.in_(ids))
            .values(position_id=second_id)
        )
        db.session.commit()

    client.login(acceptor.email)
    url = "/approvals/queue"
    counts = _counts_by_size(client, count_queries, applicant, item, url, QUEUE_PAGE, spread)
    assert len(set(counts.values())) == 1, counts


def test_the_department_page_runs_constant_sql(
    client, applicant, item, supervisor, department, count_queries
):
    from approvals.lists import DEPARTMENT_PAGE

    client.login(supervisor.email)
    url = f"/approvals/department/{department.code}"
    counts = _counts_by_size(client, count_queries, applicant, item, url, DEPARTMENT_PAGE)
    assert len(set(counts.values())) == 1, counts


def test_the_department_page_is_keyset_paged(
    client, applicant, item, supervisor, department, monkeypatch
):
    from approvals import officer_views

    monkeypatch.setattr(officer_views, "DEPARTMENT_PAGE", 2)
    with at(date(2026, 12, 1)):
        first, _ = submit(applicant, item)
    copies(first, 4)  # due one day after the other
    client.login(supervisor.email)
    with at(date(2026, 12, 10)):  # the first is due 12/8, the copies 12/9 … 12/12
        url = f"/approvals/department/{department.code}?overdue=1"
        pages = []
        while url:
            page = client.get(url).get_data(as_text=True)
            pages.append(_numbers(page))
            url = _next_link(page)
            assert url is None or "overdue=1" in url
    assert pages == [[first.number, f"{first.number}c001"]]  # due before 12/10: two, one page
    client.logout()
    client.login(supervisor.email)
    url, seen = f"/approvals/department/{department.code}", []
    while url:
        page = client.get(url).get_data(as_text=True)
        seen.append(_numbers(page))
        url = _next_link(page)
    assert [len(p) for p in seen] == [2, 2, 1]
    assert [n for p in seen for n in p] == [first.number] + [
        f"{first.number}c{n:03d}" for n in range(1, 5)
    ]


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
