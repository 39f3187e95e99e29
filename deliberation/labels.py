"""Display names (msgids) of deliberation's enums, translated where shown."""

from __future__ import annotations

from enum import StrEnum

from deliberation.agenda.models import (
    AgendaItemKind,
    AgendaStatus,
    AgendaVariant,
    ItemOutcome,
    SuggestionStatus,
)
from forum.i18n import gettext

LABELS: dict[StrEnum, str] = {
    AgendaItemKind.information: "For information",
    AgendaItemKind.confirm_minutes: "Confirmation of the minutes",
    AgendaItemKind.follow_up: "Follow-up",
    AgendaItemKind.consideration: "For consideration",
    AgendaItemKind.other: "Other matters",
    AgendaStatus.draft: "Being prepared",
    AgendaStatus.published: "Published",
    AgendaStatus.revising: "New version being prepared",
    AgendaVariant.five_parts: "The standard five parts",
    AgendaVariant.six_parts: "Six parts (with matters proposed for information)",
    AgendaVariant.custom: "The body's own parts",
    SuggestionStatus.pending: "Awaiting an answer",
    SuggestionStatus.accepted: "Accepted",
    SuggestionStatus.merged: "Merged into an item",
    SuggestionStatus.declined: "Declined",
}
# Apart: ItemOutcome.pending is the same dict key as SuggestionStatus.pending (both are the
# str "pending").
OUTCOME_LABELS: dict[str, str] = {
    ItemOutcome.pending: "No resolution yet",
    ItemOutcome.noted: "Noted by the meeting",
    ItemOutcome.approved: "Approved by the meeting",
    ItemOutcome.rejected: "Not approved by the meeting",
    ItemOutcome.deferred: "Consideration deferred",
    ItemOutcome.assigned: "Assigned, to report back",
}


def _msgid(value: StrEnum) -> str:
    return OUTCOME_LABELS[value] if isinstance(value, ItemOutcome) else LABELS[value]


def text(value: StrEnum) -> str:
    """The translated display name of one of deliberation's enum values."""
    return gettext(_msgid(value))


def options(enum_type: type[StrEnum]) -> list[tuple[str, str]]:
    """(value, translated name) pairs for a select box, in declaration order."""
    return [(member.value, gettext(_msgid(member))) for member in enum_type]
