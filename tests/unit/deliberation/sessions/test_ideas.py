"""Ideas in a live session: sending (limit, idempotency key, pre-moderation, rate limit),
upvoting once and withdrawing, the order shown, and the facilitator's moderation."""

from __future__ import annotations

import itertools

import pytest
from sqlmodel import func, select

from deliberation.sessions import ideas, sessions
from deliberation.sessions.models import IdeaStatus, LiveIdea, LiveIdeaVote, LiveSession
from forum.errors import Conflict, Forbidden, InvalidInput, NotFound, RateLimited
from forum.models import AuditEvent, Role
from forum.policy import ANONYMOUS
from tests import factories

_keys = itertools.count(1)


def key() -> str:
    return f"key-{next(_keys):08d}"


@pytest.fixture
def body(session):
    return factories.body(session)


@pytest.fixture
def facilitator(session, body):
    return factories.actor(session, factories.member(session, body, Role.facilitator))


@pytest.fixture
def live(session, body, facilitator):
    meeting = factories.meeting(session, body)
    return sessions.open_session(session, facilitator, meeting_id=meeting.id, prompt="ทำอย่างไรให้ชุมชนใช้ไฟน้อยลง")


def join(session, live, nickname="ป้าแดง"):
    return sessions.join_session(session, ANONYMOUS, code=live.code, nickname=nickname, consent=True)[0]


@pytest.fixture
def guest(session, live):
    return join(session, live)


def submit(session, participant, text="ติดโซลาร์เซลล์ที่วัด", **extra):
    return ideas.submit_idea(session, participant, text=text, key=extra.pop("key", None) or key(), **extra)[0]


def count(session, model=LiveIdea) -> int:
    return session.exec(select(func.count()).select_from(model)).one()


def test_an_idea_is_shown_at_once_without_premoderation(session, guest):
    idea = submit(session, guest, category="พลังงานทดแทน")
    assert idea.status == IdeaStatus.shown and idea.category == "พลังงานทดแทน" and idea.votes == 0


def test_a_resent_idea_is_one_idea(session, guest):
    first, created = ideas.submit_idea(session, guest, text="ปิดไฟเมื่อไม่ใช้", key="same-key-123")
    again, created_again = ideas.submit_idea(session, guest, text="ปิดไฟเมื่อไม่ใช้", key="same-key-123")
    assert created and not created_again and again.id == first.id
    assert count(session) == 1


def test_with_premoderation_an_idea_waits(session, live, guest, facilitator):
    row = session.get(LiveSession, live.id)
    row.premoderation = True
    session.add(row)
    session.commit()
    idea = submit(session, guest)
    assert idea.status == IdeaStatus.pending
    assert ideas.list_ideas(session, session_id=live.id) == []
    ideas.moderate_idea(session, facilitator, idea_id=idea.id, action="approve")
    assert [row.id for row in ideas.list_ideas(session, session_id=live.id)] == [idea.id]


@pytest.mark.parametrize("text", ["", "   \n  ", "ก" * 281, None, 42])
def test_an_empty_or_oversized_idea_is_refused(session, guest, text):
    with pytest.raises(InvalidInput) as error:
        ideas.submit_idea(session, guest, text=text, key=key())
    assert "text" in error.value.fields
    assert count(session) == 0


def test_the_limit_is_the_sessions(session, live, guest):
    assert len(submit(session, guest, text="ก" * 280).text) == 280
    row = session.get(LiveSession, live.id)
    row.idea_limit = 10
    session.add(row)
    session.commit()
    with pytest.raises(InvalidInput) as error:
        submit(session, guest, text="ก" * 11)
    assert error.value.fields["text"].params == {"max_length": 10}


@pytest.mark.parametrize("bad_key", ["", "short", "has space in it", None, "x" * 65])
def test_a_missing_or_malformed_key_is_refused(session, guest, bad_key):
    with pytest.raises(InvalidInput):
        ideas.submit_idea(session, guest, text="ความคิด", key=bad_key)
    assert count(session) == 0


def test_script_bearing_text_is_kept_as_plain_text(session, guest):
    idea = submit(session, guest, text="<script>alert(1)</script> ใช้หลอด LED")
    assert idea.text == "<script>alert(1)</script> ใช้หลอด LED"  # escaped when shown


def test_a_long_category_is_refused(session, guest):
    with pytest.raises(InvalidInput) as error:
        submit(session, guest, category="ก" * 61)
    assert "category" in error.value.fields
    assert count(session) == 0


