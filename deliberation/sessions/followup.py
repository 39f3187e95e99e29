"""After the hall (issue 4, parts 1 and 7): the session's share link with a Thai invitation
for LINE, and taking an idea or a theme forward — into an item of a meeting's agenda
(through deliberation.agenda, with its permissions and versions) or into a project-proposal
draft (until the voting issue brings proposals, the LivePromotion row is the draft). Each
promotion is linked back to the ideas it came from.

LINE shares differently by device: on a phone its URL scheme (line.me/R/share) opens the
app with the text ready to send; on a computer, where the scheme does nothing, the web
share plugin (social-plugins.line.me/lineit/share) takes the link and the text.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any
from urllib.parse import quote, urlencode

import sqlalchemy as sa
from sqlmodel import Session, col, select

from deliberation.agenda import agendas, publishing
from deliberation.agenda.events import AgendaChanged
from deliberation.agenda.models import Agenda, AgendaItem, AgendaItemKind, AgendaStatus
from deliberation.markdown import check_markup
from deliberation.sessions import sessions
from deliberation.sessions.models import (
    IdeaStatus,
    LiveCluster,
    LiveIdea,
    LiveParticipant,
    LivePromotion,
    LivePromotionIdea,
    LiveSession,
    PromotionTarget,
)
from forum import audit, events, meetings
from forum.dates import format_datetime
from forum.db import utcnow
from forum.errors import FieldMessage, InvalidInput, NotFound
from forum.forms import clean_text, whole_number
from forum.i18n import gettext, translate
from forum.models import Meeting, MeetingStatus
from forum.policy import Actor

LINE_APP_SHARE = "https://line.me/R/share?text="
LINE_WEB_SHARE = "https://social-plugins.line.me/lineit/share?"
# Phones and tablets (LINE's own in-app browser says "Line/<version>").
_PHONE = re.compile(r"iPhone|iPad|iPod|Android|Mobile|Line/|Windows Phone|BlackBerry", re.I)
MAX_TITLE = 300
MAX_BODY = 20_000
SAME_PROMOTION_WINDOW = timedelta(minutes=1)  # a double submit makes one promotion


# -- sharing ---------------------------------------------------------------------------------


def is_phone(user_agent: str | None) -> bool:
    """A phone or a tablet, where LINE's URL scheme opens the app."""
    return bool(user_agent) and _PHONE.search(user_agent or "") is not None


def invitation_text(
    *,
    prompt: str,
    meeting_title: str,
    meeting_label: str,
    starts_at: datetime,
    venue: str,
    code: str,
    url: str,
    locale: str = "th",
) -> str:
    """The Thai invitation sent with the link: the question, the meeting and its date in
    the Buddhist Era, the venue (when set), the code and the link."""
    meeting = meeting_title.strip() or translate(
        "Meeting no. %(label)s", locale, label=meeting_label
    )
    lines = [
        translate("You are invited to share your ideas on: %(prompt)s", locale, prompt=prompt),
        translate("Meeting: %(meeting)s", locale, meeting=meeting),
        translate("When: %(when)s", locale, when=format_datetime(starts_at, locale)),
    ]
    if venue.strip():
        lines.append(translate("Venue: %(venue)s", locale, venue=venue.strip()))
    lines += [
        translate("Session code: %(code)s", locale, code=code),
        translate("Join here: %(url)s", locale, url=url),
    ]
    return "\n".join(lines)


def line_share_url(text: str, url: str, *, phone: bool) -> str:
    """LINE's share address for the device: the app's URL scheme on a phone (the text holds
    the link), the web share plugin on a computer."""
    if phone:
        return LINE_APP_SHARE + quote(text, safe="")
    return LINE_WEB_SHARE + urlencode({"url": url, "text": text}, quote_via=quote)


@dataclass(frozen=True)
class ShareLinks:
    join_url: str
    text: str
    app_url: str  # LINE on a phone
    web_url: str  # LINE on a computer

    def line_url(self, user_agent: str | None) -> str:
        return self.app_url if is_phone(user_agent) else self.web_url


