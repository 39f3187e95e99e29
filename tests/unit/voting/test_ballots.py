"""Ballots as a body runs them: one seat, one vote (held by the database), a retry is the same
cast, a substitute votes in the member's place and never both, a secret ballot's results
only after close, bad input refused with nothing changed — and an administrator with the
database cannot tell who voted what in a secret ballot."""

from __future__ import annotations

import json

import pytest
import sqlalchemy as sa
from sqlalchemy.exc import IntegrityError
from sqlmodel import select

from forum import privacy
from forum.errors import Conflict, Forbidden, InvalidInput
from forum.models import Attendance, AttendanceStatus, AuditEvent, Role
from forum.policy import ANONYMOUS
from tests import factories
from voting import ballots, secrecy
from voting.ballots import OptionSpec
from voting.models import (
    Ballot,
    BallotMethod,
    BallotPaper,
    BallotSealed,
    BallotStatus,
    BallotVote,
    BallotVoter,
    Eligibility,
    ResultsShown,
    Secrecy,
)

KEY = "k" * 48  # the server's secret key in these tests


@pytest.fixture
def committee(session):
    body = factories.body(session)
    chair = factories.member(session, body, Role.chair)
    members = [factories.member(session, body) for _ in range(6)]
    observer = factories.member(session, body, Role.observer)
    return body, chair, members, observer


def _ballot(session, body, chair, method=BallotMethod.approval, **kwargs):
    options = kwargs.pop(
        "options",
        [
            OptionSpec("โซลาร์เซลล์บนหลังคาโรงเรียน"),
            OptionSpec("เตาชีวมวล"),
            OptionSpec("ไบโอแก๊สจากมูลสัตว์"),
        ],
    )
    ballot = ballots.create_ballot(
        session,
        factories.actor(session, chair),
        body_id=body.id,
        title="เลือกโครงการนำร่อง",
        method=method,
        options=options,
        **kwargs,
    )
    return ballots.open_ballot(session, factories.actor(session, chair), ballot_id=ballot.id)


def _cast(session, person, ballot, choice, key="cast-1"):
    return ballots.cast_vote(
        session,
        factories.actor(session, person),
        ballot_id=ballot.id,
        choice=choice,
        key=key,
        secret_key=KEY,
    )


def _ids(session, ballot):
    return [option.id for option in ballots.options_of(session, ballot.id)]


def test_one_seat_one_vote_is_the_databases_rule(session, committee):
    body, chair, members, _ = committee
    ballot = _ballot(session, body, chair)
    session.add(BallotVoter(ballot_id=ballot.id, seat_id=members[0].id, key_hashes="a"))
    session.commit()
    session.add(BallotVoter(ballot_id=ballot.id, seat_id=members[0].id, key_hashes="b"))
    with pytest.raises(IntegrityError):
        session.commit()
    session.rollback()


def test_a_retry_is_the_same_cast_and_another_is_refused(session, committee):
    body, chair, members, _ = committee
    ballot = _ballot(session, body, chair, most=2)
    first, second, _third = _ids(session, ballot)
    cast = _cast(session, members[0], ballot, [first])
    again = _cast(session, members[0], ballot, [first])  # the phone resent it
    assert again.again and again.receipt == cast.receipt
    with pytest.raises(Conflict, match="already cast"):
        _cast(session, members[0], ballot, [second], key="cast-2")
    assert ballots.voters_count(session, ballot.id) == 1
    assert (
        len(session.exec(select(BallotSealed).where(BallotSealed.ballot_id == ballot.id)).all())
        == 1
    )


def test_a_named_ballot_may_let_a_voter_change_until_close(session, committee):
    body, chair, members, _ = committee
    ballot = _ballot(
        session,
        body,
        chair,
        secrecy_=Secrecy.named,
        may_change=True,
        results_shown=ResultsShown.live,
    )
    first, second, _third = _ids(session, ballot)
    cast = _cast(session, members[0], ballot, [first])
    changed = _cast(session, members[0], ballot, [second], key="cast-2")
    assert changed.changed and changed.receipt == cast.receipt
    assert ballots.result_of(session, ballot).of(second).total == 1  # shown live: named
    assert ballots.result_of(session, ballot).of(first).total == 0


