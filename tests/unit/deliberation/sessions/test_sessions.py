"""Live sessions: opening one on a meeting, pausing, resuming and closing it, finding it by
its code, and joining — a guest by nickname, a member as themselves, the same device again."""

from __future__ import annotations

import pytest
from sqlmodel import func, select

from deliberation.sessions import sessions
from deliberation.sessions.models import LiveParticipant, LiveSession, LiveSessionStatus
from forum.errors import Conflict, Forbidden, InvalidInput, RateLimited, StaleEdit
from forum.models import AuditEvent, LoginAttempt, MeetingStatus, Role
from forum.policy import ANONYMOUS
from tests import factories


@pytest.fixture
def body(session):
    return factories.body(session)


@pytest.fixture
def meeting(session, body):
    return factories.meeting(session, body)


@pytest.fixture
def facilitator(session, body):
    return factories.actor(session, factories.member(session, body, Role.facilitator))


@pytest.fixture
def live(session, facilitator, meeting):
    return sessions.open_session(session, facilitator, meeting_id=meeting.id, prompt="ชุมชนควรประหยัดพลังงานอย่างไร")


def count(session, model) -> int:
    return session.exec(select(func.count()).select_from(model)).one()


def test_facilitator_opens_a_session_with_a_six_digit_code(session, live, meeting):
    assert live.meeting_id == meeting.id and live.status == LiveSessionStatus.open
    assert live.code.isdigit() and len(live.code) == 6
    assert session.exec(select(AuditEvent).where(AuditEvent.action == "deliberation.live_session.open")).first()


@pytest.mark.parametrize("role", [Role.chair, Role.vice_chair, Role.secretary, Role.facilitator])
def test_officers_and_facilitators_may_open(session, body, meeting, role):
    actor = factories.actor(session, factories.member(session, body, role))
    assert sessions.open_session(session, actor, meeting_id=meeting.id, prompt="คำถาม").id


@pytest.mark.parametrize("role", [Role.member, Role.observer])
def test_a_plain_member_may_not_open(session, body, meeting, role):
    actor = factories.actor(session, factories.member(session, body, role))
    with pytest.raises(Forbidden):
        sessions.open_session(session, actor, meeting_id=meeting.id, prompt="คำถาม")
    assert count(session, LiveSession) == 0


@pytest.mark.parametrize("prompt", ["", "   ", "ก" * 301])
def test_an_empty_or_long_prompt_is_refused(session, facilitator, meeting, prompt):
    with pytest.raises(InvalidInput) as error:
        sessions.open_session(session, facilitator, meeting_id=meeting.id, prompt=prompt)
    assert "prompt" in error.value.fields
    assert count(session, LiveSession) == 0


def test_an_item_of_another_meeting_is_refused(session, body, facilitator, meeting):
    other = factories.agenda_item(session, factories.meeting(session, body))
    with pytest.raises(InvalidInput):
        sessions.open_session(session, facilitator, meeting_id=meeting.id, prompt="คำถาม", item_id=other.id)
    item = factories.agenda_item(session, meeting)
    assert sessions.open_session(session, facilitator, meeting_id=meeting.id, prompt="คำถาม", item_id=item.id).item_id == item.id


def test_no_session_on_a_closed_meeting(session, facilitator, meeting):
    meeting.status = MeetingStatus.closed
    session.add(meeting)
    session.commit()
    with pytest.raises(Conflict):
        sessions.open_session(session, facilitator, meeting_id=meeting.id, prompt="คำถาม")


def test_pause_resume_close(session, facilitator, live):
    assert sessions.change_session_status(session, facilitator, session_id=live.id, to="pause").status == "paused"
    assert sessions.change_session_status(session, facilitator, session_id=live.id, to="pause").status == "paused"
    assert sessions.change_session_status(session, facilitator, session_id=live.id, to="resume").status == "open"
    closed = sessions.change_session_status(session, facilitator, session_id=live.id, to="close")
    assert closed.status == "closed" and closed.closed_at is not None
    with pytest.raises(Conflict):
        sessions.change_session_status(session, facilitator, session_id=live.id, to="resume")


