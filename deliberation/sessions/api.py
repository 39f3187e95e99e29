"""A live session's JSON API for its facilitators (/api/v1/meetings/<id>/sessions,
/api/v1/sessions/<id>/…): the session, its ideas and their moderation, themes, polls, the
export and taking ideas forward — over the same services and rules as the console
(deliberation.live_session.run: the body's officers and facilitators). Every change is
published live to the session's pages, as the console's forms do.

The hall takes part through the phone pages (/s/<code>), not here: a participant has a
device, not an account."""

from __future__ import annotations

from collections.abc import Callable
from typing import Annotated, Literal

from fastapi import APIRouter, Path, Request, Response
from pydantic import BaseModel, ConfigDict, Field
from sqlmodel import Session

from deliberation.sessions import clusters, followup, ideas, polls, sessions
from deliberation.sessions.models import IdeaStatus, LiveSessionStatus, PromotionTarget
from forum import meetings, policy
from forum.api.params import PathId
from forum.errors import Conflict, NotFound
from forum.models import SAYS_SOMETHING, ApiInput, BangkokDateTime, EditVersion, RecordId, said
from forum.policy import Actor
from forum.web import MemberDep, SessionDep, client_ip, public_url, publish

router = APIRouter(prefix="/api/v1", tags=["live sessions"])

IdeaLimit = Annotated[
    int,
    Field(
        ge=sessions.MIN_IDEA_LIMIT,
        le=sessions.MAX_IDEA_LIMIT,
        description="How many characters an idea may have.",
    ),
]
PollOption = Annotated[
    str, Field(max_length=polls.MAX_OPTION, json_schema_extra=SAYS_SOMETHING)  # type: ignore[arg-type]
]


# -- what the API answers ----------------------------------------------------------------------


class LiveSessionPublic(BaseModel):
    id: int
    meeting_id: int
    item_id: int | None
    prompt: str
    code: str = Field(description="The six digits the hall joins with.")
    join_url: str
    status: LiveSessionStatus
    premoderation: bool
    idea_limit: int
    participants: int
    ideas: int = Field(description="Ideas in, a merged idea counted once.")
    version: int
    created_at: BangkokDateTime
    closed_at: BangkokDateTime | None


class LiveSessionLine(BaseModel):
    id: int
    code: str
    prompt: str
    status: LiveSessionStatus


class LiveIdeaPublic(BaseModel):
    id: int
    text: str
    category: str
    author: str = Field(description="The nickname (or the member's name, if they chose).")
    votes: int
    status: IdeaStatus
    pinned: bool
    edited: bool
    merged_into_id: int | None
    theme_id: int | None
    created_at: BangkokDateTime


class ThemePublic(BaseModel):
    id: int
    name: str
    idea_ids: list[int]


class PollOptionPublic(BaseModel):
    id: int
    label: str
    votes: int
    percent: int = Field(description="Of the people who answered.")


class PollPublic(BaseModel):
    id: int
    question: str
    multiple: bool
    status: Literal["draft", "open", "closed"]
    version: int
    respondents: int
    options: list[PollOptionPublic]


class SourceIdeaPublic(BaseModel):
    id: int
    text: str
    votes: int
    author: str


class PromotionPublic(BaseModel):
    id: int
    target: PromotionTarget
    title: str
    body: str
    created_at: BangkokDateTime
    item_url: str | None = Field(description="The agenda item it became, if any.")
    ideas: list[SourceIdeaPublic]


class SessionExport(BaseModel):
    """Everything the session gathered, as its facilitators may keep it."""

    session: LiveSessionPublic
    ideas: list[LiveIdeaPublic]
    themes: list[ThemePublic]
    polls: list[PollPublic]
    promotions: list[PromotionPublic]


# -- what the API takes ---------------------------------------------------------------------


