"""The one place where the agenda's texts are handed to search (deliberation.search):
items, suggestions, posts and resolutions are indexed in the caller's transaction, before
its commit. The kinds of entry and the pages their results open are registered by the
package's manifest."""

from __future__ import annotations

from typing import Any

from sqlmodel import Session, col, or_, select

from deliberation import search
from deliberation.agenda.models import Agenda, AgendaItem, AgendaSuggestion
from deliberation.discussion import mentions
from deliberation.models import SearchEntry
from forum.models import Meeting


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
    """An agenda item was removed (and with it its resolution)."""
    search.remove_entry(session, kind="agenda_item", ref_id=item_id)
    search.remove_entry(session, kind="resolution", ref_id=item_id)


def index_resolution(session: Session, item: AgendaItem, meeting: Any) -> None:
    """The meeting recorded an item's outcome: its resolution (มติที่ประชุม) and discussion
    summary are found under the item's title; an outcome with neither is not an entry."""
    text = "\n\n".join(part for part in (item.resolution, item.discussion_summary) if part)
    if not text.strip():
        search.remove_entry(session, kind="resolution", ref_id=item.id)  # type: ignore[arg-type]
        return
    search.index_entry(
        session,
        kind="resolution",
        ref_id=item.id,  # type: ignore[arg-type]
        body_id=meeting.body_id,
        meeting_id=meeting.id,
        title=item.title,
        text=text,
    )


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


# -- discussion posts -------------------------------------------------------------------



def index_post(session: Session, post: Any, item_title: str) -> None:
    """A post was written, edited or shown again; its title is its item's."""
    search.index_entry(
        session,
        kind="post",
        ref_id=post.id,
        body_id=post.body_id,
        meeting_id=post.meeting_id,
        title=item_title,
        # a mention reads as the name it names, in results as on the page
        text=mentions.MENTION.sub(r"@\1", post.body),
    )


def unindex_post(session: Session, post_id: int) -> None:
    """A post was hidden (or removed with its item)."""
    search.remove_entry(session, kind="post", ref_id=post_id)


def unindex_meeting(session: Session, meeting_id: int) -> None:
    """Take every entry of a meeting out of the index (a draft meeting deleted; no commit)."""
    for entry in session.exec(select(SearchEntry).where(SearchEntry.meeting_id == meeting_id)):
        session.delete(entry)


def index_recorded_resolutions(engine: Any) -> int:
    """Outcomes recorded before resolutions were indexed (migration 0010), indexed now; a
    start-up task (deliberation's manifest), quick when none is missing. Returns how many."""

    with Session(engine) as session:
        indexed = select(SearchEntry.ref_id).where(SearchEntry.kind == "resolution")
        missing = session.exec(
            select(AgendaItem, Meeting)
            .join(Agenda, col(Agenda.id) == AgendaItem.agenda_id)
            .join(Meeting, col(Meeting.id) == Agenda.meeting_id)
            .where(
                or_(AgendaItem.resolution != "", AgendaItem.discussion_summary != ""),
                col(AgendaItem.id).not_in(indexed),
            )
        ).all()
        for item, meeting in missing:
            index_resolution(session, item, meeting)
        session.commit()
    return len(missing)