def test_who_may_not_vote_is_refused(session, committee):
    body, chair, members, observer = committee
    ballot = _ballot(session, body, chair)
    choice = _ids(session, ballot)[:1]
    outsider = factories.person(session)
    for person in (observer, outsider):
        with pytest.raises(Forbidden):
            _cast(session, person, ballot, choice)
    with pytest.raises(Forbidden):
        ballots.cast_vote(
            session, ANONYMOUS, ballot_id=ballot.id, choice=choice, key="x", secret_key=KEY
        )
    assert ballots.voters_count(session, ballot.id) == 0


def test_a_substitute_votes_in_the_members_place_never_both(session, committee):
    body, chair, members, _ = committee
    meeting = factories.meeting(session, body)
    substitute = factories.person(session)
    member = members[1]
    session.add(
        Attendance(
            meeting_id=meeting.id,
            person_id=substitute.id,
            substitute_for_id=member.id,
            status=AttendanceStatus.present,
            checked_in_at=meeting.starts_at,
        )
    )
    session.commit()
    ballot = _ballot(session, body, chair, method=BallotMethod.motion, meeting_id=meeting.id)
    _cast(session, substitute, ballot, "yes")
    with pytest.raises(Forbidden, match="in your place"):
        _cast(session, member, ballot, "no")
    voter = session.exec(select(BallotVoter).where(BallotVoter.ballot_id == ballot.id)).one()
    assert (voter.seat_id, voter.cast_by) == (member.id, substitute.id)


@pytest.mark.parametrize(
    ("method", "choice", "extra"),
    [
        (BallotMethod.motion, "maybe", {}),
        (BallotMethod.approval, [999_999], {}),
        (BallotMethod.approval, "not a list of options", {}),
        (BallotMethod.score, {"first": 7}, {}),
        (BallotMethod.dots, {"first": 4}, {"dots": 3}),
        (BallotMethod.ranked, ["first", "first"], {}),
        (BallotMethod.budget, ["first", "second"], {"budget_satang": 100_000_00}),
    ],
)
def test_a_choice_the_ballot_cannot_count_is_refused_and_changes_nothing(
    session, committee, method, choice, extra
):
    body, chair, members, _ = committee
    options = [OptionSpec("ก", 60_000_00), OptionSpec("ข", 50_000_00), OptionSpec("ค", 10_000_00)]
    ballot = _ballot(session, body, chair, method=method, options=options, **extra)
    first, second = ([*_ids(session, ballot), 0, 0])[:2]
    if isinstance(choice, dict):
        choice = {first if k == "first" else k: v for k, v in choice.items()}
    elif isinstance(choice, list):
        choice = [{"first": first, "second": second}.get(c, c) for c in choice]
    with pytest.raises(InvalidInput) as refused:
        _cast(session, members[0], ballot, choice)
    assert "choice" in refused.value.fields
    assert ballots.voters_count(session, ballot.id) == 0


def test_no_cast_after_close_and_no_secret_result_before(session, committee):
    body, chair, members, _ = committee
    ballot = _ballot(session, body, chair)
    first = _ids(session, ballot)[0]
    _cast(session, members[0], ballot, [first])
    assert ballots.result_of(session, ballot) is None  # secret: not before it closes
    ballots.close_ballot(
        session, factories.actor(session, chair), ballot_id=ballot.id, secret_key=KEY
    )
    assert ballots.result_of(session, ballot).of(first).total == 1
    with pytest.raises(Conflict):
        _cast(session, members[1], ballot, [first])