class SessionOpen(ApiInput):
    prompt: str = said(sessions.MAX_PROMPT, "The question put to the hall.")
    item_id: RecordId | None = Field(default=None, description="One of the meeting's agenda items.")
    premoderation: bool = False
    idea_limit: IdeaLimit = sessions.IDEA_LIMIT


class SessionStatusChange(ApiInput):
    to: Literal["pause", "resume", "close"]
    version: EditVersion


class SessionSettings(ApiInput):
    premoderation: bool
    idea_limit: IdeaLimit
    version: EditVersion


class IdeaModeration(ApiInput):
    action: Literal["approve", "hide", "restore", "pin", "unpin"]


class IdeaEdit(ApiInput):
    text: str = said(1000, "The idea as corrected (the session's own length limit applies).")


class IdeaMerge(ApiInput):
    into_id: RecordId


class ThemeName(ApiInput):
    name: str = said(clusters.MAX_NAME)


class IdeaTheme(ApiInput):
    theme_id: RecordId | None = Field(description="null takes the idea out of its theme.")


class PollCreate(ApiInput):
    question: str = said(polls.MAX_QUESTION)
    options: list[PollOption] = Field(
        min_length=polls.MIN_OPTIONS,
        max_length=polls.MAX_OPTIONS,
        description="Two to ten answers, each once.",
        json_schema_extra={"uniqueItems": True},
    )
    multiple: bool = False


class Promote(ApiInput):
    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={  # an idea or a theme, not both
            "oneOf": [
                {"required": ["idea_id"], "not": {"required": ["theme_id"]}},
                {"required": ["theme_id"], "not": {"required": ["idea_id"]}},
            ]
        },
    )

    idea_id: RecordId | None = Field(default=None, description="An idea, or…")
    theme_id: RecordId | None = Field(default=None, description="…a theme (all its ideas).")
    title: str = said(followup.MAX_TITLE)
    body: str = Field(default="", max_length=followup.MAX_BODY)
    target: PromotionTarget
    meeting_id: RecordId | None = Field(
        default=None, description="For an agenda item: the session's meeting if left out."
    )


# -- reading --------------------------------------------------------------------------------


def _session(session: Session, actor: Actor, session_id: int) -> LiveSessionPublic:
    live = sessions.get_session(session, actor, session_id=session_id).live
    figures = sessions.counts(session, session_id)
    return LiveSessionPublic(
        id=live.id,  # type: ignore[arg-type]
        meeting_id=live.meeting_id,
        item_id=live.item_id,
        prompt=live.prompt,
        code=live.code,
        join_url=sessions.join_url(public_url(), live),
        status=live.status,
        premoderation=live.premoderation,
        idea_limit=live.idea_limit,
        participants=figures["participants"],
        ideas=figures["ideas"],
        version=live.version,
        created_at=live.created_at,
        closed_at=live.closed_at,
    )


def _idea_public(row: ideas.IdeaRow, theme_id: int | None) -> LiveIdeaPublic:
    return LiveIdeaPublic(
        id=row.id,
        text=row.text,
        category=row.category,
        author=row.author,
        votes=row.votes,
        status=IdeaStatus(row.status),
        pinned=row.pinned,
        edited=row.edited,
        merged_into_id=row.merged_into_id,
        theme_id=theme_id,
        created_at=row.created_at,
    )


def _ideas(session: Session, actor: Actor, session_id: int) -> list[LiveIdeaPublic]:
    themes = clusters.themes_of(session, actor, session_id=session_id)  # Forbidden, NotFound
    theme_of = {idea_id: theme.id for theme in themes for idea_id in theme.idea_ids}
    rows = ideas.list_ideas(session, session_id=session_id, statuses=tuple(IdeaStatus))
    return [_idea_public(row, theme_of.get(row.id)) for row in rows]


def _themes(session: Session, actor: Actor, session_id: int) -> list[ThemePublic]:
    return [
        ThemePublic(id=theme.id, name=theme.name, idea_ids=theme.idea_ids)
        for theme in clusters.themes_of(session, actor, session_id=session_id)
    ]


