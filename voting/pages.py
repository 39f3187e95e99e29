"""The read side of the ballot pages: the ballot with the reader's standing in it, its
choice said in words (the confirm page, the receipt), and its results ready for the chart
and the table behind it."""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from sqlmodel import Session

from forum import meetings
from forum.models import Body, Meeting
from forum.policy import Actor
from voting import ballots, tally
from voting.models import Ballot, BallotMethod, BallotOption, BallotStatus

BALLOT_PAGE = "voting/ballot_page.html"


@dataclass(frozen=True)
class Bar:
    label: str
    value: int
    percent: int  # of the largest possible (voters, or the largest total): the bar's length
    note: str = ""


def ballot_page(session: Session, actor: Actor, *, ballot_id: int) -> dict[str, Any]:
    ballot = ballots.get_ballot(session, actor, ballot_id=ballot_id)
    options = ballots.options_of(session, ballot.id)  # type: ignore[arg-type]
    standing = ballots.standing(session, ballot, actor)
    mine = (
        ballots.my_choice(session, ballot, standing.seat)
        if standing.voted and standing.seat
        else None
    )
    return {
        "ballot": ballot,
        "body": session.get(Body, ballot.body_id),
        "meeting": session.get(Meeting, ballot.meeting_id) if ballot.meeting_id else None,
        "options": options,
        "standing": standing,
        "my_choice": describe(ballot, options, json.loads(mine)) if mine else None,
        "voters": ballots.voters_count(session, ballot.id),  # type: ignore[arg-type]
        "results": results(session, ballot, options),
        "may_run": ballots.may_run(actor, ballot),
        "tellers": tellers_of(session, actor, ballot, options),
        "scores": range(tally.MAX_SCORE + 1),
    }


@dataclass(frozen=True)
class TellerLine:
    id: int
    kind: str
    lines: list[
        tuple[str, int, bool]
    ]  # (label, count, the label is a msgid): "Yes" 12, an option's 7
    entered_by: str
    confirmed_by: str | None
    may_confirm: bool


def tellers_of(
    session: Session, actor: Actor, ballot: Ballot, options: list[BallotOption]
) -> dict[str, Any] | None:
    """The tellers' counts (paper ballots, a show of hands): for the tellers, and for
    everyone once results may be shown. None when there is nothing for this reader."""
    may_count = ballots.may_count(actor, ballot)
    rows = ballots.visible_counts(session, actor, ballot)
    countable = ballot.status == BallotStatus.open and ballot.method != BallotMethod.ranked
    if not rows and not (may_count and countable):
        return None
    names = ballots.names_of(
        session,
        {row.entered_by for row in rows} | {row.confirmed_by for row in rows if row.confirmed_by},
    )
    labels = {str(option.id): option.label for option in options}
    lines = [
        TellerLine(
            row.id,  # type: ignore[arg-type]
            str(row.kind),
            _count_lines(json.loads(row.counts), labels),
            names.get(row.entered_by, ""),
            names.get(row.confirmed_by) if row.confirmed_by else None,
            may_count
            and ballot.status == BallotStatus.open
            and row.confirmed_by is None
            and row.entered_by != actor.person_id,
        )
        for row in rows
    ]
    return {
        "lines": lines,
        "may_count": may_count
        and ballot.status == BallotStatus.open
        and ballot.method != BallotMethod.ranked,
    }


LABELS = {"yes": "Yes", "no": "No", "abstain": "Abstain", "papers": "Papers"}


def _count_lines(counts: dict[str, int], options: dict[str, str]) -> list[tuple[str, int, bool]]:
    """A count's lines in a fixed order: a motion's yes, no, abstain; the papers, then each
    option in the ballot's order. (label, count, the label is a msgid)."""
    said = [
        (LABELS[key], counts[key], True)
        for key in ("yes", "no", "abstain", "papers")
        if key in counts
    ]
    return said + [(label, counts[key], False) for key, label in options.items() if key in counts]


def describe(ballot: Ballot, options: list[BallotOption], choice: Any) -> list[str]:
    """A choice in words, one line per part ("1. โซลาร์เซลล์", "เตาชีวมวล: 3")."""
    labels = {option.id: option.label for option in options}
    match ballot.method:
        case BallotMethod.motion:
            return [{"yes": "Yes", "no": "No", "abstain": "Abstain"}.get(str(choice), str(choice))]
        case BallotMethod.approval | BallotMethod.budget:
            return [labels.get(int(option), str(option)) for option in choice]
        case BallotMethod.ranked:
            return [
                f"{place}. {labels.get(int(option), str(option))}"
                for place, option in enumerate(choice, start=1)
            ]
        case _:
            return [
                f"{labels.get(int(option), str(option))}: {points}"
                for option, points in dict(choice).items()
                if int(points)
            ]


def results(session: Session, ballot: Ballot, options: list[BallotOption]) -> dict[str, Any] | None:
    """The result with its bars (None while it may not be shown)."""
    result = ballots.result_of(session, ballot)
    if result is None:
        return None
    labels = {option.id: option.label for option in options}
    bars: list[Bar] = []
    if isinstance(result, tally.MotionResult):
        voted = max(result.voted, 1)
        bars = [
            Bar(name, count, round(100 * count / voted))
            for name, count in (("Yes", result.yes), ("No", result.no), ("Abstain", result.abstain))
        ]
    elif isinstance(result, tally.CountResult):
        top = max([count.total for count in result.counts] + [1])
        bars = [
            Bar(labels[count.option], count.total, round(100 * count.total / top))
            for count in result.counts
        ]
    elif isinstance(result, tally.BudgetResult):
        top = max([line.votes for line in result.lines] + [1])
        bars = [
            Bar(labels[line.option], line.votes, round(100 * line.votes / top))
            for line in result.lines
        ]
    elif isinstance(result, tally.RunoffResult) and result.rounds:
        last = result.rounds[-1].counts
        top = max(list(last.values()) + [1])
        bars = [
            Bar(labels[option], votes, round(100 * votes / top))
            for option, votes in sorted(last.items(), key=lambda item: -item[1])
        ]
    return {
        "result": result,
        "bars": bars,
        "labels": labels,
        "final": ballot.status == BallotStatus.closed,
        "winners": [
            labels[option] for option in getattr(result, "winners", []) if option in labels
        ],
    }


# -- the meeting page's panel (forum.meetings.PAGE_PANELS, from the manifest) -------------

PANEL_TEMPLATE = "voting/_ballots.html"


@dataclass(frozen=True)
class BallotsPanel:
    meeting_id: int
    body_id: int
    ballots: list[Any]  # (id, title, status, secrecy) rows
    may_run: bool


def meeting_page_panel(session: Session, actor: Actor, meeting: Any) -> Any:
    """The meeting's ballots for everyone who reads its page, and a link to set one up for
    those who run the body. Nothing when there is neither (one query either way)."""
    rows = ballots.meeting_ballots(session, meeting.id)
    may_run = ballots.may_run(actor, meeting)
    if not rows and not may_run:
        return None
    return meetings.PagePanel(
        PANEL_TEMPLATE, BallotsPanel(meeting.id, meeting.body_id, rows, may_run)
    )