def test_the_bulletin_checks_out_and_any_change_shows(session, committee):
    body, chair, members, _ = committee
    ballot = _ballot(session, body, chair, method=BallotMethod.ranked)
    a, b, c = _ids(session, ballot)
    receipts = [
        _cast(session, m, ballot, order, key=f"k{n}").receipt
        for n, (m, order) in enumerate(
            zip(members, [[a, b, c], [b, a], [c], [a, c, b], [b], [a]], strict=True)
        )
    ]
    ballots.close_ballot(
        session, factories.actor(session, chair), ballot_id=ballot.id, secret_key=KEY
    )
    board = json.loads(
        json.dumps(ballots.bulletin(session, session.get(Ballot, ballot.id)))
    )  # as downloaded
    assert ballots.verify_bulletin(board) == []
    assert board["head"] == session.get(Ballot, ballot.id).bulletin_head
    assert {secrecy.receipt_hash(code.lower().replace("-", " ")) for code in receipts} == set(
        board["receipts"]
    )
    assert board["result"]["winners"] == [a]
    for tamper in (
        lambda d: d["choices"].__setitem__(0, json.dumps([c, b, a], separators=(",", ":"))),
        lambda d: d["choices"].pop(),
        lambda d: d["receipts"].pop(),
        lambda d: d["result"].__setitem__("winners", [b]),
    ):
        changed = json.loads(json.dumps(board))
        tamper(changed)
        assert ballots.verify_bulletin(changed) != []


def test_an_administrator_with_the_database_cannot_match_voters_to_choices(
    session, engine, committee
):
    """Twelve voters, each a different choice. While the ballot is open, no row anywhere holds
    a choice in the clear; after close, the papers carry nothing of a voter (no id, no time)
    and their order in the table is not the order of the roll; the audit log and each
    voter's PDPA export say that they voted, never what."""
    body, chair, members, _ = committee
    voters = members + [factories.member(session, body) for _ in range(6)]
    ballot = _ballot(session, body, chair, method=BallotMethod.ranked)
    a, b, c = _ids(session, ballot)
    orders = [
        [a, b, c],
        [a, c, b],
        [b, a, c],
        [b, c, a],
        [c, a, b],
        [c, b, a],
        [a],
        [b],
        [c],
        [a, b],
        [b, c],
        [c, a],
    ]
    contents = {}
    for voter, order in zip(voters, orders, strict=True):
        _cast(session, voter, ballot, order, key=f"key-{voter.id}")
        contents[voter.id] = json.dumps(order, separators=(",", ":"))

    def every_row():
        with engine.connect() as connection:
            for table in sa.inspect(engine).get_table_names():
                for row in connection.execute(sa.text(f'SELECT * FROM "{table}"')).mappings():
                    yield table, row

    for table, row in every_row():  # open: the choices are nowhere in the clear
        assert not any(
            isinstance(value, str) and value in contents.values() for value in row.values()
        ), table
    ballots.close_ballot(
        session, factories.actor(session, chair), ballot_id=ballot.id, secret_key=KEY
    )

    assert session.exec(select(BallotSealed)).all() == []
    papers = (
        session.exec(sa.text("SELECT rowid, * FROM ballot_paper ORDER BY rowid")).mappings().all()
    )
    assert sorted(paper["content"] for paper in papers) == sorted(contents.values())
    assert set(papers[0].keys()) == {
        "rowid",
        "id",
        "ballot_id",
        "content",
    }  # nothing of a voter, no time
    roll = session.exec(
        select(BallotVoter.seat_id)
        .where(BallotVoter.ballot_id == ballot.id)
        .order_by(BallotVoter.id)
    ).all()
    assert [paper["content"] for paper in papers] != [
        contents[seat] for seat in roll
    ]  # 1 in 12! by chance
    assert session.exec(select(BallotVote)).all() == []  # the named table holds nothing
    for event in session.exec(
        select(AuditEvent).where(AuditEvent.action.startswith("voting."))
    ).all():
        text = json.dumps([event.before, event.after])
        assert not any(content in text for content in contents.values())
    for voter in voters:
        export = privacy.export_data(session, factories.actor(session, voter))
        mine = export["voting_ballots_voted"]
        assert [(row["ballot_id"], row["choice"]) for row in mine] == [(ballot.id, None)]
        assert contents[voter.id] not in json.dumps(export, ensure_ascii=False, default=str)