def share_links(view: sessions.SessionView, *, base_url: str, locale: str = "th") -> ShareLinks:
    """The session's link and its invitation, ready for LINE on either device."""
    url = sessions.join_url(base_url, view.live)
    text = invitation_text(
        prompt=view.live.prompt,
        meeting_title=view.meeting.title,
        meeting_label=meetings.meeting_label(view.meeting),
        starts_at=view.meeting.starts_at,
        venue=view.meeting.venue,
        code=view.live.code,
        url=url,
        locale=locale,
    )
    return ShareLinks(
        url, text, line_share_url(text, url, phone=True), line_share_url(text, url, phone=False)
    )


# -- what is taken forward -------------------------------------------------------------------


@dataclass(frozen=True)
class SourceIdea:
    id: int
    text: str
    votes: int
    author: str


@dataclass(frozen=True)
class PromoteSource:
    """An idea, or a theme's ideas, with the title and body the form starts from."""

    idea_ids: tuple[int, ...]
    cluster_id: int | None
    title: str
    body: str
    ideas: list[SourceIdea]


def _source_ideas(session: Session, ideas: list[LiveIdea]) -> list[SourceIdea]:
    people = {
        p.id: p
        for p in session.exec(
            select(LiveParticipant).where(
                col(LiveParticipant.id).in_({idea.participant_id for idea in ideas})
            )
        ).all()
    }
    names = sessions.person_names(
        session, {p.person_id for p in people.values() if p.show_account_name and p.person_id}
    )
    return [
        SourceIdea(
            idea.id,  # type: ignore[arg-type]
            idea.text,
            idea.votes,
            sessions.public_name(
                people[idea.participant_id], names.get(people[idea.participant_id].person_id or 0)
            ),
        )
        for idea in ideas
    ]


def _body_of(ideas: list[SourceIdea]) -> str:
    """The ideas as a Markdown list with their votes (one line each)."""
    return "\n".join(
        "- "
        + gettext("%(text)s (%(count)s votes)", text=" ".join(idea.text.split()), count=idea.votes)
        for idea in ideas
    )


def _source(session: Session, session_id: int, idea_id: Any, cluster_id: Any) -> PromoteSource:
    if idea_id not in (None, ""):
        idea = session.get(LiveIdea, whole_number(idea_id, field="idea_id") or 0)
        if idea is None or idea.session_id != session_id:
            raise InvalidInput(message="This idea is not in this session.")
        if idea.status == IdeaStatus.merged:
            raise InvalidInput(
                message="This idea was merged into another one: take that one forward instead."
            )
        if idea.status != IdeaStatus.shown:  # what goes on an agenda is what the hall saw
            raise InvalidInput(message="Only a shown idea can be taken forward: approve it first.")
        rows = _source_ideas(session, [idea])
        return PromoteSource(
            (idea.id,), None, " ".join(idea.text.split())[:MAX_TITLE], _body_of(rows), rows
        )  # type: ignore[arg-type]
    if cluster_id not in (None, ""):
        cluster = session.get(LiveCluster, whole_number(cluster_id, field="cluster_id") or 0)
        if cluster is None or cluster.session_id != session_id:
            raise InvalidInput(message="This theme is not in this session.")
        ideas = list(
            session.exec(
                select(LiveIdea)
                .where(
                    LiveIdea.cluster_id == cluster.id,
                    LiveIdea.status == IdeaStatus.shown,  # never a pending or hidden idea
                )
                .order_by(col(LiveIdea.votes).desc(), col(LiveIdea.id))
            ).all()
        )
        if not ideas:
            raise InvalidInput(message="This theme has no ideas to take forward yet.")
        rows = _source_ideas(session, ideas)
        ids = tuple(sorted(idea.id for idea in ideas))  # type: ignore[misc]
        return PromoteSource(ids, cluster.id, cluster.name, _body_of(rows), rows)
    raise InvalidInput(message="Choose an idea or a theme to take forward.")


def target_meetings(session: Session, view: sessions.SessionView) -> list[Meeting]:
    """The meetings an idea may go to the agenda of: the session's own, and the body's
    others that have not ended (the session's own first)."""
    rows = session.exec(
        select(Meeting)
        .where(Meeting.body_id == view.body_id, Meeting.status != MeetingStatus.closed)
        .order_by(col(Meeting.starts_at), col(Meeting.id))
    ).all()
    return sorted(rows, key=lambda meeting: meeting.id != view.meeting.id)