def test_an_idea_flood_is_rate_limited(session, guest):
    for _ in range(ideas.IDEAS_PER_MINUTE):
        submit(session, guest)
    with pytest.raises(RateLimited) as error:
        submit(session, guest)
    assert "quickly" in error.value.message
    assert count(session) == ideas.IDEAS_PER_MINUTE


@pytest.mark.parametrize(("to", "message"), [("pause", "paused"), ("close", "ended")])
def test_no_ideas_or_votes_while_paused_or_closed(session, live, guest, facilitator, to, message):
    idea = submit(session, guest)
    sessions.change_session_status(session, facilitator, session_id=live.id, to=to)
    with pytest.raises(Conflict) as error:
        submit(session, guest)
    assert message in error.value.message
    with pytest.raises(Conflict):
        ideas.vote_idea(session, guest, idea_id=idea.id)
    assert count(session) == 1 and count(session, LiveIdeaVote) == 0


def test_upvote_once_and_withdraw(session, live, guest):
    idea = submit(session, guest)
    other = join(session, live, "ลุงมี")
    assert ideas.vote_idea(session, other, idea_id=idea.id) == (idea, True) and idea.votes == 1
    assert ideas.vote_idea(session, other, idea_id=idea.id) == (idea, False) and idea.votes == 1
    assert ideas.vote_idea(session, guest, idea_id=idea.id)[0].votes == 2
    assert ideas.withdraw_vote(session, other, idea_id=idea.id) == (idea, True) and idea.votes == 1
    assert ideas.withdraw_vote(session, other, idea_id=idea.id) == (idea, False) and idea.votes == 1
    assert count(session, LiveIdeaVote) == 1


@pytest.mark.parametrize("action", ["hide", "merge"])
def test_no_vote_on_a_hidden_or_merged_idea(session, live, guest, facilitator, action):
    idea = submit(session, guest)
    keeper = submit(session, guest, text="อีกความคิด")
    if action == "hide":
        ideas.moderate_idea(session, facilitator, idea_id=idea.id, action="hide")
    else:
        ideas.merge_ideas(session, facilitator, idea_id=idea.id, into_id=keeper.id)
    with pytest.raises(Conflict):
        ideas.vote_idea(session, guest, idea_id=idea.id)
    assert count(session, LiveIdeaVote) == 0


def test_no_vote_on_another_sessions_idea(session, body, facilitator, guest):
    meeting = factories.meeting(session, body)
    elsewhere = sessions.open_session(session, facilitator, meeting_id=meeting.id, prompt="อื่น")
    idea = submit(session, join(session, elsewhere))
    with pytest.raises(NotFound):
        ideas.vote_idea(session, guest, idea_id=idea.id)
    with pytest.raises(NotFound):
        ideas.vote_idea(session, guest, idea_id=999999)


def test_new_and_top_orders_with_pinned_first(session, live, guest, facilitator):
    a, b, c = (submit(session, guest, text=text) for text in ("หนึ่ง", "สอง", "สาม"))
    voter = join(session, live, "ลุงมี")
    ideas.vote_idea(session, voter, idea_id=a.id)
    assert [r.id for r in ideas.list_ideas(session, session_id=live.id)] == [c.id, b.id, a.id]
    assert [r.id for r in ideas.list_ideas(session, session_id=live.id, order="top")] == [a.id, c.id, b.id]
    ideas.moderate_idea(session, facilitator, idea_id=b.id, action="pin")
    rows = ideas.list_ideas(session, session_id=live.id, order="top", viewer=voter)
    assert [r.id for r in rows] == [b.id, a.id, c.id] and rows[0].pinned
    assert [r.voted for r in rows] == [False, True, False]
    assert rows[1].author == "ป้าแดง"


def test_hide_and_restore_are_audited(session, live, guest, facilitator):
    idea = submit(session, guest)
    ideas.moderate_idea(session, facilitator, idea_id=idea.id, action="hide")
    assert ideas.list_ideas(session, session_id=live.id) == []
    ideas.moderate_idea(session, facilitator, idea_id=idea.id, action="restore")
    assert len(ideas.list_ideas(session, session_id=live.id)) == 1
    actions = session.exec(select(AuditEvent.action).where(AuditEvent.action.like("deliberation.live_idea.%"))).all()
    assert actions == ["deliberation.live_idea.hide", "deliberation.live_idea.restore"]


