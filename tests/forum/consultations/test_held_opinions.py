"""A new account's first opinion waits for a moderator (forum.trust): it counts in the stance
chart, and must be marked, only once approved; a rejected one never counts."""

from __future__ import annotations

import pytest

from forum import held
from forum.consultations import report, services
from forum.consultations.models import Stance
from portal.extensions import db
from tests.conftest import make_user
from tests.forum.consultations.conftest import CLOSES, OPENS


@pytest.fixture
def new_account_limits():
    """The trust rules apply here (tests/forum/conftest.py waives them elsewhere)."""
    yield


def test_a_held_opinion_counts_once_approved(clock, client, consultation, admin, english):
    clock.at(OPENS)
    newcomer = make_user("new@example.com", name="新人")
    other = make_user("other@example.com", name="另一个新人")
    first = services.post_opinion(consultation, newcomer, "我的第一条意见", Stance.OPPOSE)
    rejected = services.post_opinion(consultation, other, "广告", Stance.SUPPORT)
    db.session.commit()
    assert first.held_at is not None and rejected.held_at is not None
    assert consultation.opinion_count == 0

    page = client.get(f"/forum/t/{consultation.thread_id}").get_data(as_text=True)
    assert "stance-oppose" not in page  # nothing of a held post shows to the public

    held.approve_post(first, admin)
    held.reject_post(rejected, admin, "广告")
    db.session.commit()
    assert (consultation.oppose_count, consultation.support_count) == (1, 0)

    clock.at(CLOSES)
    assert report.unmarked_count(consultation) == 1  # the rejected one needs no mark