def test_bad_moves_change_nothing(session, facilitator, live, body):
    with pytest.raises(InvalidInput):
        sessions.change_session_status(session, facilitator, session_id=live.id, to="explode")
    with pytest.raises(StaleEdit):
        sessions.change_session_status(session, facilitator, session_id=live.id, to="pause", version=99)
    member = factories.actor(session, factories.member(session, body, Role.member))
    with pytest.raises(Forbidden):
        sessions.change_session_status(session, member, session_id=live.id, to="close")
    assert session.get(LiveSession, live.id).status == "open"


def test_a_guest_joins_with_nickname_and_consent(session, live):
    participant, token = sessions.join_session(session, ANONYMOUS, code=live.code, nickname="  ป้าแดง ", consent=True, client_ip="1.2.3.4")
    assert participant.nickname == "ป้าแดง" and participant.person_id is None
    assert participant.token_hash == sessions.hash_token(token) and token not in participant.token_hash
    again, same = sessions.join_session(session, ANONYMOUS, code=live.code, token=token, client_ip="1.2.3.4")
    assert again.id == participant.id and same == token
    assert sessions.participant_for_token(session, session_id=live.id, token=token).id == participant.id


def test_a_member_joins_as_themselves_once(session, live, body):
    person = factories.member(session, body, Role.member)
    actor = factories.actor(session, person)
    first, token = sessions.join_session(session, actor, code=live.code, consent=True)
    assert first.person_id == person.id and first.nickname == person.display_name
    second, other_token = sessions.join_session(session, actor, code=live.code, consent=True)  # another phone
    assert second.id == first.id and other_token != token
    assert count(session, LiveParticipant) == 1


@pytest.mark.parametrize(
    ("nickname", "consent", "field"),
    [("", True, "nickname"), ("ก" * 61, True, "nickname"), ("ป้าแดง", False, "consent")],
)
def test_a_join_without_nickname_or_consent_is_refused(session, live, nickname, consent, field):
    with pytest.raises(InvalidInput) as error:
        sessions.join_session(session, ANONYMOUS, code=live.code, nickname=nickname, consent=consent)
    assert field in error.value.fields
    assert count(session, LiveParticipant) == 0


@pytest.mark.parametrize("code", ["", "12345", "abcdef", "1234567", "000000"])
def test_a_wrong_code_is_refused_and_counted(session, live, code):
    if code == "000000" and live.code == code:
        pytest.skip("the random code happened to be 000000")
    with pytest.raises(InvalidInput) as error:
        sessions.join_session(session, ANONYMOUS, code=code, nickname="ก", consent=True, client_ip="9.9.9.9")
    assert "code" in error.value.fields
    assert count(session, LoginAttempt) == 1 and count(session, LiveParticipant) == 0


def test_guessing_codes_is_rate_limited(session, live):
    for _ in range(sessions.WRONG_CODES_PER_15_MIN):
        session.add(LoginAttempt(key="live-code:9.9.9.9"))
    session.commit()
    with pytest.raises(RateLimited) as error:
        sessions.find_session(session, code=live.code, client_ip="9.9.9.9")
    assert "wrong codes" in error.value.message
    assert sessions.find_session(session, code=live.code, client_ip="8.8.8.8").id == live.id


def test_a_joined_device_acts_without_the_guessing_check(session, facilitator, meeting, live):
    """A hall shares one address: its participants' ideas and votes must not each count
    the address's wrong codes. A device token of the code's own session proves the code
    is known; any other token, or none, goes through the guessing check as typed codes do."""
    participant, token = sessions.join_session(session, ANONYMOUS, code=live.code, nickname="ป้าแดง", consent=True, client_ip="9.9.9.9")
    for _ in range(sessions.WRONG_CODES_PER_15_MIN):
        session.add(LoginAttempt(key="live-code:9.9.9.9"))
    session.commit()
    view, found = sessions.participant_in(session, code=live.code, token=token, client_ip="9.9.9.9")
    assert view.id == live.id and found.id == participant.id
    other = sessions.open_session(session, facilitator, meeting_id=meeting.id, prompt="อีกเวที")
    for code, device in ((other.code, token), (live.code, None), (live.code, "not-a-token")):
        with pytest.raises(RateLimited):  # a token of another session proves nothing
            sessions.participant_in(session, code=code, token=device, client_ip="9.9.9.9")
    view, nobody = sessions.participant_in(session, code=other.code, token=token, client_ip="8.8.8.8")
    assert view.id == other.id and nobody is None
    with pytest.raises(InvalidInput):
        sessions.participant_in(session, code="000000" if live.code != "000000" else "111111", token=token, client_ip="8.8.8.8")
    assert session.exec(select(func.count()).where(LoginAttempt.key == "live-code:8.8.8.8")).one() == 1


