"""Every HTML route × every kind of person: who gets the page, who is sent to log in,
who is refused. A route missing from EXPECTED fails the test, so a new route must be
given its answer here."""

from __future__ import annotations

from datetime import timedelta

import pytest
from fastapi.routing import APIRoute

from deliberation import documents
from deliberation.agenda.models import Agenda, AgendaSuggestion
from forum import accounts, invitations, privacy
from forum.config import get_settings
from forum.models import Attendance, Membership, Role
from tests import factories

pytestmark = pytest.mark.anyio

# The least a person must be for the route to answer: anyone, signed in (any account),
# a member of the body, an officer of the body (chair or secretary), a site admin.
ORDER = ["anyone", "signed_in", "member", "officer", "admin"]
EXPECTED: dict[str, str] = {
    "GET /": "anyone",
    "POST /language": "anyone",
    "GET /login": "anyone",
    "POST /login": "anyone",
    "POST /logout": "anyone",
    "GET /invite/{token}": "anyone",
    "POST /invite/{token}": "anyone",
    "GET /reset/{token}": "anyone",
    "POST /reset/{token}": "anyone",
    "GET /privacy": "anyone",
    "GET /checkin": "signed_in",
    "POST /checkin": "signed_in",
    "GET /organisations": "signed_in",
    "GET /organisations/new": "officer",
    "POST /organisations/new": "officer",
    "GET /organisations/{organisation_id}": "signed_in",
    "GET /organisations/{organisation_id}/edit": "officer",
    "POST /organisations/{organisation_id}/edit": "officer",
    "POST /organisations/{organisation_id}/archive": "admin",
    "POST /organisations/{organisation_id}/restore": "admin",
    "GET /people": "signed_in",
    "GET /people/{person_id}": "signed_in",
    "GET /people/{person_id}/edit": "admin",  # someone else's profile
    "POST /people/{person_id}/edit": "admin",
    "POST /people/{person_id}/archive": "admin",
    "POST /people/{person_id}/restore": "admin",
    "GET /bodies": "signed_in",
    "GET /bodies/new": "admin",
    "POST /bodies/new": "admin",
    "GET /bodies/{body_id}": "signed_in",
    "GET /bodies/{body_id}/edit": "officer",
    "POST /bodies/{body_id}/edit": "officer",
    "POST /bodies/{body_id}/archive": "admin",
    "POST /bodies/{body_id}/restore": "admin",
    "POST /bodies/{body_id}/members": "officer",
    "POST /memberships/{membership_id}/role": "officer",
    "POST /memberships/{membership_id}/remove": "officer",
    "GET /bodies/{body_id}/meetings": "signed_in",
    "GET /bodies/{body_id}/calendar.ics": "signed_in",
    "GET /bodies/{body_id}/meetings/new": "officer",
    "POST /bodies/{body_id}/meetings/new": "officer",
    "GET /meetings/{meeting_id}": "signed_in",
    "GET /meetings/{meeting_id}/edit": "officer",
    "POST /meetings/{meeting_id}/edit": "officer",
    "POST /meetings/{meeting_id}/status": "officer",
    "POST /meetings/{meeting_id}/delete": "officer",
    "POST /meetings/{meeting_id}/join": "member",
    "POST /meetings/{meeting_id}/leave": "member",
    "GET /meetings/{meeting_id}/meeting.ics": "signed_in",
    "GET /meetings/{meeting_id}/qr.svg": "officer",  # the code lets people check in
    "POST /meetings/{meeting_id}/attendance/{attendance_id}": "officer",
    "GET /meetings/{meeting_id}/attendance/new": "officer",
    "POST /meetings/{meeting_id}/attendance/new": "officer",
    "GET /me": "signed_in",
    "POST /me/consents": "signed_in",
    "POST /me/consents/{consent_id}/withdraw": "signed_in",
    "GET /me/export.json": "signed_in",
    "POST /me/erasure": "signed_in",
    "POST /me/tokens": "signed_in",
    "POST /me/tokens/{token_id}/revoke": "signed_in",
    "POST /me/notifications": "signed_in",  # one's own notification settings
    "GET /notifications": "signed_in",
    "GET /notifications/{notification_id}": "signed_in",  # another's: 404, never 403
    "POST /notifications/read-all": "signed_in",
    "GET /admin": "admin",
    "GET /admin/invitations": "officer",
    "GET /admin/invitations/new": "officer",
    "POST /admin/invitations/new": "officer",
    "POST /admin/invitations/{invitation_id}/revoke": "officer",
    "GET /admin/people": "admin",
    "POST /admin/people/{person_id}/reset-link": "admin",
    "GET /admin/provinces": "admin",
    "POST /admin/provinces/{province_id}": "admin",
    "GET /admin/audit": "admin",
    "GET /admin/erasure": "admin",
    "POST /admin/erasure/{request_id}": "admin",
    "GET /search": "signed_in",  # finds only the texts of the person's own bodies
    # deliberation: the agenda (seeing it is seeing the meeting)
    "GET /meetings/{meeting_id}/agenda": "signed_in",
    "GET /meetings/{meeting_id}/agenda/print": "signed_in",
    "GET /meetings/{meeting_id}/agenda/versions": "signed_in",
    "GET /meetings/{meeting_id}/agenda/versions/{number}": "signed_in",
    "GET /meetings/{meeting_id}/agenda/documents/{document_id}": "signed_in",
    "POST /meetings/{meeting_id}/agenda/items": "officer",
    "GET /meetings/{meeting_id}/agenda/items/{item_id}/edit": "officer",
    "POST /meetings/{meeting_id}/agenda/items/{item_id}/edit": "officer",
    "POST /meetings/{meeting_id}/agenda/items/{item_id}/move": "officer",
    "POST /meetings/{meeting_id}/agenda/items/{item_id}/remove": "officer",
    "POST /meetings/{meeting_id}/agenda/items/{item_id}/documents": "officer",
    "POST /meetings/{meeting_id}/agenda/documents/{document_id}/remove": "officer",
    "POST /meetings/{meeting_id}/agenda/publish": "officer",
    "POST /meetings/{meeting_id}/agenda/new-version": "officer",
    "POST /meetings/{meeting_id}/agenda/suggestions": "member",
    "POST /meetings/{meeting_id}/agenda/suggestions/{suggestion_id}/support": "member",
    "POST /meetings/{meeting_id}/agenda/suggestions/{suggestion_id}/answer": "officer",
    "GET /bodies/{body_id}/agenda-template": "officer",
    "POST /bodies/{body_id}/agenda-template": "officer",
    # deliberation: discussion on agenda items (reading it is seeing the meeting)
    "GET /meetings/{meeting_id}/agenda/items/{item_id}": "signed_in",
    "POST /meetings/{meeting_id}/agenda/items/{item_id}/posts": "member",
    "POST /meetings/{meeting_id}/agenda/posts/{post_id}/edit": "member",  # its author only: AUTHOR_ONLY
    "POST /meetings/{meeting_id}/agenda/posts/{post_id}/hide": "officer",
    "POST /meetings/{meeting_id}/agenda/posts/{post_id}/unhide": "officer",
    "GET /meetings/{meeting_id}/agenda/posts/{post_id}": "signed_in",
    "GET /meetings/{meeting_id}/agenda/posts/{post_id}/history": "signed_in",
    # deliberation: during the meeting (reading the proceedings is seeing the meeting)
    "GET /meetings/{meeting_id}/conduct": "signed_in",
    "POST /meetings/{meeting_id}/conduct": "officer",
    "GET /meetings/{meeting_id}/proceedings": "signed_in",
    "POST /meetings/{meeting_id}/proceedings/items/{item_id}/outcome": "officer",
    # deliberation: live sessions (the hall joins with the code, no account; a participant's
    # idea or vote without joining is sent to the join form)
    "GET /join": "anyone",
    "POST /join": "anyone",
    "GET /s/{code}": "anyone",
    "POST /s/{code}/join": "anyone",
    "POST /s/{code}/ideas": "anyone",
    "POST /s/{code}/vote": "anyone",
    "GET /s/{code}/my-data.json": "anyone",  # the device that joined: its own data
    "POST /s/{code}/erase": "anyone",
    "POST /meetings/{meeting_id}/sessions": "officer",
    "GET /sessions/{session_id}/console": "officer",
    "POST /sessions/{session_id}/status": "officer",
    "POST /sessions/{session_id}/ideas/{idea_id}/{action}": "officer",
    "GET /sessions/{session_id}/projector": "officer",
    "GET /sessions/{session_id}/qr.svg": "officer",
    "GET /sessions/{session_id}/ideas.csv": "officer",
    # quick polls and the timer (a participant's answer without joining is explained: 422)
    "POST /s/{code}/polls/{poll_id}/answer": "anyone",
    "POST /sessions/{session_id}/polls": "officer",
    "POST /sessions/{session_id}/polls/{poll_id}/edit": "officer",
    "POST /sessions/{session_id}/polls/{poll_id}/{action}": "officer",
    "POST /sessions/{session_id}/timer": "officer",
    "POST /sessions/{session_id}/timer/{action}": "officer",
    "POST /sessions/{session_id}/settings": "officer",
    "POST /sessions/{session_id}/unblock": "officer",
    # themes and the word cloud, the exports, taking ideas forward: the facilitator's
    "GET /sessions/{session_id}/clusters": "officer",
    "POST /sessions/{session_id}/clusters": "officer",
    "POST /sessions/{session_id}/clusters/accept": "officer",
    "POST /sessions/{session_id}/clusters/assign": "officer",
    "POST /sessions/{session_id}/clusters/{cluster_id}/{action}": "officer",
    "GET /sessions/{session_id}/wordcloud": "officer",
    "GET /sessions/{session_id}/ideas.xlsx": "officer",
    "GET /sessions/{session_id}/share/line": "officer",
    "GET /sessions/{session_id}/promote": "officer",
    "POST /sessions/{session_id}/promote": "officer",
    "GET /sessions/{session_id}/promotions/{promotion_id}": "officer",
    # a page whose socket is blocked polls for its channel's messages: the channel's own
    # rule decides (here no channel is named: not found, for everyone)
    "GET /live/poll": "anyone",
}