@dataclass(frozen=True)
class PromoteForm:
    view: sessions.SessionView
    source: PromoteSource
    meetings: list[Meeting]


def promote_form(
    session: Session, actor: Actor, *, session_id: int, idea_id: Any = None, cluster_id: Any = None
) -> PromoteForm:
    """What the form to take an idea or a theme forward starts from. Raises Forbidden,
    NotFound, InvalidInput (unknown idea or theme, or one of another session)."""
    view = sessions.get_session(session, actor, session_id=session_id)
    source = _source(session, view.id, idea_id, cluster_id)
    return PromoteForm(view, source, target_meetings(session, view))


def _target_meeting(session: Session, view: sessions.SessionView, meeting_id: Any) -> Meeting:
    meeting = session.get(Meeting, whole_number(meeting_id, field="meeting_id") or 0)
    if meeting is None or meeting.body_id != view.body_id:
        raise InvalidInput({"meeting_id": "Choose a meeting of this body."})
    if meeting.status == MeetingStatus.closed:
        raise InvalidInput(
            {"meeting_id": "This meeting has ended: choose one that has not taken place yet."}
        )
    return meeting


def _checked(title: Any, body: Any, target: Any) -> tuple[str, str, PromotionTarget]:
    problems: dict[str, str | FieldMessage] = {}
    heading = clean_text(title) if isinstance(title, str) else ""
    text = clean_text(body, multiline=True) if isinstance(body, str) else ""
    if not heading:
        problems["title"] = "Please give a title."
    elif len(heading) > MAX_TITLE:
        problems["title"] = FieldMessage(
            "This is too long: at most %(max_length)s characters.", {"max_length": MAX_TITLE}
        )
    if len(text) > MAX_BODY:
        problems["body"] = FieldMessage(
            "This is too long: at most %(max_length)s characters.", {"max_length": MAX_BODY}
        )
    if target not in tuple(PromotionTarget):
        problems["target"] = "Please choose where to take it."
    if problems:
        raise InvalidInput(problems)
    return heading, text, PromotionTarget(target)


def _recent_same(
    session: Session,
    session_id: int,
    target: PromotionTarget,
    idea_ids: tuple[int, ...],
    meeting_id: int | None,
) -> LivePromotion | None:
    """The same ideas taken to the same place within the last minute (a double submit)."""
    since = utcnow() - SAME_PROMOTION_WINDOW
    recent = session.exec(
        select(LivePromotion).where(
            LivePromotion.session_id == session_id,
            LivePromotion.target == target,
            col(LivePromotion.created_at) > since,
        )
    ).all()
    for promotion in recent:
        linked = session.exec(
            select(LivePromotionIdea.idea_id).where(LivePromotionIdea.promotion_id == promotion.id)
        ).all()
        if tuple(sorted(linked)) != idea_ids:
            continue
        if (
            target == PromotionTarget.agenda_item
            and _meeting_of_item(session, promotion.item_id) != meeting_id
        ):
            continue
        return promotion
    return None


def _meeting_of_item(session: Session, item_id: int | None) -> int | None:
    if item_id is None:
        return None
    return session.exec(
        select(Agenda.meeting_id)
        .join(AgendaItem, col(AgendaItem.agenda_id) == Agenda.id)
        .where(AgendaItem.id == item_id)
    ).first()


