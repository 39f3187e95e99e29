"""People without a phone: tellers enter paper ballots or a show of hands as counts; a
second teller confirms before it counts; the counts stay apart from the electronic votes in
the results and the bulletin, and the bulletin still checks out."""

from __future__ import annotations

import json

import pytest

from forum.errors import Conflict, Forbidden, InvalidInput, NotAChoice
from forum.models import Role
from tests import factories
from voting import ballots
from voting.ballots import OptionSpec
from voting.models import Ballot, BallotMethod, Secrecy

KEY = "k" * 48


@pytest.fixture
def hall(session):
    body = factories.body(session)
    chair = factories.actor(session, factories.member(session, body, Role.chair))
    teller = factories.actor(session, factories.member(session, body, Role.facilitator))
    second = factories.actor(session, factories.member(session, body, Role.secretary))
    members = [factories.actor(session, factories.member(session, body)) for _ in range(3)]
    for _ in range(12):  # members who vote on paper
        factories.member(session, body)
    return body, chair, teller, second, members


def _open(session, body, chair, method=BallotMethod.motion, **settings):
    ballot = ballots.create_ballot(
        session, chair, body_id=body.id, title="ญัตติ", method=method, **settings
    )
    return ballots.open_ballot(session, chair, ballot_id=ballot.id)


def test_a_paper_count_counts_once_a_second_teller_confirms_it(session, hall):
    body, chair, teller, second, members = hall
    ballot = _open(session, body, chair, secrecy_=Secrecy.named, results_shown="live")
    ballots.cast_vote(
        session, members[0], ballot_id=ballot.id, choice="no", key="a", secret_key=KEY
    )
    entered = ballots.enter_count(
        session, teller, ballot_id=ballot.id, kind="hands", counts={"yes": "๑๒", "no": 3}
    )
    assert ballots.result_of(session, ballot).yes == 0  # not until confirmed
    with pytest.raises(Conflict, match="second teller"):
        ballots.confirm_count(session, teller, ballot_id=ballot.id, count_id=entered.id)
    with pytest.raises(Forbidden):
        ballots.confirm_count(session, members[1], ballot_id=ballot.id, count_id=entered.id)
    ballots.confirm_count(session, second, ballot_id=ballot.id, count_id=entered.id)
    with pytest.raises(Conflict, match="already"):
        ballots.confirm_count(session, chair, ballot_id=ballot.id, count_id=entered.id)
    result = ballots.result_of(session, ballot)
    assert (result.yes, result.no, result.abstain) == (12, 4, 0)


@pytest.mark.parametrize(
    ("method", "kind", "counts", "settings", "refused"),
    [
        (BallotMethod.motion, "hands", {"yes": 3}, {}, InvalidInput),  # a secret ballot
        (BallotMethod.motion, "paper", {"yes": -1}, {}, InvalidInput),
        (BallotMethod.motion, "paper", {"yes": 0}, {}, InvalidInput),
        (BallotMethod.motion, "paper", [1, 2], {}, InvalidInput),
        (BallotMethod.motion, "votes", {"yes": 1}, {}, InvalidInput),
        (
            BallotMethod.approval,
            "paper",
            {"papers": 2, "first": 3},
            {"most": 2},
            InvalidInput,
        ),  # 3 of 2 papers
        (BallotMethod.approval, "paper", {"papers": 2, "999999": 1}, {"most": 2}, NotAChoice),
        (BallotMethod.ranked, "paper", {"papers": 1}, {}, Conflict),
    ],
)
def test_a_count_that_cannot_be_is_refused_and_changes_nothing(
    session, hall, method, kind, counts, settings, refused
):
    body, chair, teller, _second, _members = hall
    options = [OptionSpec("ก"), OptionSpec("ข")] if method != BallotMethod.motion else None
    ballot = _open(session, body, chair, method=method, options=options, **settings)
    if isinstance(counts, dict) and "first" in counts:
        counts = {
            str(ballots.options_of(session, ballot.id)[0].id) if k == "first" else k: v
            for k, v in counts.items()
        }
    with pytest.raises(refused):
        ballots.enter_count(session, teller, ballot_id=ballot.id, kind=kind, counts=counts)
    assert ballots.teller_counts(session, ballot.id) == []


