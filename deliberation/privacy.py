"""PDPA for deliberation: what it holds about a person goes into their data export, and
is removed or anonymised when an administrator carries out their erasure (registered in
forum.privacy.EXPORT_HOOKS and ERASURE_HOOKS; the erasure runs in the core's transaction,
after the person's name, email, phone and position are gone and before the audit log is
redacted and the whole is committed).

What erasure does, record by record. The rule is the core's: the person's own words and
traces go; the meeting's record stays, pointing at the anonymised person ("(erased #id)"),
so counts and the agenda keep their integrity.

- Posts stay in their thread (the discussion is part of the meeting's record; replies to
  them keep their place, the for/against counts their stance), but their text and every
  earlier revision become "(removed at the author's request)"; they leave the search index
  and the post's version moves on (an edit in flight is refused as stale).
- Mentions go: those in the person's posts and those of the person in others' posts.
  Others' texts themselves are theirs and are not rewritten (an @[name] typed by someone
  else stays as typed; its link leads to the anonymised account).
- Suggestions: one that became an agenda item (accepted or merged) keeps its title, which
  is the office's agenda now, but loses its rationale (re-indexed without it; the item
  made from it keeps its description, the secretary's text to edit). A declined
  one keeps its status and the office's answer, its title and rationale removed (out of
  the search index). A pending one is withdrawn: deleted, with its supports and its entry.
- Supports of suggestions and read markers (how far the person read each thread) are
  deleted: they are the person's traces, of no use to anyone else.
- Agenda items the person presents keep the presenter (the anonymised account) but lose any
  typed presenter name, and published agenda versions show the anonymised name for them.
- Documents the person uploaded stay (they are the meeting's papers); `uploaded_by` points
  at the anonymised account.
- Live sessions the person joined as themselves: the participant stays (the session's
  counts and votes keep their integrity) but its nickname becomes the removal text, it
  no longer shows the account's name, and its device token is replaced (that phone no
  longer comes back as the person); the texts and categories of its ideas are removed.
  (A guest has no account to erase: a guest's ideas carry only the nickname they chose.)
- The audit log keeps the events, but snapshots of the person's posts, of suggestions
  whose text was removed and of their live ideas lose those texts, as forum.privacy does
  for the person's fields.
"""

from __future__ import annotations

import copy
import hashlib
import secrets
from datetime import datetime
from typing import Any

from markupsafe import escape
from sqlmodel import Session, and_, col, delete, or_, select, update

from deliberation import indexing, search
from deliberation.agenda.models import (
    Agenda,
    AgendaDocument,
    AgendaItem,
    AgendaSuggestion,
    AgendaVersion,
    SuggestionStatus,
    SuggestionSupport,
)
from deliberation.discussion.models import Post, PostMention, PostRevision, ThreadRead
from deliberation.sessions import live as sessions_live
from deliberation.sessions.models import (
    LiveConsent,
    LiveIdea,
    LiveIdeaVote,
    LiveParticipant,
    LivePollAnswer,
    LivePromotionIdea,
    LiveSession,
)
from deliberation.sessions.sessions import GUEST_NOTICE, GUEST_NOTICE_VERSION
from forum import audit, live
from forum.db import utcnow
from forum.errors import InvalidInput
from forum.i18n import DEFAULT_LOCALE, gettext, translate
from forum.models import AuditEvent, Meeting, Person
from forum.policy import ANONYMOUS
from forum.privacy import Retention

_MESSAGES = {"removed": "(removed at the author's request)"}
_ERASED = "(erased)"  # in the audit log, as forum.privacy writes it
_POST_TEXTS = ("body", "body_html")
_SUGGESTION_TEXTS = ("title", "rationale")


def removed_text() -> str:
    """What an erased author's post and removed texts say, in the platform's language
    (stored: the posts' text is stored as written, not translated when shown)."""
    return translate(_MESSAGES["removed"], DEFAULT_LOCALE)


