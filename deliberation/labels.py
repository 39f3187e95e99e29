"""Display names (msgids) of deliberation's enums, translated where shown."""

from __future__ import annotations

from enum import StrEnum

from deliberation.models import AgendaItemKind, AgendaStatus, AgendaVariant, SuggestionStatus
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


def text(value: StrEnum) -> str:
    """The translated display name of one of deliberation's enum values."""
    return gettext(LABELS[value])


def options(enum_type: type[StrEnum]) -> list[tuple[str, str]]:
    """(value, translated name) pairs for a select box, in declaration order."""
    return [(member.value, gettext(LABELS[member])) for member in enum_type]