def test_counts_stay_apart_on_the_bulletin_and_it_checks_out(session, hall):
    body, chair, teller, second, members = hall
    options = [OptionSpec("ก", 50_000_00), OptionSpec("ข", 40_000_00), OptionSpec("ค", 30_000_00)]
    ballot = _open(
        session, body, chair, method=BallotMethod.budget, options=options, budget_satang=80_000_00
    )
    a, b, c = (option.id for option in ballots.options_of(session, ballot.id))
    for member, choice in zip(members, [[a], [b, c], [c]], strict=True):
        ballots.cast_vote(
            session,
            member,
            ballot_id=ballot.id,
            choice=choice,
            key=str(member.person_id),
            secret_key=KEY,
        )
    entered = ballots.enter_count(
        session,
        teller,
        ballot_id=ballot.id,
        kind="paper",
        counts={"papers": 5, str(a): 4, str(b): 1},
    )
    ballots.confirm_count(session, second, ballot_id=ballot.id, count_id=entered.id)
    ballots.enter_count(
        session, teller, ballot_id=ballot.id, kind="paper", counts={"papers": 9, str(b): 9}
    )  # never confirmed
    closed = ballots.close_ballot(session, chair, ballot_id=ballot.id, secret_key=KEY)
    board = json.loads(json.dumps(ballots.bulletin(session, session.get(Ballot, closed.id))))
    assert len(board["choices"]) == 3 and board["tellers"] == [
        json.dumps(
            {"counts": {str(a): 4, str(b): 1, str(c): 0, "papers": 5}, "kind": "paper"},
            separators=(",", ":"),
            sort_keys=True,
        )
    ]
    lines = {line["option"]: line for line in board["result"]["lines"]}
    assert (lines[a]["votes"], lines[b]["votes"], lines[c]["votes"]) == (5, 2, 2)
    assert board["result"]["ballots"] == 3 + 5
    assert [line["option"] for line in board["result"]["lines"] if line["selected"]] == [a, c]
    assert ballots.verify_bulletin(board) == []
    board["tellers"] = []  # a teller's count dropped from the published bulletin
    assert ballots.verify_bulletin(board) != []


def test_tellers_cannot_count_more_votes_than_voters_left(session, hall):
    """17 may vote (chair, secretary, 15 members); 3 voted on a phone: 14 left for the
    tellers, whatever is entered, and a count entered twice waits once."""
    body, chair, teller, second, members = hall
    ballot = _open(session, body, chair)
    for member in members:
        ballots.cast_vote(
            session, member, ballot_id=ballot.id, choice="yes", key="k", secret_key=KEY
        )
    with pytest.raises(InvalidInput):
        ballots.enter_count(
            session, teller, ballot_id=ballot.id, kind="paper", counts={"yes": 10, "no": 5}
        )
    first = ballots.enter_count(
        session, teller, ballot_id=ballot.id, kind="paper", counts={"yes": 8, "no": 2}
    )
    with pytest.raises(Conflict, match="already entered"):
        ballots.enter_count(
            session, teller, ballot_id=ballot.id, kind="paper", counts={"yes": 8, "no": 2}
        )
    other = ballots.enter_count(
        session, second, ballot_id=ballot.id, kind="paper", counts={"yes": 5}
    )
    ballots.confirm_count(session, second, ballot_id=ballot.id, count_id=first.id)
    with pytest.raises(Conflict, match="More votes than voters"):
        ballots.confirm_count(
            session, teller, ballot_id=ballot.id, count_id=other.id
        )  # 10 + 5 > 14
    with pytest.raises(InvalidInput):
        ballots.enter_count(
            session, teller, ballot_id=ballot.id, kind="paper", counts={"yes": 1, "maybe": 1}
        )


def test_a_count_confirmed_as_the_ballot_closes_is_refused(session, engine, hall):
    from sqlmodel import Session

    body, chair, teller, second, _members = hall
    ballot = _open(session, body, chair)
    entered = ballots.enter_count(
        session, teller, ballot_id=ballot.id, kind="paper", counts={"yes": 2}
    )
    with Session(engine, expire_on_commit=False) as tellers:
        assert tellers.get(Ballot, ballot.id).status == "open"  # the teller's request read it open
        ballots.close_ballot(session, chair, ballot_id=ballot.id, secret_key=KEY)
        with pytest.raises(Conflict):
            ballots.confirm_count(tellers, second, ballot_id=ballot.id, count_id=entered.id)
    session.expire_all()
    closed = session.get(Ballot, ballot.id)
    assert ballots.bulletin(session, closed)["head"] == closed.bulletin_head


def test_a_bulletins_tellers_are_checked_and_a_secret_ballots_are_summed(session, hall):
    body, chair, teller, second, _members = hall
    ballot = _open(session, body, chair)  # secret
    for counts in ({"yes": 1}, {"yes": 2, "no": 1}):  # a batch of one paper, and another
        entered = ballots.enter_count(
            session, teller, ballot_id=ballot.id, kind="paper", counts=counts
        )
        ballots.confirm_count(session, second, ballot_id=ballot.id, count_id=entered.id)
    ballots.close_ballot(session, chair, ballot_id=ballot.id, secret_key=KEY)
    board = json.loads(json.dumps(ballots.bulletin(session, session.get(Ballot, ballot.id))))
    assert board["tellers"] == ['{"counts":{"abstain":0,"no":1,"yes":3},"kind":"paper"}']  # summed
    assert ballots.verify_bulletin(board) == []
    for forged in (
        '{"counts":{"abstain":0,"no":true,"yes":3},"kind":"paper"}',
        '{"counts":{"abstain":0,"no":-1,"yes":3},"kind":"paper"}',
        '{"counts":{"maybe":1},"kind":"paper"}',
        '{"counts":{"yes":3},"kind":"hands"}',  # hands in a secret ballot
        '{"counts": {"yes": 3}, "kind": "paper"}',  # not as the server writes it
        "[1]",
    ):
        changed = dict(board, tellers=[forged])
        assert ballots.verify_bulletin(changed) != [], forged
