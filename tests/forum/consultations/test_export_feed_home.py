"""The officials' CSV (Excel-safe: BOM, Chinese text, no formulas), the Atom feed of
consultations, and the open ones on the home page."""

from __future__ import annotations

import csv
import io
import xml.etree.ElementTree as ET
from datetime import timedelta

import sqlalchemy as sa

from forum.consultations import report, services
from forum.consultations.export import neutralise
from forum.consultations.models import Mark, Opinion, Stance
from portal.extensions import db
from tests.conftest import make_user
from tests.forum.consultations.conftest import CLOSES, OPENS, open_on

ATOM = "{http://www.w3.org/2005/Atom}"


def test_the_csv_opens_in_excel_with_chinese_text_and_no_formulas(
    clock, client, consultation, citizen, admin, unheld
):
    clock.at(OPENS)
    attacker = make_user("eve@example.com", name='=HYPERLINK("http://evil")')
    services.post_opinion(
        consultation, citizen, "建议**缩短**办理时限", Stance.SUGGESTION, "time_limit"
    )
    services.post_opinion(consultation, attacker, "=1+2", Stance.OPPOSE)
    services.post_opinion(consultation, citizen, "-2 楼说得不对", None)
    db.session.commit()
    clock.at(CLOSES)
    first = db.session.scalar(sa.select(Opinion).where(Opinion.stance == Stance.SUGGESTION))
    report.mark_opinions(consultation, admin, [first.post_id], Mark.ADOPTED, "采纳")
    db.session.commit()

    client.login(admin.email)
    response = client.get(f"/forum/consultations/{consultation.id}/opinions.csv")
    assert response.status_code == 200
    assert response.headers["Content-Type"] == "text/csv; charset=utf-8"
    disposition = response.headers["Content-Disposition"]
    assert disposition.startswith("attachment;") and "filename*=UTF-8''" in disposition
    assert response.data.startswith(b"\xef\xbb\xbf")
    rows = list(csv.reader(io.StringIO(response.data.decode("utf-8-sig"))))
    assert rows[0] == ["Floor", "Author", "Stance", "About", "Text", "Adoption mark"]
    assert rows[1] == ["2", "市民甲", "Suggestion", "Time limit", "建议缩短办理时限", "Adopted"]
    assert rows[2] == ["3", '\'=HYPERLINK("http://evil")', "Oppose", "", "'=1+2", ""]
    assert rows[3] == ["4", "市民甲", "", "", "'-2 楼说得不对", ""]


def test_neutralise_covers_every_formula_start():
    for start in "=+-@\t\r":
        assert neutralise(f"{start}SUM(A1)") == f"'{start}SUM(A1)"
    assert neutralise("正常文本") == "正常文本"


def test_the_feed_lists_consultations_with_their_state(clock, client, item, admin, english):
    open_on(item, admin, title="第一次征集")
    later = open_on(item, admin, opens=OPENS + timedelta(days=1), title="第二次征集")
    response = client.get("/forum/consultations/feed.atom")
    assert response.status_code == 200
    assert response.headers["Content-Type"] == "application/atom+xml; charset=utf-8"
    root = ET.fromstring(response.data)  # noqa: S314 - our own output
    entries = root.findall(f"{ATOM}entry")
    titles = [entry.findtext(f"{ATOM}title") for entry in entries]
    assert titles == ["第二次征集 (Upcoming)", "第一次征集 (Upcoming)"]
    link = entries[0].find(f"{ATOM}link").get("href")
    assert link == f"http://kaimen.test/forum/t/{later.thread_id}"
    assert "请阅读环评报告简本" in entries[0].findtext(f"{ATOM}content")


def test_the_home_page_shows_the_open_consultations_only(clock, client, item, admin):
    open_on(item, admin, title="正在征集的事项")
    open_on(item, admin, opens=OPENS + timedelta(days=3), title="以后才开始的事项")
    assert "正在征集的事项" not in client.get("/").get_data(as_text=True)  # not open yet
    clock.at(OPENS)
    page = client.get("/").get_data(as_text=True)
    assert "Open consultations" in page
    assert "正在征集的事项" in page and "以后才开始的事项" not in page
    clock.at(CLOSES)
    assert "正在征集的事项" not in client.get("/").get_data(as_text=True)


def test_the_list_filters_by_state_and_pages_by_key(clock, client, item, admin, count_queries):
    for number in range(23):
        open_on(item, admin, opens=OPENS + timedelta(minutes=number), title=f"征集{number:02d}")
    clock.at(OPENS + timedelta(minutes=10, seconds=30))
    with count_queries() as counter:
        page = client.get("/forum/consultations/?state=open").get_data(as_text=True)
    assert counter.count <= 6
    assert "征集10" in page and "征集00" in page and "征集11" not in page
    upcoming = client.get("/forum/consultations/?state=upcoming").get_data(as_text=True)
    assert "征集11" in upcoming and "征集10" not in upcoming
    first = client.get("/forum/consultations/").get_data(as_text=True)
    assert "征集22" in first and "征集02" not in first
    after = first.split('rel="next"')[0].rsplit('href="', 1)[1].split('"')[0].replace("&amp;", "&")
    second = client.get(after).get_data(as_text=True)
    assert "征集02" in second and "征集00" in second and "征集22" not in second