def test_a_hall_behind_one_address_all_joins(session, live):
    """Issue 11, part 7: 2,000 phones share the venue's Wi-Fi address. Joining a known open
    session is not limited per address (only wrong codes are): more than the old 600-a-10-
    minutes limit get in, each device one participant."""
    tokens = set()
    for number in range(700):
        participant, token = sessions.join_session(session, ANONYMOUS, code=live.code, nickname=f"ผู้ร่วม {number}", consent=True, client_ip="5.5.5.5")
        tokens.add(token)
    assert count(session, LiveParticipant) == 700 and len(tokens) == 700
    again, same = sessions.join_session(session, ANONYMOUS, code=live.code, nickname="อีกชื่อ", consent=True, token=token, client_ip="5.5.5.5")
    assert same == token and count(session, LiveParticipant) == 700  # a device joins once


def test_a_facilitator_sees_a_blocked_address_and_lets_it_join_again(session, facilitator, live):
    for _ in range(sessions.WRONG_CODES_PER_15_MIN):
        session.add(LoginAttempt(key="live-code:5.5.5.5"))
    for _ in range(sessions.WRONG_CODES_PER_15_MIN - 1):
        session.add(LoginAttempt(key="live-code:6.6.6.6"))  # not yet blocked
    session.commit()
    assert [blocked.address for blocked in sessions.blocked_addresses(session)] == ["5.5.5.5"]
    with pytest.raises(RateLimited):
        sessions.join_session(session, ANONYMOUS, code=live.code, nickname="ก", consent=True, client_ip="5.5.5.5")
    with pytest.raises(Forbidden):
        sessions.lift_block(session, ANONYMOUS, session_id=live.id, address="5.5.5.5")
    for wrong in ("", "6.6.6.6", "'; drop table liveframe; --"):
        with pytest.raises(InvalidInput):
            sessions.lift_block(session, facilitator, session_id=live.id, address=wrong)
    sessions.lift_block(session, facilitator, session_id=live.id, address="5.5.5.5")
    assert sessions.blocked_addresses(session) == []
    assert sessions.join_session(session, ANONYMOUS, code=live.code, nickname="ก", consent=True, client_ip="5.5.5.5")[0].id
    logged = session.exec(select(AuditEvent).where(AuditEvent.action == "deliberation.live_session.unblock")).one()
    assert logged.after == {"address": "5.5.5.5"} and logged.actor_id == facilitator.person_id


def test_nobody_joins_a_closed_session_but_it_is_still_found(session, facilitator, live):
    participant, token = sessions.join_session(session, ANONYMOUS, code=live.code, nickname="ก", consent=True)
    sessions.change_session_status(session, facilitator, session_id=live.id, to="close")
    with pytest.raises(Conflict):
        sessions.join_session(session, ANONYMOUS, code=live.code, nickname="ข", consent=True)
    assert sessions.find_session(session, code=live.code).id == live.id
    assert sessions.join_session(session, ANONYMOUS, code=live.code, token=token)[0].id == participant.id


def test_public_name_is_the_nickname_unless_chosen(session, live, body):
    person = factories.member(session, body, Role.member)
    actor = factories.actor(session, person)
    participant, _ = sessions.join_session(session, actor, code=live.code, nickname="นักคิด", consent=True)
    assert sessions.public_name(participant, person.display_name) == "นักคิด"
    participant.show_account_name = True
    assert sessions.public_name(participant, person.display_name) == person.display_name
    guest, _ = sessions.join_session(session, ANONYMOUS, code=live.code, nickname="ก", consent=True, show_account_name=True)
    assert guest.show_account_name is False