# -- export ---------------------------------------------------------------------------


def _rows(session: Session, statement: Any, *, leave_out: tuple[str, ...] = ()) -> list[dict]:
    return [
        {key: value for key, value in (audit.snapshot(row) or {}).items() if key not in leave_out}
        for row in session.exec(statement)
    ]


def export_rows(session: Session, person_id: int) -> dict[str, Any]:
    """The person's posts (with their item and meeting), the earlier texts of those posts,
    their suggestions with the answers, their supports, read markers, the items they
    present and the documents they uploaded."""
    post_ids = select(Post.id).where(Post.author_id == person_id)
    participant_ids = select(LiveParticipant.id).where(LiveParticipant.person_id == person_id)
    return {
        "deliberation_posts": _rows(
            session,
            select(Post).where(Post.author_id == person_id).order_by(col(Post.id)),
            leave_out=("body_html",),
        ),
        "deliberation_post_revisions": _rows(
            session,
            select(PostRevision)
            .where(col(PostRevision.post_id).in_(post_ids))
            .order_by(col(PostRevision.post_id), col(PostRevision.number)),
        ),
        "deliberation_suggestions": _rows(
            session,
            select(AgendaSuggestion)
            .where(AgendaSuggestion.suggested_by == person_id)
            .order_by(col(AgendaSuggestion.id)),
        ),
        "deliberation_suggestion_supports": _rows(
            session,
            select(SuggestionSupport)
            .where(SuggestionSupport.person_id == person_id)
            .order_by(col(SuggestionSupport.id)),
        ),
        "deliberation_thread_reads": _rows(
            session,
            select(ThreadRead)
            .where(ThreadRead.person_id == person_id)
            .order_by(col(ThreadRead.id)),
        ),
        "deliberation_items_presented": _rows(
            session,
            select(AgendaItem)
            .where(AgendaItem.presenter_id == person_id)
            .order_by(col(AgendaItem.id)),
        ),
        "deliberation_live_consents": _rows(
            session,
            select(LiveConsent)
            .where(col(LiveConsent.participant_id).in_(participant_ids))
            .order_by(col(LiveConsent.id)),
        ),
        "deliberation_live_participations": _rows(
            session,
            select(LiveParticipant)
            .where(LiveParticipant.person_id == person_id)
            .order_by(col(LiveParticipant.id)),
            leave_out=("token_hash",),
        ),
        "deliberation_live_ideas": _rows(
            session,
            select(LiveIdea)
            .where(col(LiveIdea.participant_id).in_(participant_ids))
            .order_by(col(LiveIdea.id)),
        ),
        "deliberation_live_votes": _rows(
            session,
            select(LiveIdeaVote)
            .where(col(LiveIdeaVote.participant_id).in_(participant_ids))
            .order_by(col(LiveIdeaVote.id)),
        ),
        "deliberation_documents_uploaded": _rows(
            session,
            select(AgendaDocument)
            .where(AgendaDocument.uploaded_by == person_id)
            .order_by(col(AgendaDocument.id)),
            leave_out=("stored_name",),
        ),
    }


# -- erasure --------------------------------------------------------------------------


def erase_rows(session: Session, person_id: int) -> None:
    """Remove or anonymise the person's deliberation data as the module docstring says
    (no commit: forum.privacy.erase_person commits)."""
    removed = removed_text()
    post_ids = _neutralise_posts(session, person_id, removed)
    session.exec(  # type: ignore[call-overload]
        delete(PostMention).where(
            or_(
                col(PostMention.person_id) == person_id,
                col(PostMention.post_id).in_(post_ids or [-1]),
            )
        )
    )
    suggestion_ids = _erase_suggestions(session, person_id, removed)
    session.exec(delete(SuggestionSupport).where(col(SuggestionSupport.person_id) == person_id))  # type: ignore[call-overload]
    session.exec(delete(ThreadRead).where(col(ThreadRead.person_id) == person_id))  # type: ignore[call-overload]
    _anonymise_presenter(session, person_id)
    idea_ids = _erase_live_participation(session, person_id, removed)
    _redact_audit(session, "post", post_ids, _POST_TEXTS)
    _redact_audit(session, "agenda_suggestion", suggestion_ids, _SUGGESTION_TEXTS)
    _redact_audit(session, "live_idea", idea_ids, ("text", "category"))