def test_a_sealed_choice_changed_in_the_database_is_found_at_close(session, committee):
    body, chair, members, _ = committee
    ballot = _ballot(session, body, chair)
    _cast(session, members[0], ballot, _ids(session, ballot)[:1])
    sealed = session.exec(select(BallotSealed)).one()
    sealed.sealed = secrecy.seal("another key" * 4, ballot.id, sealed.id, "[1]")
    session.add(sealed)
    session.commit()
    with pytest.raises(Conflict, match="cannot be opened"):
        ballots.close_ballot(
            session, factories.actor(session, chair), ballot_id=ballot.id, secret_key=KEY
        )
    session.rollback()
    assert session.get(Ballot, ballot.id).status == BallotStatus.open


def test_set_up_mistakes_are_refused_field_by_field(session, committee):
    body, chair, _members, _ = committee
    actor = factories.actor(session, chair)
    with pytest.raises(InvalidInput) as refused:
        ballots.create_ballot(
            session,
            actor,
            body_id=body.id,
            title="",
            method=BallotMethod.budget,
            options=[OptionSpec("ก")],
            secrecy_=Secrecy.secret,
            results_shown=ResultsShown.live,
            may_change=True,
            eligibility=Eligibility.attendees,
        )
    assert set(refused.value.fields) == {
        "title",
        "options",
        "results_shown",
        "may_change",
        "eligibility",
        "budget_satang",
    }
    assert session.exec(select(Ballot)).all() == []
    with pytest.raises(Forbidden):
        ballots.create_ballot(
            session,
            factories.actor(session, _members[0]),
            body_id=body.id,
            title="x",
            method=BallotMethod.motion,
        )


def test_sealed_choices_all_look_the_same_and_cannot_be_moved(session, committee):
    """A "yes", a "no" and an "abstain" are sealed to the same length; a sealed choice copied
    over another's, or one deleted, stops the close (nothing is counted wrong)."""
    body, chair, members, _ = committee
    ballot = _ballot(session, body, chair, method=BallotMethod.motion)
    for member, choice in zip(members, ["yes", "no", "abstain", "no"], strict=False):
        _cast(session, member, ballot, choice)
    rows = session.exec(select(BallotSealed).where(BallotSealed.ballot_id == ballot.id)).all()
    assert len({len(row.sealed) for row in rows}) == 1
    first, second = rows[0], rows[1]
    kept = second.sealed
    second.sealed = first.sealed  # an administrator "moves" a vote
    session.add(second)
    session.commit()
    with pytest.raises(Conflict, match="cannot be opened"):
        ballots.close_ballot(
            session, factories.actor(session, chair), ballot_id=ballot.id, secret_key=KEY
        )
    second.sealed = kept
    session.add(second)
    session.delete(session.get(BallotSealed, rows[2].id))  # or removes one
    session.commit()
    with pytest.raises(Conflict, match="cannot be opened"):
        ballots.close_ballot(
            session, factories.actor(session, chair), ballot_id=ballot.id, secret_key=KEY
        )
    assert session.get(Ballot, ballot.id).status == BallotStatus.open


def test_a_ballot_closes_once(session, committee):
    body, chair, members, _ = committee
    ballot = _ballot(session, body, chair, method=BallotMethod.motion)
    _cast(session, members[0], ballot, "yes")
    ballots.close_ballot(
        session, factories.actor(session, chair), ballot_id=ballot.id, secret_key=KEY
    )
    with pytest.raises(Conflict):
        ballots.close_ballot(
            session, factories.actor(session, chair), ballot_id=ballot.id, secret_key=KEY
        )
    assert (
        len(session.exec(select(BallotPaper).where(BallotPaper.ballot_id == ballot.id)).all()) == 1
    )


