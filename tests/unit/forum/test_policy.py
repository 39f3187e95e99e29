"""The permission rules, decided in one place."""

from __future__ import annotations

import pytest

from forum import policy
from forum import rules as _rules  # noqa: F401
from forum.errors import Forbidden, NotLoggedIn
from forum.models import Body, Meeting, Person, Role
from forum.policy import ANONYMOUS, Actor

BODY = Body(id=1, kind="working_group", name="คณะทำงานภาคเหนือ")
OTHER_BODY = Body(id=2, kind="committee", name="คณะกรรมการ")
MEETING = Meeting(id=10, body_id=1, year_be=2569, number=1, starts_at=None, ends_at=None, checkin_code="123456")


def actor(role: Role | None = None, *, admin: bool = False, person_id: int = 7) -> Actor:
    return Actor(person_id=person_id, is_admin=admin, roles={1: role} if role else {})


@pytest.mark.parametrize(
    ("who", "action", "target", "allowed"),
    [
        (ANONYMOUS, "forum.meeting.view", MEETING, False),
        (actor(), "forum.meeting.view", MEETING, True),
        (actor(Role.member), "forum.meeting.create", BODY, False),
        (actor(Role.secretary), "forum.meeting.create", BODY, True),
        (actor(Role.chair), "forum.meeting.create", BODY, True),
        (actor(Role.secretary), "forum.meeting.create", OTHER_BODY, False),
        (actor(admin=True), "forum.meeting.create", OTHER_BODY, True),
        (actor(Role.facilitator), "forum.meeting.manage_attendance", MEETING, True),
        (actor(Role.observer), "forum.meeting.manage_attendance", MEETING, False),
        (actor(Role.member), "forum.meeting.join_online", MEETING, True),
        (actor(), "forum.meeting.join_online", MEETING, False),
        (actor(Role.secretary), "forum.membership.manage", BODY, True),
        (actor(Role.vice_chair), "forum.membership.manage", BODY, False),
        (actor(Role.secretary), "forum.invitation.create", BODY, True),
        (actor(Role.secretary), "forum.invitation.create", None, False),
        (actor(admin=True), "forum.invitation.create", None, True),
        (actor(Role.member), "forum.audit.view", None, False),
        (actor(admin=True), "forum.audit.view", None, True),
        (actor(person_id=7), "forum.person.edit", Person(id=7, display_name="x"), True),
        (actor(person_id=7), "forum.person.edit", Person(id=8, display_name="y"), False),
        (actor(Role.secretary), "forum.organisation.create", None, True),
        (actor(Role.member), "forum.organisation.create", None, False),
    ],
)
def test_rule_decides(who, action, target, allowed):
    assert policy.can(who, action, target) is allowed


def test_require_tells_anonymous_to_log_in_and_members_they_may_not():
    with pytest.raises(NotLoggedIn):
        policy.require(ANONYMOUS, "forum.audit.view")
    with pytest.raises(Forbidden) as raised:
        policy.require(actor(Role.member), "forum.audit.view")
    assert not isinstance(raised.value, NotLoggedIn)
    assert raised.value.action == "forum.audit.view"


def test_registering_an_action_twice_is_refused():
    with pytest.raises(ValueError, match="twice"):
        policy.rule("forum.audit.view")(lambda a, t: True)
