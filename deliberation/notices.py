"""What deliberation tells people about (forum.notifications): its kinds of notification,
and the two agenda notices, called inside the services' own transactions.

The threads' notices (`reply`, `mention`) are registered here too; their callers pass
params {"topic": the thread's or item's title} (the author's name is %(actor)s, filled
in from the notification's actor when it is shown).
"""

from __future__ import annotations

from sqlmodel import Session, select

from deliberation.agenda.models import Agenda, AgendaItem, AgendaSuggestion, AgendaVersion
from forum.meetings import meeting_label
from forum.models import Body, Meeting, Membership
from forum.notifications import notify, register_kind
from forum.policy import Actor

AGENDA_PUBLISHED = "agenda_published"
SUGGESTION_ANSWERED = "suggestion_answered"
REPLY = "reply"
MENTION = "mention"

# What the settings on /me call each kind (msgids).
LABELS = {
    AGENDA_PUBLISHED: "Agendas published for my meetings",
    SUGGESTION_ANSWERED: "Answers to my agenda suggestions",
    REPLY: "Replies to my posts",
    MENTION: "Mentions of me",
}
# The messages (msgids); %(actor)s is who caused it. "kind:variant" picks params["variant"].
_MESSAGES = {
    AGENDA_PUBLISHED: "The agenda of meeting %(meeting)s of %(body)s is published.",
    f"{AGENDA_PUBLISHED}:revised": (
        "A new version (%(version)s) of the agenda of meeting %(meeting)s of %(body)s is published."
    ),
    SUGGESTION_ANSWERED: "Your agenda suggestion “%(title)s” was answered.",
    f"{SUGGESTION_ANSWERED}:accepted": (
        "Your agenda suggestion “%(title)s” was accepted into the agenda of meeting %(meeting)s."
    ),
    f"{SUGGESTION_ANSWERED}:merged": (
        "Your agenda suggestion “%(title)s” was merged into the agenda item “%(item)s” of"
        " meeting %(meeting)s."
    ),
    f"{SUGGESTION_ANSWERED}:declined": (
        "Your agenda suggestion “%(title)s” for meeting %(meeting)s was declined."
        " Reason: %(reason)s"
    ),
    REPLY: "%(actor)s replied to your post in “%(topic)s”.",
    MENTION: "%(actor)s mentioned you in “%(topic)s”.",
}
_EMAIL_BY_DEFAULT = {AGENDA_PUBLISHED: True, SUGGESTION_ANSWERED: True, REPLY: False, MENTION: True}

def register_kinds() -> None:
    """Declare the agenda's and the threads' notices (called by the package's manifest)."""
    for kind, label in LABELS.items():
        register_kind(
            kind,
            label=label,
            message=_MESSAGES[kind],
            variants={
                key.split(":", 1)[1]: text
                for key, text in _MESSAGES.items()
                if key.startswith(f"{kind}:")
            },
            email=_EMAIL_BY_DEFAULT[kind],
        )


def _meeting_params(session: Session, meeting: Meeting) -> dict[str, str]:
    body = session.get(Body, meeting.body_id)
    return {"meeting": meeting_label(meeting), "body": body.name if body else ""}


def agenda_published(
    session: Session, actor: Actor, agenda: Agenda, version: AgendaVersion
) -> None:
    """Every member of the body: the agenda (this version) is published."""
    meeting = session.get(Meeting, agenda.meeting_id)
    assert meeting is not None
    members = session.exec(
        select(Membership.person_id).where(Membership.body_id == meeting.body_id)
    ).all()
    params = _meeting_params(session, meeting) | {"version": str(version.number)}
    if version.number > 1:
        params["variant"] = "revised"
    notify(
        session,
        person_ids=members,
        kind=AGENDA_PUBLISHED,
        actor=actor,
        url=f"/meetings/{meeting.id}/agenda",
        params=params,
    )


def suggestion_answered(
    session: Session, actor: Actor, suggestion: AgendaSuggestion, meeting: Meeting
) -> None:
    """The member who suggested it: accepted, merged (into which item) or declined (why)."""
    item = session.get(AgendaItem, suggestion.item_id) if suggestion.item_id else None
    params = _meeting_params(session, meeting) | {
        "variant": str(suggestion.status),
        "title": suggestion.title,
        "item": item.title if item else "",
        "reason": suggestion.answer_reason,
    }
    notify(
        session,
        person_ids=[suggestion.suggested_by] if suggestion.suggested_by else [],
        kind=SUGGESTION_ANSWERED,
        actor=actor,
        url=f"/meetings/{meeting.id}/agenda#suggestion-{suggestion.id}",
        params=params,
    )