def test_a_late_retry_never_undoes_a_change(session, committee):
    body, chair, members, _ = committee
    ballot = _ballot(
        session, body, chair, method=BallotMethod.motion, secrecy_=Secrecy.named, may_change=True
    )
    _cast(session, members[0], ballot, "yes", key="first")
    assert _cast(session, members[0], ballot, "no", key="second").changed
    late = _cast(session, members[0], ballot, "yes", key="first")  # the first send, arriving late
    assert late.again and not late.changed
    vote = session.exec(select(BallotVote)).one()
    assert vote.content == '"no"'


@pytest.mark.parametrize("choice", [[True], [1.9], "12", {"1": 1}, [[1]], [10**400], float("inf")])
def test_a_choice_is_whole_option_numbers_in_the_methods_shape(session, committee, choice):
    body, chair, members, _ = committee
    ballot = _ballot(session, body, chair, most=3)
    with pytest.raises(InvalidInput):
        _cast(session, members[0], ballot, choice)
    assert ballots.voters_count(session, ballot.id) == 0


def test_who_may_vote_is_counted_again_at_close(session, committee):
    """An attendees' ballot opened with 2 checked in; 3 more arrive and vote against: an
    absolute majority is more than half of the 5, and more for than against."""
    body, chair, members, _ = committee
    meeting = factories.meeting(session, body)
    lines = {
        line.person_id: line
        for line in session.exec(
            select(Attendance).where(Attendance.meeting_id == meeting.id)
        ).all()
    }

    def check_in(person):
        line = lines[person.id]
        line.status, line.checked_in_at = AttendanceStatus.present, meeting.starts_at
        session.add(line)
        session.commit()

    for person in members[:2]:
        check_in(person)
    ballot = _ballot(
        session,
        body,
        chair,
        method=BallotMethod.motion,
        meeting_id=meeting.id,
        eligibility=Eligibility.attendees,
        majority="absolute",
    )
    assert ballot.eligible == 2
    for person in members[:2]:
        _cast(session, person, ballot, "yes")
    for person in members[2:5]:
        check_in(person)
        _cast(session, person, ballot, "no")
    closed = ballots.close_ballot(
        session, factories.actor(session, chair), ballot_id=ballot.id, secret_key=KEY
    )
    assert closed.eligible == 5
    assert not ballots.result_of(session, closed).carried


def test_a_bulletin_that_could_not_be_counted_is_said_so(session, committee):
    body, chair, members, _ = committee
    ballot = _ballot(session, body, chair, most=2)
    a, b, _c = _ids(session, ballot)
    for member, choice in zip(members, [[a], [a, b], [b]], strict=False):
        _cast(session, member, ballot, choice)
    ballots.close_ballot(
        session, factories.actor(session, chair), ballot_id=ballot.id, secret_key=KEY
    )
    board = json.loads(json.dumps(ballots.bulletin(session, session.get(Ballot, ballot.id))))
    assert ballots.verify_bulletin(board) == []
    for broken in (
        [],
        "text",
        {"header": []},
        {"header": board["header"], "receipts": None, "choices": []},
    ):
        assert ballots.verify_bulletin(broken) != []  # said, never a crash
    twice = json.loads(json.dumps(board))
    twice["receipts"][1] = twice["receipts"][0]
    assert "listed twice" in " ".join(ballots.verify_bulletin(twice))
    spaced = json.loads(json.dumps(board))
    spaced["choices"] = sorted([f"[ {a} ]" if c == f"[{a}]" else c for c in spaced["choices"]])
    assert any(
        "not written" in p or "cannot be counted" in p for p in ballots.verify_bulletin(spaced)
    )
    crowded = json.loads(json.dumps(board))
    crowded["header"]["eligible"] = 2
    assert "more voted than may vote" in ballots.verify_bulletin(crowded)
