"""Factories: real rows through the real models (no fixture files)."""

from __future__ import annotations

import itertools
from datetime import timedelta

from sqlmodel import Session, select

from forum import accounts, reference
from forum.db import utcnow
from forum.models import (
    Attendance,
    Body,
    BodyKind,
    Meeting,
    Membership,
    Organisation,
    OrganisationKind,
    Person,
    Province,
    Region,
    Role,
    Side,
)
from forum.policy import Actor
from forum.security import hash_password, new_numeric_code

_counter = itertools.count(1)
PASSWORD = "correct horse battery"
_PASSWORD_HASH = hash_password(PASSWORD)


def load_reference(session: Session) -> None:
    if session.exec(select(Region.id)).first() is None:
        reference.load_reference_data(session)


def region(session: Session, code: str = "north") -> Region:
    load_reference(session)
    return session.exec(select(Region).where(Region.code == code)).one()


def province(session: Session, name_th: str = "เชียงใหม่") -> Province:
    load_reference(session)
    return session.exec(select(Province).where(Province.name_th == name_th)).one()


def organisation(session: Session, *, name: str | None = None, kind: OrganisationKind = OrganisationKind.community_enterprise, province_id: int | None = None) -> Organisation:
    n = next(_counter)
    org = Organisation(name=name or f"วิสาหกิจชุมชนทดสอบ {n}", kind=kind, side=Side.office if kind == OrganisationKind.provincial_energy_office else Side.network, province_id=province_id)
    session.add(org)
    session.commit()
    return org


def person(session: Session, *, name: str | None = None, email: str | None = None, is_admin: bool = False, organisation_id: int | None = None) -> Person:
    n = next(_counter)
    row = Person(
        display_name=name or f"สมชาย ทดสอบ{n}",
        email=email or f"person{n}@example.org",
        password_hash=_PASSWORD_HASH,
        is_admin=is_admin,
        organisation_id=organisation_id,
    )
    session.add(row)
    session.commit()
    return row


def body(session: Session, *, name: str | None = None, kind: BodyKind = BodyKind.working_group, region_code: str = "north") -> Body:
    n = next(_counter)
    region_id = region(session, region_code).id if kind == BodyKind.working_group else None
    row = Body(kind=kind, name=name or f"คณะทำงานทดสอบ {n}", region_id=region_id)
    session.add(row)
    session.commit()
    return row


def member(session: Session, body_row: Body, role: Role = Role.member, *, person_row: Person | None = None) -> Person:
    person_row = person_row or person(session)
    session.add(Membership(body_id=body_row.id, person_id=person_row.id, role=role))
    session.commit()
    return person_row


def meeting(session: Session, body_row: Body, *, starts_in: timedelta = timedelta(hours=1), invite_members: bool = True, number: int | None = None, year_be: int | None = None) -> Meeting:
    starts_at = utcnow() + starts_in
    row = Meeting(
        body_id=body_row.id,
        year_be=year_be or starts_at.year + 543,
        number=number or next(_counter),
        title="การประชุมทดสอบ",
        starts_at=starts_at,
        ends_at=starts_at + timedelta(hours=3),
        venue="ห้องประชุมสำนักงานพลังงานจังหวัดเชียงใหม่",
        checkin_code=new_numeric_code(6),
    )
    session.add(row)
    session.flush()
    if invite_members:
        for person_id in session.exec(select(Membership.person_id).where(Membership.body_id == body_row.id)).all():
            session.add(Attendance(meeting_id=row.id, person_id=person_id))
    session.commit()
    return row


def actor(session: Session, person_row: Person) -> Actor:
    return accounts.actor_for(session, person_row)


# -- deliberation: agendas --------------------------------------------------------------


def agenda_meeting(session: Session, body_row: Body, *, status: str = "agenda_open", starts_in: timedelta = timedelta(days=7), **kwargs) -> Meeting:
    """A meeting at a stage of its agenda (agenda_open by default: members may suggest)."""
    from forum.models import MeetingStatus

    row = meeting(session, body_row, starts_in=starts_in, **kwargs)
    row.status = MeetingStatus(status)
    session.add(row)
    session.commit()
    return row


def agenda_item(session: Session, meeting_row: Meeting, *, title: str = "ขออนุมัติโครงการโซลาร์เซลล์", part_kind: str = "consideration", time_box_minutes: int | None = None):
    """An item added straight to the meeting's agenda (made if needed)."""
    from deliberation.agenda import agendas
    from deliberation.agenda.models import AgendaItem, AgendaPart

    agenda = agendas.agenda_of(session, meeting_row.id) or agendas.build_agenda(session, meeting_row)
    part = session.exec(select(AgendaPart).where(AgendaPart.agenda_id == agenda.id, AgendaPart.kind == part_kind)).first()
    count = len(session.exec(select(AgendaItem.id).where(AgendaItem.part_id == part.id)).all())
    item = AgendaItem(agenda_id=agenda.id, part_id=part.id, position=count + 1, kind=part.kind, title=title, time_box_minutes=time_box_minutes)
    session.add(item)
    session.commit()
    return item


# -- deliberation: discussion threads ------------------------------------------------------


def post(session: Session, item, author: Person, *, body: str = "เห็นด้วยกับโครงการนี้", stance: str | None = "for", parent=None):
    """A post in an item's thread (a reply when `parent` is given), written straight to the table."""
    from deliberation.agenda.models import Agenda
    from deliberation.discussion.models import Post

    agenda = session.get(Agenda, item.agenda_id)
    meeting_row = session.get(Meeting, agenda.meeting_id)
    row = Post(item_id=item.id, meeting_id=meeting_row.id, body_id=meeting_row.body_id, parent_id=parent.id if parent else None, author_id=author.id, stance=stance, body=body, body_html=f"<p>{body}</p>")
    session.add(row)
    session.commit()
    return row


# -- notifications ----------------------------------------------------------------------


def notification(session: Session, person_row: Person, *, kind: str = "agenda_published", actor_id: int | None = None, url: str = "/meetings/1/agenda", params: dict | None = None, read: bool = False):
    """A notification straight into a person's list (notify's rules are tested on their own)."""
    from forum.models import Notification

    row = Notification(person_id=person_row.id, kind=kind, actor_id=actor_id, url=url, params=params if params is not None else {"meeting": "1/2569", "body": "คณะทำงานภาคเหนือ"}, read_at=utcnow() if read else None)
    session.add(row)
    session.commit()
    return row