def _poll(result: polls.PollResults) -> PollPublic:
    return PollPublic(
        id=result.id,
        question=result.question,
        multiple=result.multiple,
        status=result.status,  # type: ignore[arg-type]
        version=result.version,
        respondents=result.respondents,
        options=[
            PollOptionPublic(
                id=option.id, label=option.label, votes=option.votes, percent=option.percent
            )
            for option in result.options
        ],
    )


def _polls(session: Session, actor: Actor, session_id: int) -> list[PollPublic]:
    sessions.get_session(session, actor, session_id=session_id)  # Forbidden, NotFound
    return [_poll(result) for result in polls.session_polls(session, session_id)]


def _promotion(row: followup.PromotionRow) -> PromotionPublic:
    return PromotionPublic(
        id=row.id,
        target=PromotionTarget(row.target),
        title=row.title,
        body=row.body,
        created_at=row.created_at,
        item_url=row.item_url,
        ideas=[
            SourceIdeaPublic(id=idea.id, text=idea.text, votes=idea.votes, author=idea.author)
            for idea in row.ideas
        ],
    )


def _promotions(session: Session, actor: Actor, session_id: int) -> list[PromotionPublic]:
    sessions.get_session(session, actor, session_id=session_id)  # Forbidden, NotFound
    return [_promotion(row) for row in followup.promotions_of(session, session_id)]


@router.get("/meetings/{meeting_id}/sessions", response_model=list[LiveSessionLine])
def list_sessions(
    session: SessionDep, actor: MemberDep, meeting_id: PathId
) -> list[LiveSessionLine]:
    """The meeting's live sessions, newest first (for those who run them)."""
    meeting = meetings.get_meeting(session, actor, meeting_id=meeting_id)
    policy.require(actor, sessions.RUN, meeting)
    return [
        LiveSessionLine(id=line.id, code=line.code, prompt=line.prompt, status=line.status)  # type: ignore[arg-type]
        for line in sessions.sessions_of_meeting(session, meeting_id)
    ]


@router.post("/meetings/{meeting_id}/sessions", response_model=LiveSessionPublic, status_code=201)
def open_session(
    session: SessionDep, actor: MemberDep, meeting_id: PathId, payload: SessionOpen
) -> LiveSessionPublic:
    """Open a live session on the meeting (optionally on one agenda item) with a new code."""
    live = sessions.open_session(session, actor, meeting_id=meeting_id, **payload.model_dump())
    return _session(session, actor, live.id)  # type: ignore[arg-type]


@router.get("/sessions/{session_id}", response_model=LiveSessionPublic)
def get_session(session: SessionDep, actor: MemberDep, session_id: PathId) -> LiveSessionPublic:
    return _session(session, actor, session_id)


@router.post("/sessions/{session_id}/status", response_model=LiveSessionPublic)
def change_status(
    request: Request,
    session: SessionDep,
    actor: MemberDep,
    session_id: PathId,
    payload: SessionStatusChange,
) -> LiveSessionPublic:
    """Pause, resume or close (closing is for good: the session is then archived)."""
    sessions.change_session_status(session, actor, session_id=session_id, **payload.model_dump())
    publish(request, session, actor)
    return _session(session, actor, session_id)


@router.patch("/sessions/{session_id}", response_model=LiveSessionPublic)
def change_settings(
    request: Request,
    session: SessionDep,
    actor: MemberDep,
    session_id: PathId,
    payload: SessionSettings,
) -> LiveSessionPublic:
    """Pre-moderation and how long an idea may be (ideas already in are kept as they are)."""
    sessions.change_session_settings(session, actor, session_id=session_id, **payload.model_dump())
    publish(request, session, actor)
    return _session(session, actor, session_id)


