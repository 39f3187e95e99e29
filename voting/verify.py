"""`wethi verify BALLOT`: recount a closed ballot from its bulletin — made afresh from the
database, or a downloaded `.json` — and check its hash chain, apart from anything the
server stored as the result. For the bulletin's own ballot, the chain must also end where
it ended when the ballot closed (kept on the ballot and in the audit log): a change made in
the database since shows."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from sqlalchemy.engine import Engine
from sqlmodel import Session

from voting import ballots
from voting.models import Ballot, BallotStatus


def command(engine: Engine, _settings: Any, argument: str) -> tuple[int, list[str]]:
    if argument.endswith(".json"):
        try:
            data = json.loads(Path(argument).read_text(encoding="utf-8"))
        except (OSError, ValueError) as error:
            return 2, [f"Cannot read {argument}: {error}"]
        if not isinstance(data, dict) or not isinstance(data.get("header"), dict):
            return 1, [f"{argument} is not a ballot's bulletin."]
        return _report(data, stored_head=_stored_head(engine, data["header"].get("ballot")))
    if not argument.isdigit():
        return 2, ["Give a ballot's number or a bulletin's .json file."]
    with Session(engine) as session:
        ballot = session.get(Ballot, int(argument))
        if ballot is None:
            return 2, [f"No ballot {argument}."]
        if ballot.status != BallotStatus.closed:
            return 2, [
                f"Ballot {argument} is not closed: its bulletin is published when it closes."
            ]
        return _report(ballots.bulletin(session, ballot), stored_head=ballot.bulletin_head)


def _stored_head(engine: Engine, ballot_id: Any) -> str | None:
    """The chain's end this database kept when the ballot closed, if it is this database's."""
    if not isinstance(ballot_id, int):
        return None
    with Session(engine) as session:
        ballot = session.get(Ballot, ballot_id)
        return (
            ballot.bulletin_head
            if ballot is not None and ballot.status == BallotStatus.closed
            else None
        )


def _report(data: dict[str, Any], *, stored_head: str | None) -> tuple[int, list[str]]:
    problems = ballots.verify_bulletin(data)
    if stored_head is not None and data.get("head") != stored_head:
        problems.append("the hash chain no longer ends where it ended when the ballot closed")
    header = data.get("header", {})
    lines = [
        f"Ballot {header.get('ballot')}: {header.get('title')}",
        f"  receipts {len(data.get('receipts', []))}, choices {len(data.get('choices', []))}, head {data.get('head')}",
    ]
    if problems:
        return 1, [*lines, *(f"  PROBLEM: {problem}" for problem in problems)]
    return 0, [*lines, "  OK: the recount and the hash chain agree with the bulletin."]
