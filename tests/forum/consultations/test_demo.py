"""``kaimen demo`` brings one upcoming, one open (30+ opinions of every stance) and one concluded
consultation with a published report, on major items; running it again adds nothing."""

from __future__ import annotations

import sqlalchemy as sa

from forum.consultations.models import Consultation, ReportVersion, Stance, State
from portal.extensions import db


def test_the_demo_has_a_consultation_in_each_state(app, runner):
    result = runner.invoke(args=["demo", "--password", "demo password 123"])
    assert result.exit_code == 0, result.output
    consultations = db.session.scalars(sa.select(Consultation)).all()
    by_state = {c.state: c for c in consultations}
    assert set(by_state) == {State.UPCOMING, State.OPEN, State.CONCLUDED}
    assert all(c.item.is_major and c.item.is_published for c in consultations)
    open_one = by_state[State.OPEN]
    assert open_one.opinion_count >= 30
    assert all(open_one.count_of(stance) >= 5 for stance in Stance)
    concluded = by_state[State.CONCLUDED]
    assert concluded.response_html
    assert (
        db.session.scalar(
            sa.select(ReportVersion.version).where(ReportVersion.consultation_id == concluded.id)
        )
        == 1
    )

    again = runner.invoke(args=["demo", "--password", "demo password 123"])
    assert again.exit_code == 0, again.output
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Consultation)) == 3
