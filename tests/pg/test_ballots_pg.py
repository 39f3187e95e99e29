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


def test_a_close_during_a_burst_of_casts_counts_every_acknowledged_cast_once(engine):
    """Twenty members cast at once while two officers press close at the same moment: one
    close wins; every cast that got a receipt is on the bulletin, and nothing else is."""
    from voting import secrecy
    from voting.models import Ballot, BallotSealed

    with Session(engine, expire_on_commit=False) as session:
        chair, members, ballot, (a, b, c) = _setup(session, 20)
        chair_actor = factories.actor(session, chair)
        actors = [factories.actor(session, member) for member in members]
    start = threading.Barrier(len(actors) + 2)
    receipts, closes = [], []

    def cast(actor, number):
        with Session(engine, expire_on_commit=False) as session:
            start.wait()
            try:
                done = ballots.cast_vote(
                    session,
                    actor,
                    ballot_id=ballot.id,
                    choice=[a, b, c][number % 3 :],
                    key=f"k{number}",
                    secret_key=KEY,
                )
                receipts.append(done.receipt)
            except Conflict:
                pass

    def close():
        with Session(engine, expire_on_commit=False) as session:
            start.wait()
            try:
                ballots.close_ballot(session, chair_actor, ballot_id=ballot.id, secret_key=KEY)
                closes.append("closed")
            except Conflict:
                closes.append("refused")

    threads = [threading.Thread(target=cast, args=(actor, n)) for n, actor in enumerate(actors)]
    threads += [threading.Thread(target=close) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(closes) == ["closed", "refused"]
    with Session(engine) as session:
        closed = session.get(Ballot, ballot.id)
        board = ballots.bulletin(session, closed)
        assert sorted(board["receipts"]) == sorted(secrecy.receipt_hash(code) for code in receipts)
        assert len(board["choices"]) == len(receipts) == board["voters"]
        assert (
            session.exec(select(BallotSealed).where(BallotSealed.ballot_id == ballot.id)).all()
            == []
        )
        assert board["head"] == closed.bulletin_head and ballots.verify_bulletin(board) == []