# Only the record's author, who is none of the people below (the world's post is another
# member's): refused to all of them, an administrator too.
AUTHOR_ONLY = {"POST /meetings/{meeting_id}/agenda/posts/{post_id}/edit"}


# An officer of any body (not only this one) may register organisations and see invitations.
OFFICER_OF_ANY_BODY = {
    "GET /organisations/new",
    "POST /organisations/new",
    "GET /organisations/{organisation_id}/edit",
    "POST /organisations/{organisation_id}/edit",
    "GET /admin/invitations",
    "GET /admin/invitations/new",
}


def html_routes(app) -> list[tuple[str, str]]:
    def walk(routes, prefix=""):
        for route in routes:
            if hasattr(route, "original_router"):
                yield from walk(route.original_router.routes, prefix + (route.original_router.prefix or ""))
            elif isinstance(route, APIRoute):
                for method in route.methods - {"HEAD"}:
                    yield method, prefix + route.path

    return sorted((method, path) for method, path in walk(app.routes) if not path.startswith("/api/"))


def test_every_html_route_has_an_expected_answer(app):
    keys = {f"{method} {path}" for method, path in html_routes(app)}
    assert sorted(keys - EXPECTED.keys()) == [], "give each new route its row in EXPECTED"
    assert sorted(EXPECTED.keys() - keys) == [], "a route in EXPECTED no longer exists"