def _erase_live_participation(session: Session, person_id: int, removed: str) -> list[int]:
    """The person's live-session participants erased (erase_participant); returns the
    ideas' ids."""
    participants = session.exec(
        select(LiveParticipant, LiveSession)
        .join(LiveSession, col(LiveSession.id) == LiveParticipant.session_id)
        .where(LiveParticipant.person_id == person_id)
    ).all()
    return [
        idea_id
        for participant, live_session in participants
        for idea_id in _erase_participant(session, participant, live_session, removed)
    ]


def _erase_participant(
    session: Session, participant: LiveParticipant, live_session: LiveSession, removed: str
) -> list[int]:
    """A participant anonymised (nickname removed, the device's token replaced: the device
    can no longer come back as them), their ideas' texts removed, the stored live frames
    with those texts and nicknames scrubbed, their consents withdrawn; returns the ideas'
    ids."""
    marks = [
        sessions_live.idea_mark(idea_id)
        for idea_id in session.exec(
            select(LiveIdea.id).where(LiveIdea.participant_id == participant.id)
        )
    ]
    live.scrub_frames(session, sessions_live.channel(live_session.code), marks)
    _anonymise(session, participant, removed)
    idea_ids: list[int] = []
    for idea in session.exec(
        select(LiveIdea).where(LiveIdea.participant_id == participant.id)
    ).all():
        idea.text, idea.category = removed, ""
        session.add(idea)
        idea_ids.append(idea.id)  # type: ignore[arg-type]
    now = utcnow()
    for consent in session.exec(
        select(LiveConsent).where(
            LiveConsent.participant_id == participant.id, col(LiveConsent.withdrawn_at).is_(None)
        )
    ).all():
        consent.withdrawn_at = now
        session.add(consent)
    return idea_ids


# -- a live session's guest: their own data, from their device (no account) ----------------


def participant_export(session: Session, participant: LiveParticipant) -> dict[str, Any]:
    """What a session keeps of this participant (the device that joined as them asks):
    the participant, their consents with the notice each was given to, their ideas, votes
    and poll answers."""
    live_session = session.get(LiveSession, participant.session_id)
    notices = {GUEST_NOTICE_VERSION: gettext(GUEST_NOTICE)}
    consents = _rows(
        session,
        select(LiveConsent)
        .where(LiveConsent.participant_id == participant.id)
        .order_by(col(LiveConsent.id)),
    )
    for consent in consents:
        consent["notice"] = notices.get(consent["notice_version"], "")
    return {
        "session": {
            "prompt": live_session.prompt if live_session else "",
            "code": live_session.code if live_session else "",
        },
        "participant": {
            key: value
            for key, value in (audit.snapshot(participant) or {}).items()
            if key != "token_hash"
        },
        "consents": consents,
        "ideas": _rows(
            session,
            select(LiveIdea)
            .where(LiveIdea.participant_id == participant.id)
            .order_by(col(LiveIdea.id)),
        ),
        "votes": _rows(
            session,
            select(LiveIdeaVote)
            .where(LiveIdeaVote.participant_id == participant.id)
            .order_by(col(LiveIdeaVote.idea_id)),
        ),
        "poll_answers": _rows(
            session,
            select(LivePollAnswer)
            .where(LivePollAnswer.participant_id == participant.id)
            .order_by(col(LivePollAnswer.id)),
        ),
    }


