"""Reading the ballot pages' forms: a new ballot (its options one per line, a proposal's cost
after a "|"), and a voter's choice as each method's form sends it — without JavaScript, so
the form is plain fields: radio buttons, check boxes, a score or a rank per option."""

from __future__ import annotations

import json
from decimal import Decimal, InvalidOperation
from typing import Any

from forum.errors import InvalidInput
from forum.forms import ascii_digits, clean_text
from voting import tally
from voting.ballots import OptionSpec
from voting.models import (
    Ballot,
    BallotMethod,
    BallotOption,
    Eligibility,
    RankedRule,
    ResultsShown,
    Secrecy,
)

MAX_BAHT = Decimal("100000000000")  # a hundred billion baht: more is a typing mistake


def baht_to_satang(text: Any) -> int:
    """ "1,250,000.50" (Thai digits too) → 125000050. Raises ValueError."""
    cleaned = ascii_digits(str(text or "")).replace(",", "").replace("บาท", "").strip()
    try:
        amount = Decimal(cleaned)
    except InvalidOperation:
        raise ValueError(cleaned) from None
    if (
        not amount.is_finite()
        or amount < 0
        or amount > MAX_BAHT
        or amount != amount.quantize(Decimal("0.01"))
    ):
        raise ValueError(cleaned)
    return int(amount * 100)


def _choice(enum: type, value: Any, default: Any, field: str, problems: dict[str, str]) -> Any:
    try:
        return enum(value) if value not in (None, "") else default
    except ValueError:
        problems[field] = "Please choose one of the choices offered."
        return default


def _whole(value: Any, default: int, field: str, problems: dict[str, str]) -> int:
    text = ascii_digits(str(value or "")).strip()
    if not text:
        return default
    if not text.isdigit() or len(text) > 6:
        problems[field] = "Please write a whole number."
        return default
    return int(text)


def new_ballot(values: dict[str, Any]) -> dict[str, Any]:
    """The create_ballot arguments a new-ballot form gives. Raises InvalidInput."""
    problems: dict[str, str] = {}
    method = _choice(BallotMethod, values.get("method"), BallotMethod.motion, "method", problems)
    options: list[OptionSpec] = []
    for line in clean_text(values.get("options", ""), multiline=True).splitlines():
        label, _bar, cost = line.partition("|")
        if not label.strip():
            continue
        try:
            satang = baht_to_satang(cost) if cost.strip() else None
        except ValueError:
            problems["options"] = (
                "Write each proposal's cost after a | in baht, as 250000 or 250,000.50."
            )
            satang = None
        options.append(OptionSpec(label.strip(), satang))
    budget = None
    if str(values.get("budget", "")).strip():
        try:
            budget = baht_to_satang(values.get("budget"))
        except ValueError:
            problems["budget_satang"] = "Please give the budget to share, in baht."
    meeting_id = _whole(values.get("meeting_id"), 0, "meeting_id", problems) or None
    item_id = _whole(values.get("item_id"), 0, "item_id", problems) or None
    arguments = {
        "title": clean_text(values.get("title", "")),
        "question": clean_text(values.get("question", ""), multiline=True),
        "method": method,
        "options": options,
        "meeting_id": meeting_id,
        "item_id": item_id,
        "secrecy_": _choice(Secrecy, values.get("secrecy"), Secrecy.secret, "secrecy", problems),
        "eligibility": _choice(
            Eligibility, values.get("eligibility"), Eligibility.members, "eligibility", problems
        ),
        "results_shown": _choice(
            ResultsShown,
            values.get("results_shown"),
            ResultsShown.after_close,
            "results_shown",
            problems,
        ),
        "may_change": bool(values.get("may_change")),
        "majority": _choice(
            tally.Majority, values.get("majority"), tally.Majority.simple, "majority", problems
        ),
        "quorum": _whole(values.get("quorum"), 0, "quorum", problems),
        "most": _whole(values.get("most"), 1, "most", problems),
        "dots": _whole(values.get("dots"), 0, "dots", problems),
        "budget_satang": budget,
        "ranked_rule": _choice(
            RankedRule, values.get("ranked_rule"), RankedRule.schulze, "ranked_rule", problems
        ),
    }
    if problems:
        raise InvalidInput(problems)
    return arguments


def choice_from_form(ballot: Ballot, options: list[BallotOption], form: Any) -> Any:
    """The choice a ballot's form sends, in the shape voting.ballots.canonical reads:
    motion `choice`; approval and budget `option` (several); score `score-<id>`; dots
    `dots-<id>`; ranked `rank-<id>` (1 first; an option left blank is not ranked). Raises
    InvalidInput."""

    def number(field: str) -> int:
        text = ascii_digits(str(form.get(field) or "")).strip()
        if not text:
            return 0
        if not text.isdigit() or len(text) > 3:
            raise InvalidInput({"choice": "Please write whole numbers only."})
        return int(text)

    match ballot.method:
        case BallotMethod.motion:
            return str(form.get("choice") or "")
        case BallotMethod.approval | BallotMethod.budget:
            return [str(value) for value in form.getlist("option")]
        case BallotMethod.score:
            return {option.id: number(f"score-{option.id}") for option in options}
        case BallotMethod.dots:
            return {option.id: number(f"dots-{option.id}") for option in options}
        case BallotMethod.ranked:
            ranks = {option.id: number(f"rank-{option.id}") for option in options}
            given = sorted((rank, option) for option, rank in ranks.items() if rank)
            if len({rank for rank, _ in given}) != len(given):
                raise InvalidInput(
                    {"choice": "Give each option its own rank: two options have the same number."}
                )
            return [option for _rank, option in given]
    return None


def choice_from_hidden(text: Any) -> Any:
    """The confirm page carries the choice as JSON in a hidden field."""
    try:
        return json.loads(str(text or ""))
    except ValueError:
        raise InvalidInput({"choice": "This choice cannot be read: please choose again."}) from None