def test_bad_moderation_changes_nothing(session, body, live, guest, facilitator):
    idea = submit(session, guest)
    with pytest.raises(InvalidInput):
        ideas.moderate_idea(session, facilitator, idea_id=idea.id, action="delete")
    ideas.moderate_idea(session, facilitator, idea_id=idea.id, action="hide")
    with pytest.raises(Conflict):
        ideas.moderate_idea(session, facilitator, idea_id=idea.id, action="approve")  # not pending
    assert session.get(LiveIdea, idea.id).status == IdeaStatus.hidden
    ideas.moderate_idea(session, facilitator, idea_id=idea.id, action="restore")
    member = factories.actor(session, factories.member(session, body, Role.member))
    with pytest.raises(Forbidden):
        ideas.moderate_idea(session, member, idea_id=idea.id, action="hide")
    with pytest.raises(Forbidden):
        ideas.edit_idea(session, member, idea_id=idea.id, text="แก้")
    assert session.get(LiveIdea, idea.id).status == IdeaStatus.shown


def test_facilitator_fixes_a_typo(session, guest, facilitator):
    idea = submit(session, guest, text="ติดโซลาเซล")
    edited = ideas.edit_idea(session, facilitator, idea_id=idea.id, text="ติดโซลาร์เซลล์")
    assert edited.text == "ติดโซลาร์เซลล์" and edited.edited_at is not None
    with pytest.raises(InvalidInput):
        ideas.edit_idea(session, facilitator, idea_id=idea.id, text="  ")
    assert session.get(LiveIdea, idea.id).text == "ติดโซลาร์เซลล์"


def test_merge_carries_votes_without_counting_anyone_twice(session, live, guest, facilitator):
    keeper = submit(session, guest, text="ติดโซลาร์เซลล์")
    duplicate = submit(session, guest, text="ติดแผงโซลาร์")
    both, only_dup, only_keeper = (join(session, live, name) for name in ("ก", "ข", "ค"))
    for participant in (both, only_keeper):
        ideas.vote_idea(session, participant, idea_id=keeper.id)
    for participant in (both, only_dup):
        ideas.vote_idea(session, participant, idea_id=duplicate.id)
    kept = ideas.merge_ideas(session, facilitator, idea_id=duplicate.id, into_id=keeper.id)
    assert kept.id == keeper.id and kept.votes == 3
    merged = session.get(LiveIdea, duplicate.id)
    assert merged.status == IdeaStatus.merged and merged.merged_into_id == keeper.id and merged.votes == 0
    voters = session.exec(select(LiveIdeaVote.participant_id).where(LiveIdeaVote.idea_id == keeper.id)).all()
    assert sorted(voters) == sorted([both.id, only_dup.id, only_keeper.id])
    with pytest.raises(Conflict):
        ideas.merge_ideas(session, facilitator, idea_id=duplicate.id, into_id=keeper.id)


def test_the_consoles_idea_count_leaves_out_a_merged_idea(session, live, guest, facilitator):
    """Issue 11, part 8: two ideas merged into one are one idea on the console."""
    from deliberation.sessions import sessions

    keeper = submit(session, guest, text="ติดโซลาร์เซลล์")
    duplicate = submit(session, guest, text="ติดแผงโซลาร์")
    assert sessions.counts(session, live.id)["ideas"] == 2
    ideas.merge_ideas(session, facilitator, idea_id=duplicate.id, into_id=keeper.id)
    assert sessions.counts(session, live.id)["ideas"] == 1


@pytest.mark.parametrize("into", ["self", "", "abc", "999999"])
def test_merge_into_a_bad_target_is_refused(session, guest, facilitator, into):
    idea = submit(session, guest)
    with pytest.raises(InvalidInput):
        ideas.merge_ideas(session, facilitator, idea_id=idea.id, into_id=idea.id if into == "self" else into)
    assert session.get(LiveIdea, idea.id).status == IdeaStatus.shown


def test_csv_export_keeps_every_idea_and_defuses_formulas(session, body, live, guest, facilitator):
    submit(session, guest, text="=cmd|' /C calc'!A0")
    hidden = submit(session, guest, text="ซ่อนไว้")
    ideas.moderate_idea(session, facilitator, idea_id=hidden.id, action="hide")
    text = ideas.export_ideas_csv(session, facilitator, session_id=live.id)
    assert text.startswith("\ufeffid,text,")
    assert "'=cmd" in text and "ซ่อนไว้,,ป้าแดง,hidden" in text
    member = factories.actor(session, factories.member(session, body, Role.member))
    with pytest.raises(Forbidden):
        ideas.export_ideas_csv(session, member, session_id=live.id)
