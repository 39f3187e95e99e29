"""A person's voting in their PDPA export: the ballots they voted in (the roll) and, for
named ballots, what they chose. A secret ballot's choice is nowhere to be found for them
either: the export says that they voted, never what."""

from __future__ import annotations

from typing import Any

from sqlmodel import Session, col, select

from voting.models import Ballot, BallotVote, BallotVoter, Secrecy


def export_rows(session: Session, person_id: int) -> dict[str, Any]:
    rows = session.exec(
        select(BallotVoter, Ballot)
        .join(Ballot, col(Ballot.id) == BallotVoter.ballot_id)
        .where((BallotVoter.seat_id == person_id) | (BallotVoter.cast_by == person_id))
        .order_by(col(BallotVoter.id))
    ).all()
    named = {voter.id for voter, ballot in rows if ballot.secrecy == Secrecy.named}
    choices = dict(
        session.exec(
            select(BallotVote.voter_id, BallotVote.content).where(
                col(BallotVote.voter_id).in_(named)
            )
        ).all()
    )
    return {
        "voting_ballots_voted": [
            {
                "ballot_id": ballot.id,
                "title": ballot.title,
                "secrecy": str(ballot.secrecy),
                "seat_id": voter.seat_id,
                "cast_by": voter.cast_by,
                "voted_at": voter.voted_at.isoformat(),
                "choice": choices.get(voter.id),  # named ballots only
            }
            for voter, ballot in rows
        ]
    }