@pytest.fixture
def world(session):
    """One body with a meeting, its members, and one of every record a route can name."""
    body = factories.body(session)
    other = factories.member(session, body, Role.member)
    officer_of_other_body = factories.body(session)
    meeting = factories.meeting(session, body, starts_in=timedelta(minutes=30))
    meeting.online_url = "https://meet.example.org/wethi"
    session.add(meeting)
    session.commit()
    admin = factories.person(session, is_admin=True)
    admin_actor = accounts.actor_for(session, admin)
    invitation, invitation_token = invitations.create_invitation(session, admin_actor, body_id=body.id, role="member")
    _, reset_token = accounts.issue_password_reset(session, admin_actor, person_id=other.id)
    organisation = factories.organisation(session)
    membership = session.query(Membership).filter_by(body_id=body.id, person_id=other.id).one()
    attendance = session.query(Attendance).filter_by(meeting_id=meeting.id, person_id=other.id).one()
    other_actor = accounts.actor_for(session, other)
    consent = privacy.record_consent(session, other.id, purpose=privacy.PURPOSE_CONTACT)
    session.commit()
    api_token, _ = accounts.create_api_token(session, other_actor, name="phone")
    erasure = privacy.request_erasure(session, other_actor)
    item = factories.agenda_item(session, meeting)
    suggestion = AgendaSuggestion(agenda_id=item.agenda_id, suggested_by=other.id, title="ข้อเสนอ")
    session.add(suggestion)
    session.commit()
    document = documents.attach_document(session, admin_actor, item_id=item.id, version=session.get(Agenda, item.agenda_id).version, filename="a.pdf", data=b"%PDF-1.7\n%%EOF\n", data_dir=get_settings().data_dir)
    return {
        "body": body,
        "unrelated_body": officer_of_other_body,
        "params": {
            "body_id": body.id,
            "meeting_id": meeting.id,
            "organisation_id": organisation.id,
            "person_id": other.id,
            "membership_id": membership.id,
            "attendance_id": attendance.id,
            "invitation_id": invitation.id,
            "consent_id": consent.id,
            "token_id": api_token.id,
            "request_id": erasure.id,
            "province_id": factories.province(session).id,
            "item_id": item.id,
            "suggestion_id": suggestion.id,
            "document_id": document.id,
            "number": 1,  # a published version of the agenda (none yet: a 404, still answered)
            "post_id": factories.post(session, item, other).id,
            "notification_id": factories.notification(session, other).id,
            **_live_session(session, admin_actor, meeting),
        },
        "tokens": {"/invite/": invitation_token, "/reset/": reset_token},
    }