@router.get("/sessions/{session_id}/ideas", response_model=list[LiveIdeaPublic])
def list_ideas(session: SessionDep, actor: MemberDep, session_id: PathId) -> list[LiveIdeaPublic]:
    """Every idea, whatever its status (pending, shown, hidden, merged), pinned first, then
    the newest."""
    return _ideas(session, actor, session_id)


def _idea(session: Session, actor: Actor, session_id: int, idea_id: int) -> LiveIdeaPublic:
    """The session's idea. Raises NotFound (not one of the session's), Forbidden."""
    found = next((idea for idea in _ideas(session, actor, session_id) if idea.id == idea_id), None)
    if found is None:
        raise NotFound(message="The session has no such idea.")
    return found


def _theme(session: Session, actor: Actor, session_id: int, theme_id: int) -> ThemePublic:
    """The session's theme. Raises NotFound (not one of the session's), Forbidden."""
    found = next((row for row in _themes(session, actor, session_id) if row.id == theme_id), None)
    if found is None:
        raise NotFound(message="The session has no such theme.")
    return found


@router.post("/sessions/{session_id}/ideas/{idea_id}/moderation", response_model=LiveIdeaPublic)
def moderate_idea(
    request: Request,
    session: SessionDep,
    actor: MemberDep,
    session_id: PathId,
    idea_id: PathId,
    payload: IdeaModeration,
) -> LiveIdeaPublic:
    """approve (a pending idea), hide, restore, pin, unpin. Hiding takes the idea off every
    phone and out of the session's stored frames."""
    _idea(session, actor, session_id, idea_id)
    ideas.moderate_idea(
        session, actor, idea_id=idea_id, action=payload.action, session_id=session_id
    )
    publish(request, session, actor)
    return _idea(session, actor, session_id, idea_id)


@router.patch("/sessions/{session_id}/ideas/{idea_id}", response_model=LiveIdeaPublic)
def edit_idea(
    request: Request,
    session: SessionDep,
    actor: MemberDep,
    session_id: PathId,
    idea_id: PathId,
    payload: IdeaEdit,
) -> LiveIdeaPublic:
    """Correct an idea's text (a typo, a name that should not be there); marked as edited."""
    _idea(session, actor, session_id, idea_id)
    ideas.edit_idea(session, actor, idea_id=idea_id, text=payload.text, session_id=session_id)
    publish(request, session, actor)
    return _idea(session, actor, session_id, idea_id)


@router.post("/sessions/{session_id}/ideas/{idea_id}/merge", response_model=LiveIdeaPublic)
def merge_idea(
    request: Request,
    session: SessionDep,
    actor: MemberDep,
    session_id: PathId,
    idea_id: PathId,
    payload: IdeaMerge,
) -> LiveIdeaPublic:
    """Fold the idea into another of the session's (its votes move there); answers the
    idea kept."""
    _idea(session, actor, session_id, idea_id)
    _idea(session, actor, session_id, payload.into_id)
    ideas.merge_ideas(
        session, actor, idea_id=idea_id, into_id=payload.into_id, session_id=session_id
    )
    publish(request, session, actor)
    return _idea(session, actor, session_id, payload.into_id)


@router.put("/sessions/{session_id}/ideas/{idea_id}/theme", response_model=LiveIdeaPublic)
def set_idea_theme(
    request: Request,
    session: SessionDep,
    actor: MemberDep,
    session_id: PathId,
    idea_id: PathId,
    payload: IdeaTheme,
) -> LiveIdeaPublic:
    """Put the idea into one of the session's themes, or (null) out of its theme."""
    _idea(session, actor, session_id, idea_id)
    if payload.theme_id is not None:
        _theme(session, actor, session_id, payload.theme_id)
    clusters.assign_idea(
        session, actor, session_id=session_id, idea_id=idea_id, cluster_id=payload.theme_id
    )
    publish(request, session, actor)
    return _idea(session, actor, session_id, idea_id)


# -- themes ---------------------------------------------------------------------------------