def _add_to_agenda(
    session: Session, actor: Actor, meeting: Meeting, title: str, body: str
) -> AgendaItem:
    """An item for consideration (เรื่องเพื่อพิจารณา) on the meeting's agenda, through the
    agenda's own use cases, in the caller's transaction: a published agenda starts its next
    version first."""
    agenda, _meeting = agendas.agenda_for_edit(session, actor, meeting_id=meeting.id)  # type: ignore[arg-type]
    if agenda.status == AgendaStatus.published:
        agenda = publishing.start_new_version_in_transaction(
            session,
            actor,
            meeting_id=meeting.id,
            version=agenda.version,  # type: ignore[arg-type]
        )
    parts = agendas.parts_of(session, agenda.id)  # type: ignore[arg-type]
    part = next(
        (p for p in parts if p.kind == AgendaItemKind.consideration),
        next((p for p in parts if p.kind == AgendaItemKind.other), parts[-1] if parts else None),
    )
    if part is None:
        raise InvalidInput({"meeting_id": "This meeting's agenda has no part to add an item to."})
    return agendas.add_item_in_transaction(
        session,
        actor,
        meeting_id=meeting.id,  # type: ignore[arg-type]
        version=agenda.version,
        part_id=part.id,
        title=title,
        description=body or None,
    )


def promote(
    session: Session,
    actor: Actor,
    *,
    session_id: int,
    idea_id: Any = None,
    cluster_id: Any = None,
    title: Any,
    body: Any = "",
    target: Any,
    meeting_id: Any = None,
) -> tuple[LivePromotion, bool]:
    """Take an idea or a theme (all its ideas) forward: into an item of a meeting's agenda
    (the session's meeting or another of the body's that has not ended), or into a
    proposal draft. The same ideas to the same place again within a minute return the
    first promotion (created False). Raises Forbidden (the agenda's own rule), NotFound,
    InvalidInput, Conflict, StaleEdit."""
    view = sessions.get_session(session, actor, session_id=session_id)
    source = _source(session, view.id, idea_id, cluster_id)
    heading, text, where = _checked(title, body, target)
    meeting = None
    if where == PromotionTarget.agenda_item:
        meeting = _target_meeting(session, view, meeting_id)
        check_markup(text, field="body")
    earlier = _recent_same(
        session, view.id, where, source.idea_ids, meeting.id if meeting else None
    )
    if earlier is not None:
        return earlier, False
    item = _add_to_agenda(session, actor, meeting, heading, text) if meeting else None
    promotion = LivePromotion(
        session_id=view.id,
        target=where,
        title=heading,
        body=text,
        cluster_id=source.cluster_id,
        item_id=item.id if item else None,
        created_by=actor.person_id,
    )
    session.add(promotion)
    session.flush()
    session.add_all(
        LivePromotionIdea(promotion_id=promotion.id, idea_id=idea)  # type: ignore[arg-type]
        for idea in source.idea_ids
    )
    audit.record(
        session,
        actor,
        "deliberation.live_session.promote",
        promotion,
        after={"target": where, "ideas": list(source.idea_ids), "item_id": promotion.item_id},
    )
    session.commit()  # one transaction: the agenda's new version, its item and the link
    if meeting is not None:
        events.record(session, AgendaChanged(meeting.id))  # type: ignore[arg-type]
    return promotion, True


# -- reading ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class PromotionRow:
    id: int
    session_id: int
    target: str
    title: str
    body: str
    created_at: datetime
    item_url: str | None  # the agenda item it became
    ideas: list[SourceIdea]

    @property
    def url(self) -> str:
        return f"/sessions/{self.session_id}/promotions/{self.id}"


def _rows(session: Session, promotions: list[LivePromotion]) -> list[PromotionRow]:
    if not promotions:
        return []
    ids = [p.id for p in promotions]
    links = session.exec(
        select(LivePromotionIdea.promotion_id, LiveIdea)
        .join(LiveIdea, col(LiveIdea.id) == LivePromotionIdea.idea_id)
        .where(col(LivePromotionIdea.promotion_id).in_(ids))
        .order_by(col(LiveIdea.votes).desc(), col(LiveIdea.id))
    ).all()
    shown = {row.id: row for row in _source_ideas(session, [idea for _p, idea in links])}
    by_promotion: dict[int, list[SourceIdea]] = {}
    for promotion_id, idea in links:
        by_promotion.setdefault(promotion_id, []).append(shown[idea.id])  # type: ignore[index]
    item_ids = [p.item_id for p in promotions if p.item_id]
    meetings_of = (
        dict(
            session.exec(
                select(AgendaItem.id, Agenda.meeting_id)
                .join(Agenda, col(Agenda.id) == AgendaItem.agenda_id)
                .where(col(AgendaItem.id).in_(item_ids))
            ).all()
        )
        if item_ids
        else {}
    )
    return [
        PromotionRow(
            p.id,  # type: ignore[arg-type]
            p.session_id,
            p.target,
            p.title,
            p.body,
            p.created_at,
            f"/meetings/{meetings_of[p.item_id]}/agenda/items/{p.item_id}"
            if p.item_id in meetings_of
            else None,
            by_promotion.get(p.id, []),  # type: ignore[arg-type]
        )
        for p in promotions
    ]


