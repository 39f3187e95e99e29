"""The demo programme's ballots (README: a new user sees them after `wethi serve --demo`): the
North working group's last meeting has a closed secret ballot with a bulletin that checks
out and a carried named motion; an open ranked ballot between meetings waits for the demo
member's vote."""

from __future__ import annotations

from sqlmodel import Session, select

from forum import accounts, demo
from forum.models import Body, Person
from voting import ballots
from voting.models import Ballot, BallotStatus, Secrecy


def test_the_demo_has_a_closed_secret_ballot_a_carried_motion_and_an_open_ballot(
    session: Session,
) -> None:
    demo.seed(session, progress=lambda _line: None)
    north = session.exec(select(Body).where(Body.name.endswith("ภาคเหนือ"))).one()
    found = session.exec(select(Ballot).where(Ballot.body_id == north.id).order_by(Ballot.id)).all()
    assert [(b.status, b.secrecy) for b in found] == [
        (BallotStatus.closed, Secrecy.secret),
        (BallotStatus.closed, Secrecy.named),
        (BallotStatus.open, Secrecy.secret),
    ]
    pilots, motion, topics = found
    board = ballots.bulletin(session, pilots)
    assert ballots.verify_bulletin(board) == [] and board["head"] == pilots.bulletin_head
    assert len(board["receipts"]) == pilots.eligible >= 8
    assert ballots.result_of(session, motion).carried
    member = session.exec(select(Person).where(Person.email == demo.MEMBER_EMAIL)).one()
    standing = ballots.standing(session, topics, accounts.actor_for(session, member))
    assert standing.seat == member.id and not standing.voted
    demo.seed(session, progress=lambda _line: None)  # a second seed adds nothing
    assert len(session.exec(select(Ballot)).all()) == 3