@router.get("/sessions/{session_id}/themes", response_model=list[ThemePublic])
def list_themes(session: SessionDep, actor: MemberDep, session_id: PathId) -> list[ThemePublic]:
    return _themes(session, actor, session_id)


@router.post("/sessions/{session_id}/themes", response_model=ThemePublic, status_code=201)
def create_theme(
    request: Request,
    session: SessionDep,
    actor: MemberDep,
    session_id: PathId,
    payload: ThemeName,
) -> ThemePublic:
    theme = clusters.create_cluster(session, actor, session_id=session_id, name=payload.name)
    publish(request, session, actor)
    return _theme(session, actor, session_id, theme.id)  # type: ignore[arg-type]


@router.patch("/sessions/{session_id}/themes/{theme_id}", response_model=ThemePublic)
def rename_theme(
    request: Request,
    session: SessionDep,
    actor: MemberDep,
    session_id: PathId,
    theme_id: PathId,
    payload: ThemeName,
) -> ThemePublic:
    _theme(session, actor, session_id, theme_id)
    clusters.rename_cluster(
        session, actor, session_id=session_id, cluster_id=theme_id, name=payload.name
    )
    publish(request, session, actor)
    return _theme(session, actor, session_id, theme_id)


@router.delete("/sessions/{session_id}/themes/{theme_id}", status_code=204)
def delete_theme(
    request: Request, session: SessionDep, actor: MemberDep, session_id: PathId, theme_id: PathId
) -> Response:
    """The theme goes; its ideas stay, ungrouped."""
    _theme(session, actor, session_id, theme_id)
    clusters.delete_cluster(session, actor, session_id=session_id, cluster_id=theme_id)
    publish(request, session, actor)
    return Response(status_code=204)


# -- polls ----------------------------------------------------------------------------------


@router.get("/sessions/{session_id}/polls", response_model=list[PollPublic])
def list_polls(session: SessionDep, actor: MemberDep, session_id: PathId) -> list[PollPublic]:
    """Every poll with its results, in the order written."""
    return _polls(session, actor, session_id)


@router.post("/sessions/{session_id}/polls", response_model=PollPublic, status_code=201)
def create_poll(
    request: Request,
    session: SessionDep,
    actor: MemberDep,
    session_id: PathId,
    payload: PollCreate,
) -> PollPublic:
    """Write a poll as a draft; open it when the hall should answer."""
    poll = polls.create_poll(
        session,
        actor,
        session_id=session_id,
        question=payload.question,
        options="\n".join(payload.options),
        multiple=payload.multiple,
    )
    publish(request, session, actor)
    return next(row for row in _polls(session, actor, session_id) if row.id == poll.id)


@router.post("/sessions/{session_id}/polls/{poll_id}/{action}", response_model=PollPublic)
def open_or_close_poll(
    request: Request,
    session: SessionDep,
    actor: MemberDep,
    session_id: PathId,
    poll_id: PathId,
    action: Literal["open", "close"],
) -> PollPublic:
    """Open a draft (the open poll before it closes: one at a time), or close the open one."""
    change = polls.open_poll if action == "open" else polls.close_poll
    change(session, actor, session_id=session_id, poll_id=poll_id)
    publish(request, session, actor)
    return next(row for row in _polls(session, actor, session_id) if row.id == poll_id)


@router.delete("/sessions/{session_id}/polls/{poll_id}", status_code=204)
def delete_poll(
    request: Request, session: SessionDep, actor: MemberDep, session_id: PathId, poll_id: PathId
) -> Response:
    polls.delete_poll(session, actor, session_id=session_id, poll_id=poll_id)
    publish(request, session, actor)
    return Response(status_code=204)


# -- the export and taking forward ------------------------------------------------------------


