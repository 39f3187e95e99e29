"""Publishing the agenda: it is locked, numbered (parts 1..n, items 4.1, 4.2 … within each
part), recorded as a version (a JSON snapshot), and the meeting moves to
agenda_published. A later change goes through a new version: start it, change, publish.
Anyone who may see the meeting sees the versions and what changed between two of them.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlmodel import Session, col, select

from deliberation import notices
from deliberation.agenda import agendas
from deliberation.agenda.events import AgendaChanged
from deliberation.agenda.models import (
    Agenda,
    AgendaDocument,
    AgendaItem,
    AgendaStatus,
    AgendaVersion,
)
from deliberation.markdown import render_markdown
from forum import audit, events, meetings
from forum.errors import Conflict, InvalidInput, NotFound
from forum.forms import whole_number
from forum.i18n import gettext
from forum.models import Meeting, MeetingStatus, Person
from forum.policy import Actor

# -- the snapshot -------------------------------------------------------------------------


def snapshot(session: Session, agenda: Agenda) -> dict[str, Any]:
    """The agenda as it stands, numbered: what a version records and a diff compares."""
    parts = agendas.parts_of(session, agenda.id)  # type: ignore[arg-type]
    items = agendas.items_of(session, agenda.id)  # type: ignore[arg-type]
    documents: dict[int, list[str]] = {}
    for item_id, filename in session.exec(
        select(AgendaDocument.item_id, AgendaDocument.filename)
        .join(AgendaItem, col(AgendaItem.id) == AgendaDocument.item_id)
        .where(AgendaItem.agenda_id == agenda.id)
        .order_by(col(AgendaDocument.id))
    ).all():
        documents.setdefault(item_id, []).append(filename)
    people = _names(session, {item.presenter_id for item in items if item.presenter_id})
    shown = []
    for number, part in enumerate(parts, start=1):
        in_part = [item for item in items if item.part_id == part.id]
        shown.append(
            {
                "number": number,
                "kind": str(part.kind),
                "title": part.title,
                "items": [
                    {
                        "id": item.id,
                        "number": f"{number}.{position}",
                        "kind": str(item.kind),
                        "title": item.title,
                        "description": item.description,
                        "presenter": people.get(item.presenter_id or 0, item.presenter_name),
                        "time_box_minutes": item.time_box_minutes,
                        "documents": documents.get(item.id or 0, []),
                    }
                    for position, item in enumerate(in_part, start=1)
                ],
            }
        )
    return {"parts": shown}


def _names(session: Session, person_ids: set[int | None]) -> dict[int, str]:
    ids = [person_id for person_id in person_ids if person_id]
    if not ids:
        return {}
    rows = session.exec(select(Person.id, Person.display_name).where(col(Person.id).in_(ids)))
    return {person_id: name for person_id, name in rows.all() if person_id is not None}


def _record_version(session: Session, actor: Actor, agenda: Agenda) -> AgendaVersion:
    """Lock and number the agenda and record its next version (committed by the caller)."""
    before = audit.snapshot(agenda)
    number = agenda.published_version + 1
    version = AgendaVersion(
        agenda_id=agenda.id,  # type: ignore[arg-type]
        number=number,
        snapshot=snapshot(session, agenda),
        published_by=actor.person_id,
    )
    session.add(version)
    agenda.status, agenda.published_version = AgendaStatus.published, number
    agenda.published_at = version.published_at
    session.flush()
    audit.record(session, actor, "deliberation.agenda.publish", agenda, before=before)
    # The body's members are told in this transaction (emails go after the commit).
    notices.agenda_published(session, actor, agenda, version)
    return version


UNPUBLISHED_VERSION = (
    "The agenda has a new version that is not published yet. Publish it on the agenda page "
    "before the meeting starts, so that everyone follows the same agenda."
)


def on_meeting_stage(session: Session, actor: Actor, meeting: Meeting, to: MeetingStatus) -> None:
    """forum.meetings.STATUS_HOOKS: however the meeting reaches agenda_published (here, or
    the meeting page's own button), its agenda is published with it; and a meeting starts
    on a published agenda, never on a new version still being prepared (Conflict)."""
    if to == MeetingStatus.live:
        running = agendas.agenda_of(session, meeting.id)  # type: ignore[arg-type]
        if running is not None and running.status == AgendaStatus.revising:
            raise Conflict(UNPUBLISHED_VERSION)
        return
    if to != MeetingStatus.agenda_published:
        return
    agenda = agendas.agenda_of(session, meeting.id)  # type: ignore[arg-type]
    if agenda is None:
        agenda = agendas.build_agenda(session, meeting)
        audit.record(session, actor, "deliberation.agenda.create", agenda)
    if agenda.status != AgendaStatus.published:
        # Claimed, so an edit made meanwhile (which claims it too) is not published unseen.
        agendas.claim_agenda(session, agenda, agenda.version)
        _record_version(session, actor, agenda)
        events.record(session, AgendaChanged(meeting.id))  # type: ignore[arg-type]



# -- use cases ----------------------------------------------------------------------------


def publish_agenda(
    session: Session, actor: Actor, *, meeting_id: int, version: int | None
) -> AgendaVersion:
    """Publish the agenda (the first time, the meeting moves to agenda_published with it),
    or a new version of it. Raises Forbidden, NotFound, Conflict, StaleEdit."""
    agenda, meeting = agendas.agenda_for_edit(
        session, actor, meeting_id=meeting_id, action="deliberation.agenda.publish"
    )
    if meeting.status == MeetingStatus.closed:
        raise Conflict(agendas.CLOSED)
    if agenda.status == AgendaStatus.published:
        raise Conflict("This version of the agenda is already published.")
    if agenda.status == AgendaStatus.draft and meeting.status != MeetingStatus.agenda_open:
        raise Conflict(
            "Open the agenda for suggestions first (the meeting's next stage), then publish it."
        )
    agendas.claim_agenda(session, agenda, version)
    if agenda.status == AgendaStatus.draft:
        # The meeting's own stage change, with its checks; its hook records the version.
        meetings.advance_status(
            session,
            actor,
            meeting_id=meeting_id,
            to=MeetingStatus.agenda_published,
            version=meeting.version,
        )
    else:
        _record_version(session, actor, agenda)
        session.commit()
        events.record(session, AgendaChanged(agenda.meeting_id))
    return _latest(session, agenda)


def start_new_version(
    session: Session, actor: Actor, *, meeting_id: int, version: int | None
) -> Agenda:
    """Unlock a published agenda to prepare its next version. Raises Forbidden, NotFound,
    Conflict, StaleEdit."""
    agenda = start_new_version_in_transaction(
        session, actor, meeting_id=meeting_id, version=version
    )
    session.commit()
    events.record(session, AgendaChanged(agenda.meeting_id))
    return agenda


def start_new_version_in_transaction(
    session: Session, actor: Actor, *, meeting_id: int, version: int | None
) -> Agenda:
    """start_new_version in the caller's transaction (it commits, and records
    AgendaChanged)."""
    agenda, meeting = agendas.agenda_for_edit(session, actor, meeting_id=meeting_id)
    if meeting.status == MeetingStatus.closed:
        raise Conflict(agendas.CLOSED)
    if agenda.status != AgendaStatus.published:
        raise Conflict("The agenda is not published: change it directly.")
    agendas.claim_agenda(session, agenda, version)
    before = audit.snapshot(agenda)
    agenda.status = AgendaStatus.revising
    audit.record(session, actor, "deliberation.agenda.start_version", agenda, before=before)
    session.flush()
    return agenda


def _latest(session: Session, agenda: Agenda) -> AgendaVersion:
    found = session.exec(
        select(AgendaVersion).where(
            AgendaVersion.agenda_id == agenda.id, AgendaVersion.number == agenda.published_version
        )
    ).one()
    return found


# -- versions and what changed --------------------------------------------------------------


@dataclass(frozen=True)
class VersionLine:
    number: int
    published_at: Any
    published_by: str


@dataclass(frozen=True)
class FieldChange:
    field: str  # translated
    before: str
    after: str


@dataclass(frozen=True)
class ItemChange:
    number: str
    title: str
    changes: list[FieldChange]


@dataclass(frozen=True)
class VersionDiff:
    older: int
    newer: int
    added: list[dict[str, Any]]
    removed: list[dict[str, Any]]
    changed: list[ItemChange]


@dataclass(frozen=True)
class AgendaVersions:
    meeting: Meeting
    versions: list[VersionLine]
    diff: VersionDiff | None


FIELD_LABELS = {
    "number": "Number",
    "part": "Part",
    "title": "Title",
    "description": "Description",
    "presenter": "Presenter",
    "time_box_minutes": "Time (minutes)",
    "documents": "Documents",
}


def _items(snap: dict[str, Any]) -> dict[int, dict[str, Any]]:
    return {
        item["id"]: item | {"part": f"{part['number']}. {part['title']}"}
        for part in snap.get("parts", [])
        for item in part["items"]
    }


def _shown(value: Any) -> str:
    if isinstance(value, list):
        return ", ".join(str(v) for v in value)
    return "" if value is None else str(value)


def diff_snapshots(older: dict[str, Any], newer: dict[str, Any]) -> tuple[list, list, list]:
    """(added items, removed items, changed items with their fields) between two snapshots."""
    old, new = _items(older), _items(newer)
    added = [item for item_id, item in new.items() if item_id not in old]
    removed = [item for item_id, item in old.items() if item_id not in new]
    changed = []
    for item_id, item in new.items():
        if item_id not in old:
            continue
        fields = [
            FieldChange(gettext(label), _shown(old[item_id].get(name)), _shown(item.get(name)))
            for name, label in FIELD_LABELS.items()
            if old[item_id].get(name) != item.get(name)
        ]
        if fields:
            changed.append(ItemChange(item["number"], item["title"], fields))
    return added, removed, changed


def agenda_versions(
    session: Session, actor: Actor, *, meeting_id: int, older: Any = None, newer: Any = None
) -> AgendaVersions:
    """The published versions, newest first, and what changed between two of them (by
    default the last two). Raises Forbidden, NotFound, InvalidInput."""
    agenda, meeting = agendas.ensure_agenda(session, actor, meeting_id=meeting_id)
    rows = session.exec(
        select(AgendaVersion)
        .where(AgendaVersion.agenda_id == agenda.id)
        .order_by(col(AgendaVersion.number).desc())
    ).all()
    names = _names(session, {row.published_by for row in rows})
    lines = [
        VersionLine(row.number, row.published_at, names.get(row.published_by or 0, ""))
        for row in rows
    ]
    by_number = {row.number: row for row in rows}
    if older in (None, "") and newer in (None, ""):
        if len(rows) < 2:
            return AgendaVersions(meeting, lines, None)
        older, newer = rows[1].number, rows[0].number
    first, second = whole_number(older), whole_number(newer)
    if first not in by_number or second not in by_number:
        raise InvalidInput({"older": "Choose two published versions of this agenda."})
    assert first is not None and second is not None
    added, removed, changed = diff_snapshots(by_number[first].snapshot, by_number[second].snapshot)
    return AgendaVersions(meeting, lines, VersionDiff(first, second, added, removed, changed))


@dataclass(frozen=True)
class VersionPage:
    meeting: Meeting
    label: str  # "3/2569"
    number: int
    published_at: Any
    published_by: str
    latest: int  # the newest published version's number
    parts: list[dict[str, Any]]  # the snapshot's, each item's description rendered safe


def version_page(session: Session, actor: Actor, *, meeting_id: int, number: int) -> VersionPage:
    """One published version as it was published. Raises Forbidden, NotFound."""
    version = get_version(session, actor, meeting_id=meeting_id, number=number)
    agenda = session.get(Agenda, version.agenda_id)
    meeting = session.get(Meeting, meeting_id)
    assert agenda is not None and meeting is not None
    parts = [
        part
        | {
            "items": [
                item | {"description_html": render_markdown(item.get("description") or "")}
                for item in part["items"]
            ]
        }
        for part in version.snapshot["parts"]
    ]
    names = _names(session, {version.published_by})
    return VersionPage(
        meeting,
        meetings.meeting_label(meeting),
        version.number,
        version.published_at,
        names.get(version.published_by or 0, ""),
        agenda.published_version,
        parts,
    )


def get_version(session: Session, actor: Actor, *, meeting_id: int, number: int) -> AgendaVersion:
    """Raises Forbidden, NotFound."""
    agenda, _meeting = agendas.ensure_agenda(session, actor, meeting_id=meeting_id)
    found = session.exec(
        select(AgendaVersion).where(
            AgendaVersion.agenda_id == agenda.id, AgendaVersion.number == number
        )
    ).first()
    if found is None:
        raise NotFound()
    return found
