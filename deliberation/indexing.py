"""The one place where the agenda's texts are handed to search (deliberation.search):
items and suggestions are indexed in the caller's transaction, before its commit."""

from __future__ import annotations

from typing import Any

from sqlmodel import Session

from deliberation import search
from deliberation.models import AgendaItem, AgendaSuggestion

# Search results open the agenda page at the item or suggestion (ids on templates/
# deliberation/agenda_page.html).
search.register_kind(
    "agenda_item", label="Agenda item", link="/meetings/{meeting_id}/agenda#agenda-item-{ref_id}"
)
search.register_kind(
    "agenda_suggestion",
    label="Agenda suggestion",
    link="/meetings/{meeting_id}/agenda#suggestion-{ref_id}",
)


def index_item(session: Session, item: AgendaItem, meeting: Any) -> None:
    """An agenda item was added or edited."""
    search.index_entry(
        session,
        kind="agenda_item",
        ref_id=item.id,  # type: ignore[arg-type]
        body_id=meeting.body_id,
        meeting_id=meeting.id,
        title=item.title,
        text=item.description,
    )


def unindex_item(session: Session, item_id: int) -> None:
    """An agenda item was removed."""
    search.remove_entry(session, kind="agenda_item", ref_id=item_id)


def index_suggestion(session: Session, suggestion: AgendaSuggestion, meeting: Any) -> None:
    """A suggestion was made."""
    search.index_entry(
        session,
        kind="agenda_suggestion",
        ref_id=suggestion.id,  # type: ignore[arg-type]
        body_id=meeting.body_id,
        meeting_id=meeting.id,
        title=suggestion.title,
        text=suggestion.rationale,
    )