@router.get("/sessions/{session_id}/export", response_model=SessionExport)
def export_session(session: SessionDep, actor: MemberDep, session_id: PathId) -> SessionExport:
    """The session, its ideas (every status), themes, polls with results and what was taken
    forward — as the CSV and XLSX downloads of the console hold them, in one document."""
    return SessionExport(
        session=_session(session, actor, session_id),
        ideas=_ideas(session, actor, session_id),
        themes=_themes(session, actor, session_id),
        polls=_polls(session, actor, session_id),
        promotions=_promotions(session, actor, session_id),
    )


@router.get("/sessions/{session_id}/promotions", response_model=list[PromotionPublic])
def list_promotions(
    session: SessionDep, actor: MemberDep, session_id: PathId
) -> list[PromotionPublic]:
    """What the session took forward, newest first."""
    return _promotions(session, actor, session_id)


@router.post(
    "/sessions/{session_id}/promotions",
    response_model=PromotionPublic,
    status_code=201,
    responses={200: {"model": PromotionPublic, "description": "Already taken forward."}},
)
def promote(
    request: Request,
    response: Response,
    session: SessionDep,
    actor: MemberDep,
    session_id: PathId,
    payload: Promote,
) -> PromotionPublic:
    """Take an idea or a theme forward: into an item of a meeting's agenda (the session's
    or another of the body's that has not ended), or into a proposal draft. The same ideas
    to the same place again within a minute answer the first promotion (200, not 201)."""
    if payload.idea_id is not None:
        _idea(session, actor, session_id, payload.idea_id)
    if payload.theme_id is not None:
        _theme(session, actor, session_id, payload.theme_id)
    promotion, created = followup.promote(
        session,
        actor,
        session_id=session_id,
        idea_id=payload.idea_id,
        cluster_id=payload.theme_id,
        title=payload.title,
        body=payload.body,
        target=payload.target,
        meeting_id=payload.meeting_id,
    )
    publish(request, session, actor)
    response.status_code = 201 if created else 200
    _view, row = followup.get_promotion(
        session,
        actor,
        session_id=session_id,
        promotion_id=promotion.id,  # type: ignore[arg-type]
    )
    return _promotion(row)


# -- taking part, signed in (the hall's phones use /s/<code>) ------------------------------------
# A member, an officer, anyone with an account who has the session's code takes part as on the
# phone page: joining with the notice's consent, then ideas, votes and poll answers as
# themselves. Participation is by code, as in the hall; nothing here shows another's nickname
# but as the phone page does.

LiveCode = Annotated[str, Path(pattern=r"^[0-9๐-๙]{6}$", description="The session's 6-digit code.")]


class JoinRequest(ApiInput):
    consent: Literal[True] = Field(description="Agreement to the notice the join form shows.")
    nickname: str | None = Field(default=None, max_length=sessions.MAX_NICKNAME)
    show_account_name: bool = False


class IdeaSend(ApiInput):
    text: str = said(sessions.MAX_IDEA_LIMIT)
    key: str = Field(
        pattern=r"^[A-Za-z0-9_-]{8,64}$",
        description="Chosen by the client for each idea: the same key again is the same idea.",
    )


class PollAnswer(ApiInput):
    option_ids: list[RecordId] = Field(min_length=1, max_length=polls.MAX_OPTIONS)


class ParticipationPublic(BaseModel):
    session_id: int
    prompt: str
    status: LiveSessionStatus
    nickname: str
    ideas: list[LiveIdeaPublic] = Field(description="The ideas shown to the hall.")
    voted_idea_ids: list[int]
    poll: PollPublic | None = Field(description="The poll open now, if any.")
    chosen_option_ids: list[int]


def _participant(session: Session, actor: Actor, request: Request, code: str):  # noqa: ANN202
    view, participant = sessions.account_participant(
        session, actor, code=code, client_ip=client_ip(request)
    )
    if participant is None:
        raise Conflict("Join the session first (with your consent to its notice).")
    return view, participant