def erase_participant(session: Session, participant: LiveParticipant, *, confirmed: bool) -> None:
    """The participant's own erasure, from the device that joined as them: as an account's
    erasure does for its participations (_erase_participant), recorded in the audit log
    without the texts. Commits. Raises InvalidInput unless `confirmed`."""
    if not confirmed:
        raise InvalidInput({"confirm": "Please tick the box to confirm."})
    live_session = session.get(LiveSession, participant.session_id)
    if live_session is None:
        return
    removed = removed_text()
    idea_ids = _erase_participant(session, participant, live_session, removed)
    _redact_audit(session, "live_idea", idea_ids, ("text", "category"))
    audit.record(
        session,
        ANONYMOUS,
        "deliberation.live_participant.erase",
        target_type="live_participant",
        target_id=participant.id,
        after={"ideas": len(idea_ids)},
    )
    session.commit()


# -- retention -------------------------------------------------------------------------------


def forget_nicknames(session: Session, cutoff: datetime) -> int:
    """Sessions closed before `cutoff` keep their ideas, no longer who sent them: each
    participant's nickname is removed and their device's token replaced (forum.privacy's
    retention sweep; WETHI_RETAIN_SESSION_NICKNAMES_DAYS). Returns how many."""
    forgotten = removed_text()[:60]
    rows = session.exec(
        select(LiveParticipant)
        .join(LiveSession, col(LiveSession.id) == LiveParticipant.session_id)
        .where(
            col(LiveSession.closed_at).is_not(None),
            col(LiveSession.closed_at) < cutoff,
            LiveParticipant.nickname != forgotten,
        )
    ).all()
    for participant in rows:
        _anonymise(session, participant, forgotten)
    return len(rows)


def _anonymise(session: Session, participant: LiveParticipant, removed: str) -> None:
    """The participant's nickname replaced by `removed`, and their device's token by a
    random one: no device can come back as them."""
    participant.nickname = removed[:60]
    participant.show_account_name = False
    participant.token_hash = hashlib.sha256(secrets.token_bytes(32)).hexdigest()
    session.add(participant)


def _nickname_days(settings: Any) -> int:
    return settings.retain_session_nicknames_days


NICKNAMES = Retention(
    (
        "After a live session closes, its participants' nicknames: %(num)s day (its ideas stay, by no one).",
        "After a live session closes, its participants' nicknames: %(num)s days (its ideas stay, by no one).",
    ),
    _nickname_days,
    forget=forget_nicknames,
)


def forget_ideas(session: Session, cutoff: datetime) -> int:
    """Sessions closed before `cutoff` lose the ideas they did not take forward, with their
    votes (a hall's ideas may name people; forum.privacy's retention sweep,
    WETHI_RETAIN_SESSION_IDEAS_DAYS). What was taken forward stays: it is the record behind
    an agenda item or a proposal, long anonymous by then. Returns how many ideas."""
    closed = select(LiveSession.id).where(
        col(LiveSession.closed_at).is_not(None), col(LiveSession.closed_at) < cutoff
    )
    kept = select(LivePromotionIdea.idea_id)
    doomed = list(
        session.exec(
            select(LiveIdea.id).where(
                col(LiveIdea.session_id).in_(closed), col(LiveIdea.id).not_in(kept)
            )
        ).all()
    )
    for start in range(0, len(doomed), 500):
        batch = doomed[start : start + 500]
        session.exec(delete(LiveIdeaVote).where(col(LiveIdeaVote.idea_id).in_(batch)))  # type: ignore[call-overload]
        _redact_audit(session, "live_idea", batch, ("text", "category"))  # a correction kept both
        session.exec(  # a kept idea that others were merged into no longer points at them
            update(LiveIdea)
            .where(col(LiveIdea.merged_into_id).in_(batch))
            .values(merged_into_id=None)  # type: ignore[call-overload]
        )
        session.exec(delete(LiveIdea).where(col(LiveIdea.id).in_(batch)))  # type: ignore[call-overload]
    return len(doomed)


