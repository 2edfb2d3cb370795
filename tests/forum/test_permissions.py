"""The forum's permission predicates, as pure functions of the user and the post."""

from __future__ import annotations

from types import SimpleNamespace

import pytest

from forum.permissions import can_edit, can_post


def person(user_id=1, *, authenticated=True, active=True, verified=True):
    return SimpleNamespace(
        id=user_id, is_authenticated=authenticated, is_active=active, is_verified=verified
    )


@pytest.mark.parametrize(
    ("user", "allowed"),
    [
        (None, False),
        (person(authenticated=False), False),
        (person(verified=False), False),
        (person(active=False), False),
        (person(), True),
    ],
)
def test_who_may_post(user, allowed):
    assert can_post(user) is allowed


def test_only_the_author_may_edit():
    post = SimpleNamespace(author_id=1)
    assert can_edit(person(1), post)
    assert not can_edit(person(2), post)
    assert not can_edit(person(1, verified=False), post)