def promotions_of(session: Session, session_id: int) -> list[PromotionRow]:
    """What the session took forward, newest first (for its console, already authorised)."""
    promotions = session.exec(
        select(LivePromotion)
        .where(LivePromotion.session_id == session_id)
        .order_by(col(LivePromotion.id).desc())
    ).all()
    return _rows(session, list(promotions))


def get_promotion(
    session: Session, actor: Actor, *, session_id: int, promotion_id: int
) -> tuple[sessions.SessionView, PromotionRow]:
    """One promotion (a proposal draft's page) with its ideas. Raises Forbidden, NotFound."""
    view = sessions.get_session(session, actor, session_id=session_id)
    promotion = session.get(LivePromotion, promotion_id)
    if promotion is None or promotion.session_id != view.id:
        raise NotFound()
    return view, _rows(session, [promotion])[0]


def promotions_of_item(session: Session, item_id: int) -> list[PromotionRow]:
    """The promotions an agenda item came from (for a link back from the item's page;
    the caller has authorised the reader for the item's meeting)."""
    promotions = session.exec(
        select(LivePromotion)
        .where(LivePromotion.item_id == item_id)
        .order_by(col(LivePromotion.id))
    ).all()
    return _rows(session, list(promotions))


@dataclass(frozen=True)
class ItemOrigin:
    """A live session an agenda item came from, as every reader of the item sees it: the
    session's question and its ideas taken forward, with their votes (ideas are public
    within the session: no names; only ideas shown there, not pending or hidden ones).
    Hashable: the item's kept page names it in its key (the votes move with no agenda
    revision)."""

    promotion_id: int
    session_id: int
    prompt: str
    ideas: tuple[tuple[str, int], ...]  # (text, votes), most voted first

    @property
    def url(self) -> str:
        return f"/sessions/{self.session_id}/promotions/{self.promotion_id}"


# Built once: the item's page reads it on every request (an indexed read; nothing for most
# items).
_ORIGINS = (
    select(
        LivePromotion.id,
        LivePromotion.session_id,
        LiveSession.prompt,
        LiveIdea.text,
        LiveIdea.votes,
    )
    .join(LiveSession, col(LiveSession.id) == LivePromotion.session_id)
    .join(
        LivePromotionIdea,
        col(LivePromotionIdea.promotion_id) == LivePromotion.id,
        isouter=True,
    )
    .join(
        LiveIdea,
        sa.and_(
            col(LiveIdea.id) == LivePromotionIdea.idea_id,
            col(LiveIdea.status) == IdeaStatus.shown,
        ),
        isouter=True,
    )
    .where(LivePromotion.item_id == sa.bindparam("item_id"))
    .order_by(col(LivePromotion.id), col(LiveIdea.votes).desc(), col(LiveIdea.id))
)


def item_origins(session: Session, item_id: int) -> tuple[ItemOrigin, ...]:
    """The live sessions an agenda item came from, oldest promotion first, in one read
    (the caller has authorised the reader for the item's meeting)."""
    found: dict[int, tuple[int, str, list[tuple[str, int]]]] = {}
    for promotion_id, session_id, prompt, text, votes in session.execute(
        _ORIGINS, {"item_id": item_id}
    ).all():
        _sid, _prompt, ideas = found.setdefault(promotion_id, (session_id, prompt, []))
        if text is not None:
            ideas.append((text, votes))
    return tuple(
        ItemOrigin(promotion_id, session_id, prompt, tuple(ideas))
        for promotion_id, (session_id, prompt, ideas) in found.items()
    )