def _live_session(session, actor, meeting) -> dict:
    from deliberation.sessions import ideas, sessions
    from forum.policy import ANONYMOUS

    live_session = sessions.open_session(session, actor, meeting_id=meeting.id, prompt="คำถาม")
    guest, _ = sessions.join_session(session, ANONYMOUS, code=live_session.code, nickname="ก", consent=True)
    idea, _ = ideas.submit_idea(session, guest, text="ความคิด", key="matrix-key-1")
    from deliberation.sessions import polls

    poll = polls.create_poll(session, actor, session_id=live_session.id, question="โพล", options="ก\nข")
    from deliberation.sessions import clusters, followup

    cluster = clusters.create_cluster(session, actor, session_id=live_session.id, name="ประเด็น")
    promotion, _ = followup.promote(session, actor, session_id=live_session.id, idea_id=idea.id, title="เรื่อง", target="proposal_draft")
    return {
        "session_id": live_session.id,
        "code": live_session.code,
        "idea_id": idea.id,
        "action": "pin",
        "poll_id": poll.id,
        "cluster_id": cluster.id,
        "promotion_id": promotion.id,
    }


def concrete(path: str, world) -> str:
    for prefix, token in world["tokens"].items():
        if path.startswith(prefix):
            path = path.replace("{token}", token)
    for name, value in world["params"].items():
        path = path.replace("{" + name + "}", str(value))
    return path


def outcome(response) -> str:
    if response.status_code == 401 or (response.status_code in (302, 303) and response.headers["location"].startswith("/login")):
        return "login"
    if response.status_code == 403:
        return "refused"
    assert response.status_code < 500, response.text[:500]
    return "answered"


ROLES = {
    "anyone": None,
    "signed_in": "outsider",
    "member": Role.member,
    "officer": Role.secretary,
    "admin": "admin",
}


@pytest.mark.parametrize("who", list(ROLES))
async def test_each_route_answers_each_kind_of_person_as_expected(app, session, world, as_member, make_client, who):
    if who == "anyone":
        client = make_client()
    elif who == "signed_in":
        client = await as_member(Role.secretary, body=world["unrelated_body"])  # an officer elsewhere
    elif who == "admin":
        client = await as_member("admin")
    else:
        client = await as_member(ROLES[who], body=world["body"])
    wrong = []
    for method, path in html_routes(app):
        if path in {"/logout"}:
            continue  # ends the client's own session; covered in test_accounts
        url = concrete(path, world)
        data = {"body_id": world["params"]["body_id"]} if path == "/admin/invitations/new" else {}
        response = await (client.get(url) if method == "GET" else client.post(url, data))
        needed = EXPECTED[f"{method} {path}"]
        if who == "signed_in" and needed == "officer" and f"{method} {path}" in OFFICER_OF_ANY_BODY:
            needed = "signed_in"  # an officer of any body may register organisations and invite
        allowed = ORDER.index(who) >= ORDER.index(needed) and f"{method} {path}" not in AUTHOR_ONLY
        got = outcome(response)
        expected = "answered" if allowed else ("login" if who == "anyone" else "refused")
        if got != expected:
            wrong.append(f"{method} {path} as {who}: expected {expected}, got {got} ({response.status_code})")
    assert not wrong, "\n".join(wrong)