def _participation(
    session: Session, view: sessions.SessionView, participant
) -> ParticipationPublic:  # noqa: ANN001
    rows = ideas.list_ideas(session, session_id=view.id, viewer=participant)
    current = polls.current_poll(session, view.id)
    return ParticipationPublic(
        session_id=view.id,
        prompt=view.live.prompt,
        status=view.live.status,
        nickname=participant.nickname,
        ideas=[_idea_public(row, None) for row in rows],
        voted_idea_ids=[row.id for row in rows if row.voted],
        poll=_poll(current) if current is not None else None,
        chosen_option_ids=sorted(polls.chosen_options(session, participant, current.id))
        if current is not None
        else [],
    )


@router.post("/live/{code}/join", response_model=ParticipationPublic)
def join_session(
    request: Request, session: SessionDep, actor: MemberDep, code: LiveCode, payload: JoinRequest
) -> ParticipationPublic:
    """Join as yourself (your name is the nickname unless you give one); joining again is the
    same participant (your phone stays joined)."""
    view, participant = sessions.account_participant(
        session, actor, code=code, client_ip=client_ip(request)
    )
    if participant is not None:
        return _participation(session, view, participant)
    joined = sessions.join(
        session,
        actor,
        code=code,
        nickname=payload.nickname or "",
        consent=payload.consent,
        show_account_name=payload.show_account_name,
        client_ip=client_ip(request),
    )
    publish(request, session, actor)
    return _participation(session, joined.view, joined.participant)


@router.get("/live/{code}", response_model=ParticipationPublic)
def participation(
    request: Request, session: SessionDep, actor: MemberDep, code: LiveCode
) -> ParticipationPublic:
    """What your phone page would show: the shown ideas, your votes, the open poll."""
    view, participant = _participant(session, actor, request, code)
    return _participation(session, view, participant)


@router.post("/live/{code}/ideas", response_model=ParticipationPublic, status_code=201)
def send_idea(
    request: Request, session: SessionDep, actor: MemberDep, code: LiveCode, payload: IdeaSend
) -> ParticipationPublic:
    """Send an idea (with pre-moderation on, it waits for the facilitator); the same `key`
    again sends nothing new."""
    view, participant = _participant(session, actor, request, code)
    ideas.submit_idea(session, participant, text=payload.text, key=payload.key)
    publish(request, session, actor)
    return _participation(session, view, participant)


def _change_vote(
    request: Request,
    session: Session,
    actor: Actor,
    code: str,
    idea_id: int,
    change: Callable[..., object],
) -> ParticipationPublic:
    view, participant = _participant(session, actor, request, code)
    change(session, participant, idea_id=idea_id)
    publish(request, session, actor)
    return _participation(session, view, participant)


@router.put("/live/{code}/ideas/{idea_id}/vote", response_model=ParticipationPublic)
def vote(
    request: Request, session: SessionDep, actor: MemberDep, code: LiveCode, idea_id: PathId
) -> ParticipationPublic:
    """Your vote for a shown idea (once: again changes nothing)."""
    return _change_vote(request, session, actor, code, idea_id, ideas.vote_idea)


@router.delete("/live/{code}/ideas/{idea_id}/vote", response_model=ParticipationPublic)
def withdraw_vote(
    request: Request, session: SessionDep, actor: MemberDep, code: LiveCode, idea_id: PathId
) -> ParticipationPublic:
    """Take your vote back (none: nothing changes)."""
    return _change_vote(request, session, actor, code, idea_id, ideas.withdraw_vote)


@router.put("/live/{code}/polls/{poll_id}/answer", response_model=ParticipationPublic)
def answer_poll(
    request: Request,
    session: SessionDep,
    actor: MemberDep,
    code: LiveCode,
    poll_id: PathId,
    payload: PollAnswer,
) -> ParticipationPublic:
    """Answer the open poll, or change your answer."""
    view, participant = _participant(session, actor, request, code)
    polls.answer_poll(session, participant, poll_id=poll_id, option_ids=payload.option_ids)
    publish(request, session, actor)
    return _participation(session, view, participant)