def _idea_days(settings: Any) -> int:
    return settings.retain_session_ideas_days


IDEAS = Retention(
    (
        "After a live session closes, the ideas it did not take forward, with their votes: %(num)s day.",
        "After a live session closes, the ideas it did not take forward, with their votes: %(num)s days.",
    ),
    _idea_days,
    forget=forget_ideas,
)


def _neutralise_posts(session: Session, person_id: int, removed: str) -> list[int]:
    posts = session.exec(select(Post).where(Post.author_id == person_id)).all()
    for post in posts:
        post.body, post.body_html = removed, f"<p>{escape(removed)}</p>"
        post.version += 1
        session.add(post)
        indexing.unindex_post(session, post.id)  # type: ignore[arg-type]
    post_ids = [post.id for post in posts]
    for revision in session.exec(
        select(PostRevision).where(col(PostRevision.post_id).in_(post_ids or [-1]))
    ):
        revision.body = removed
        session.add(revision)
    return post_ids  # type: ignore[return-value]


def _erase_suggestions(session: Session, person_id: int, removed: str) -> list[int]:
    """The ids of the suggestions whose texts were removed (or that were deleted)."""
    erased: list[int] = []
    suggestions = session.exec(
        select(AgendaSuggestion).where(AgendaSuggestion.suggested_by == person_id)
    ).all()
    for suggestion in suggestions:
        if suggestion.item_id is not None:  # on the agenda: its title is the office's now
            suggestion.rationale = ""
            session.add(suggestion)
            agenda = session.get(Agenda, suggestion.agenda_id)
            meeting = session.get(Meeting, agenda.meeting_id) if agenda else None
            if meeting is not None:
                indexing.index_suggestion(session, suggestion, meeting)
            continue
        erased.append(suggestion.id)  # type: ignore[arg-type]
        search.remove_entry(session, kind="agenda_suggestion", ref_id=suggestion.id)  # type: ignore[arg-type]
        if suggestion.status == SuggestionStatus.pending:  # withdrawn, with others' supports
            session.exec(  # type: ignore[call-overload]
                delete(SuggestionSupport).where(
                    col(SuggestionSupport.suggestion_id) == suggestion.id
                )
            )
            session.delete(suggestion)
        else:  # declined: the office's answer stays
            suggestion.title, suggestion.rationale = removed, ""
            session.add(suggestion)
    return erased


def _anonymise_presenter(session: Session, person_id: int) -> None:
    items = session.exec(select(AgendaItem).where(AgendaItem.presenter_id == person_id)).all()
    if not items:
        return
    for item in items:
        item.presenter_name = ""
        session.add(item)
    person = session.get(Person, person_id)
    shown = person.display_name if person else ""
    item_ids = {item.id for item in items}
    for version in session.exec(
        select(AgendaVersion).where(
            col(AgendaVersion.agenda_id).in_({item.agenda_id for item in items})
        )
    ):
        snapshot = copy.deepcopy(version.snapshot)
        for part in snapshot.get("parts", []):
            for entry in part.get("items", []):
                if entry.get("id") in item_ids:
                    entry["presenter"] = shown
        version.snapshot = snapshot  # a new value, so the JSON column is written
        session.add(version)


def _redact_audit(
    session: Session, target_type: str, target_ids: list[int], fields: tuple[str, ...]
) -> None:
    if not target_ids:
        return
    events = session.exec(
        select(AuditEvent).where(
            and_(AuditEvent.target_type == target_type, col(AuditEvent.target_id).in_(target_ids))
        )
    )
    for event in events:
        for side in ("before", "after"):
            values = getattr(event, side)
            if values and any(key in values for key in fields):
                setattr(
                    event,
                    side,
                    {key: (_ERASED if key in fields else value) for key, value in values.items()},
                )
        session.add(event)
