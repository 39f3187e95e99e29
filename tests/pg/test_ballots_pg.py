"""Ballots on PostgreSQL: one member casting from two phones at the same moment gives one
vote, and a secret ballot's papers give nothing away through what PostgreSQL itself keeps
of a row — the transaction that wrote it (xmin) and its place in the table (ctid)."""

from __future__ import annotations

import json
import threading

import sqlalchemy as sa
from sqlmodel import Session, select

from forum.errors import Conflict
from forum.models import Role
from tests import factories
from voting import ballots
from voting.ballots import OptionSpec
from voting.models import BallotMethod, BallotVoter

KEY = "k" * 48


def _setup(session, voters: int):
    body = factories.body(session)
    chair = factories.member(session, body, Role.chair)
    members = [factories.member(session, body) for _ in range(voters)]
    options = [OptionSpec("ก"), OptionSpec("ข"), OptionSpec("ค")]
    ballot = ballots.create_ballot(
        session,
        factories.actor(session, chair),
        body_id=body.id,
        title="เลือก",
        method=BallotMethod.ranked,
        options=options,
    )
    ballots.open_ballot(session, factories.actor(session, chair), ballot_id=ballot.id)
    return chair, members, ballot, [option.id for option in ballots.options_of(session, ballot.id)]


def test_two_phones_of_one_member_at_once_give_one_vote(engine):
    with Session(engine, expire_on_commit=False) as session:
        _chair, (member,), ballot, (a, b, _c) = _setup(session, 1)
        actor = factories.actor(session, member)
    start, outcomes = threading.Barrier(2), []

    def phone(choice, key):
        with Session(engine, expire_on_commit=False) as session:
            start.wait()
            try:
                cast = ballots.cast_vote(
                    session, actor, ballot_id=ballot.id, choice=choice, key=key, secret_key=KEY
                )
                outcomes.append(("cast", cast.again))
            except Conflict:
                outcomes.append(("refused", None))

    threads = [
        threading.Thread(target=phone, args=([a], "phone-1")),
        threading.Thread(target=phone, args=([b], "phone-2")),
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(outcomes) == [("cast", False), ("refused", None)]
    with Session(engine) as session:
        assert (
            len(session.exec(select(BallotVoter).where(BallotVoter.ballot_id == ballot.id)).all())
            == 1
        )


def test_papers_share_one_transaction_and_not_the_rolls_order(engine):
    with Session(engine, expire_on_commit=False) as session:
        chair, members, ballot, (a, b, c) = _setup(session, 12)
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
        for member, order in zip(members, orders, strict=True):
            ballots.cast_vote(
                session,
                factories.actor(session, member),
                ballot_id=ballot.id,
                choice=order,
                key=f"k{member.id}",
                secret_key=KEY,
            )
            contents[member.id] = json.dumps(order, separators=(",", ":"))
        ballots.close_ballot(
            session, factories.actor(session, chair), ballot_id=ballot.id, secret_key=KEY
        )
        papers = session.exec(
            sa.text(
                "SELECT xmin::text AS xmin, ctid::text AS ctid, content FROM ballot_paper WHERE ballot_id = :b ORDER BY ctid"
            ),
            params={"b": ballot.id},
        ).all()
        roll = session.exec(
            sa.text(
                "SELECT xmin::text, seat_id FROM ballot_voter WHERE ballot_id = :b ORDER BY ctid"
            ),
            params={"b": ballot.id},
        ).all()
    assert len({paper.xmin for paper in papers}) == 1  # written together, at close
    assert not {paper.xmin for paper in papers} & {xmin for xmin, _seat in roll}
    assert [paper.content for paper in papers] != [contents[seat] for _xmin, seat in roll]
    assert sorted(paper.content for paper in papers) == sorted(contents.values())
