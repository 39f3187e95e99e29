"""Every route, HTML and JSON, × every kind of person: who gets an answer, who is sent to log
in, who is refused. The expectations are written by hand, as a user would state who may do
what (the groups below), not read from the policy registry: a wrong rule fails here. A route
missing from its table fails the test, so a new route must be given its row.

"Answered" means the route did its work or said why not in the user's terms (a form's
message, a 404 for another's record, a 409): anything but a log-in, a refusal or a 5xx.
A live channel (GET /live/poll) that refuses answers 404 (a guesser learns nothing), so its
rows count 404 as refused."""

from __future__ import annotations

from datetime import timedelta

import pytest

from deliberation import documents
from deliberation.agenda.models import Agenda, AgendaSuggestion
from forum import accounts, invitations, privacy
from forum.config import get_settings
from forum.models import Attendance, Membership, Role
from tests import factories
from tests.routes import all_routes

pytestmark = pytest.mark.anyio

# -- the kinds of person -------------------------------------------------------------------
# Of the world's body: observer … chair. A guest joined the world's live session on their
# phone (no account); another guest joined a session of another body. The outsider is the
# chair of another body. The admin is a site administrator with no role in any body.
BODY_ROLES = ("observer", "member", "facilitator", "secretary", "vice_chair", "chair")
ACCOUNTS = ("outsider", *BODY_ROLES, "admin")
PEOPLE = ("anonymous", "guest", "other_guest", *ACCOUNTS)

# -- who may do what, as a user would say it --------------------------------------------------
ANYONE = frozenset(PEOPLE)
SIGNED_IN = frozenset(ACCOUNTS)  # anyone with an account: the programme
BODY = frozenset({*BODY_ROLES, "admin"})  # the body's people (observers take part too)
OFFICERS = frozenset({"secretary", "vice_chair", "chair", "admin"})  # preside, record
RUNS = frozenset({"secretary", "chair", "admin"})  # members, meetings, the agenda
KEEPERS = OFFICERS | {"facilitator"}  # attendance and live sessions
OFFICER_ANYWHERE = OFFICERS | {"outsider"}  # registers network partners
RUNS_ANYWHERE = RUNS | {"outsider"}  # sees the invitations they may make
ADMIN = frozenset({"admin"})
VOTERS = frozenset({"member", "secretary", "vice_chair", "chair"})  # a body's votes: not observers
NO_ONE = frozenset()  # the record's author only, who is none of the people here

HTML: dict[str, frozenset[str]] = {
    "GET /": ANYONE,
    "POST /language": ANYONE,
    "GET /login": ANYONE,
    "POST /login": ANYONE,
    "GET /invite/{token}": ANYONE,
    "POST /invite/{token}": ANYONE,
    "GET /reset/{token}": ANYONE,
    "POST /reset/{token}": ANYONE,
    "GET /privacy": ANYONE,
    "GET /checkin": SIGNED_IN,
    "POST /checkin": SIGNED_IN,
    # the directory: the programme's
    "GET /organisations": SIGNED_IN,
    "GET /organisations/new": OFFICER_ANYWHERE,
    "POST /organisations/new": OFFICER_ANYWHERE,
    "GET /organisations/{organisation_id}": SIGNED_IN,
    "GET /organisations/{organisation_id}/edit": OFFICER_ANYWHERE,
    "POST /organisations/{organisation_id}/edit": OFFICER_ANYWHERE,
    "POST /organisations/{organisation_id}/archive": ADMIN,
    "POST /organisations/{organisation_id}/restore": ADMIN,
    "GET /people": SIGNED_IN,
    "GET /people/{person_id}": SIGNED_IN,
    "GET /people/{person_id}/edit": ADMIN,  # someone else's profile
    "POST /people/{person_id}/edit": ADMIN,
    "POST /people/{person_id}/archive": ADMIN,
    "POST /people/{person_id}/restore": ADMIN,
    "GET /bodies": SIGNED_IN,
    "GET /bodies/new": ADMIN,
    "POST /bodies/new": ADMIN,
    "GET /bodies/{body_id}": SIGNED_IN,
    "GET /bodies/{body_id}/edit": OFFICERS,
    "POST /bodies/{body_id}/edit": OFFICERS,
    "POST /bodies/{body_id}/archive": ADMIN,
    "POST /bodies/{body_id}/restore": ADMIN,
    "POST /bodies/{body_id}/members": RUNS,
    "POST /memberships/{membership_id}/role": RUNS,
    "POST /memberships/{membership_id}/remove": RUNS,
    # meetings: when, where and who attends are the programme's
    "GET /bodies/{body_id}/meetings": SIGNED_IN,
    "GET /bodies/{body_id}/calendar.ics": SIGNED_IN,
    "GET /bodies/{body_id}/meetings/new": RUNS,
    "POST /bodies/{body_id}/meetings/new": RUNS,
    "GET /meetings/{meeting_id}": SIGNED_IN,
    "GET /meetings/{meeting_id}/edit": RUNS,
    "POST /meetings/{meeting_id}/edit": RUNS,
    "POST /meetings/{meeting_id}/status": RUNS,
    "POST /meetings/{meeting_id}/delete": RUNS,
    "POST /meetings/{meeting_id}/join": BODY,  # the online meeting's link
    "POST /meetings/{meeting_id}/leave": BODY,
    "GET /meetings/{meeting_id}/meeting.ics": SIGNED_IN,
    "GET /meetings/{meeting_id}/qr.svg": KEEPERS,  # the code checks people in
    "POST /meetings/{meeting_id}/attendance/{attendance_id}": KEEPERS,
    "GET /meetings/{meeting_id}/attendance/new": KEEPERS,
    "POST /meetings/{meeting_id}/attendance/new": KEEPERS,
    # one's own account
    "GET /me": SIGNED_IN,
    "POST /me/consents": SIGNED_IN,
    "POST /me/consents/{consent_id}/withdraw": SIGNED_IN,  # another's: not found
    "GET /me/export.json": SIGNED_IN,
    "POST /me/erasure": SIGNED_IN,
    "POST /me/tokens": SIGNED_IN,
    "POST /me/tokens/{token_id}/revoke": SIGNED_IN,
    "POST /me/notifications": SIGNED_IN,
    "GET /notifications": SIGNED_IN,
    "GET /notifications/{notification_id}": SIGNED_IN,  # another's: 404, never 403
    "POST /notifications/read-all": SIGNED_IN,
    # administration
    "GET /admin": ADMIN,
    "GET /admin/invitations": RUNS_ANYWHERE,
    "GET /admin/invitations/new": RUNS_ANYWHERE,
    "POST /admin/invitations/new": RUNS,  # into the world's body
    "POST /admin/invitations/{invitation_id}/revoke": RUNS,
    "GET /admin/people": ADMIN,
    "POST /admin/people/{person_id}/reset-link": ADMIN,
    "GET /admin/provinces": ADMIN,
    "POST /admin/provinces/{province_id}": ADMIN,
    "GET /admin/audit": ADMIN,
    "GET /admin/erasure": ADMIN,
    "POST /admin/erasure/{request_id}": ADMIN,
    "GET /search": SIGNED_IN,  # finds what the searcher may read
    # the agenda: the programme reads it; the body's people suggest; its officers draft it
    "GET /meetings/{meeting_id}/agenda": SIGNED_IN,
    "GET /meetings/{meeting_id}/agenda/print": SIGNED_IN,
    "GET /meetings/{meeting_id}/agenda/versions": SIGNED_IN,
    "GET /meetings/{meeting_id}/agenda/versions/{number}": SIGNED_IN,
    "GET /meetings/{meeting_id}/agenda/documents/{document_id}": SIGNED_IN,
    "POST /meetings/{meeting_id}/agenda/items": RUNS,
    "GET /meetings/{meeting_id}/agenda/items/{item_id}/edit": RUNS,
    "POST /meetings/{meeting_id}/agenda/items/{item_id}/edit": RUNS,
    "POST /meetings/{meeting_id}/agenda/items/{item_id}/move": RUNS,
    "POST /meetings/{meeting_id}/agenda/items/{item_id}/remove": RUNS,
    "POST /meetings/{meeting_id}/agenda/items/{item_id}/documents": RUNS,
    "POST /meetings/{meeting_id}/agenda/documents/{document_id}/remove": RUNS,
    "POST /meetings/{meeting_id}/agenda/publish": RUNS,
    "POST /meetings/{meeting_id}/agenda/new-version": RUNS,
    "POST /meetings/{meeting_id}/agenda/suggestions": BODY,
    "POST /meetings/{meeting_id}/agenda/suggestions/{suggestion_id}/support": BODY,
    "POST /meetings/{meeting_id}/agenda/suggestions/{suggestion_id}/answer": RUNS,
    "GET /bodies/{body_id}/agenda-template": RUNS,
    "POST /bodies/{body_id}/agenda-template": RUNS,
    # an item's page is the programme's; its discussion the body's people's
    "GET /meetings/{meeting_id}/agenda/items/{item_id}": SIGNED_IN,
    "POST /meetings/{meeting_id}/agenda/items/{item_id}/posts": BODY,
    "POST /meetings/{meeting_id}/agenda/posts/{post_id}/edit": NO_ONE,  # its author only
    "POST /meetings/{meeting_id}/agenda/posts/{post_id}/hide": RUNS,
    "POST /meetings/{meeting_id}/agenda/posts/{post_id}/unhide": RUNS,
    "GET /meetings/{meeting_id}/agenda/posts/{post_id}": BODY,
    "GET /meetings/{meeting_id}/agenda/posts/{post_id}/history": BODY,
    # during the meeting: the chair, the vice-chair and the secretary conduct and record
    "GET /meetings/{meeting_id}/conduct": SIGNED_IN,
    "POST /meetings/{meeting_id}/conduct": OFFICERS,
    "GET /meetings/{meeting_id}/proceedings": SIGNED_IN,
    "POST /meetings/{meeting_id}/proceedings/items/{item_id}/outcome": OFFICERS,
    # live sessions: the hall joins with the code and no account (an idea, a vote or an
    # answer without joining is sent to the join form or explained); facilitators run them
    "GET /join": ANYONE,
    "POST /join": ANYONE,
    "GET /s/{code}": ANYONE,
    "POST /s/{code}/join": ANYONE,
    "POST /s/{code}/ideas": ANYONE,
    "POST /s/{code}/vote": ANYONE,
    "POST /s/{code}/polls/{poll_id}/answer": ANYONE,
    # ballots: the programme reads them; a voter's eligibility is the ballot's (a 403 with
    # its reason, tested in tests/unit/voting): an empty form is refused before it is asked
    "GET /bodies/{body_id}/ballots": SIGNED_IN,
    "GET /bodies/{body_id}/ballots/new": RUNS,
    "POST /bodies/{body_id}/ballots/new": RUNS,
    "GET /ballots/{ballot_id}": SIGNED_IN,
    "POST /ballots/{ballot_id}/confirm": SIGNED_IN,
    "POST /ballots/{ballot_id}/cast": SIGNED_IN,
    "POST /ballots/{ballot_id}/open": RUNS,
    "POST /ballots/{ballot_id}/close": RUNS,
    "POST /ballots/{ballot_id}/counts": KEEPERS,  # tellers: who keeps attendance
    "POST /ballots/{ballot_id}/counts/{count_id}/confirm": KEEPERS,
    "GET /ballots/{ballot_id}/bulletin": ANYONE,  # public: no one's name is on it
    "GET /ballots/{ballot_id}/bulletin.json": ANYONE,
    "GET /s/{code}/my-data.json": ANYONE,  # the device that joined: its own data, else none
    "POST /s/{code}/erase": ANYONE,
    "POST /meetings/{meeting_id}/sessions": KEEPERS,
    "GET /sessions/{session_id}/console": KEEPERS,
    "POST /sessions/{session_id}/status": KEEPERS,
    "POST /sessions/{session_id}/ideas/{idea_id}/{action}": KEEPERS,
    "GET /sessions/{session_id}/projector": KEEPERS,
    "GET /sessions/{session_id}/qr.svg": KEEPERS,
    "GET /sessions/{session_id}/ideas.csv": KEEPERS,
    "GET /sessions/{session_id}/ideas.xlsx": KEEPERS,
    "POST /sessions/{session_id}/polls": KEEPERS,
    "POST /sessions/{session_id}/polls/{poll_id}/edit": KEEPERS,
    "POST /sessions/{session_id}/polls/{poll_id}/{action}": KEEPERS,
    "POST /sessions/{session_id}/timer": KEEPERS,
    "POST /sessions/{session_id}/timer/{action}": KEEPERS,
    "POST /sessions/{session_id}/settings": KEEPERS,
    "POST /sessions/{session_id}/unblock": KEEPERS,
    "GET /sessions/{session_id}/clusters": KEEPERS,
    "POST /sessions/{session_id}/clusters": KEEPERS,
    "POST /sessions/{session_id}/clusters/accept": KEEPERS,
    "POST /sessions/{session_id}/clusters/assign": KEEPERS,
    "POST /sessions/{session_id}/clusters/{cluster_id}/{action}": KEEPERS,
    "GET /sessions/{session_id}/wordcloud": KEEPERS,
    "GET /sessions/{session_id}/share/line": KEEPERS,
    "GET /sessions/{session_id}/promote": KEEPERS,
    "POST /sessions/{session_id}/promote": KEEPERS,
    "GET /sessions/{session_id}/promotions/{promotion_id}": KEEPERS,
    # a page whose socket is blocked polls its channel; the channel's rule decides (below;
    # here no channel is named: not found, for everyone)
    "GET /live/poll": ANYONE,
}

# The JSON API, with a personal token (each account kind its own; no token: log in).
API: dict[str, frozenset[str]] = {
    "GET /api/v1/organisations": SIGNED_IN,
    "POST /api/v1/organisations": OFFICER_ANYWHERE,
    "GET /api/v1/organisations/{organisation_id}": SIGNED_IN,
    "PATCH /api/v1/organisations/{organisation_id}": OFFICER_ANYWHERE,
    "POST /api/v1/organisations/{organisation_id}/archive": ADMIN,
    "POST /api/v1/organisations/{organisation_id}/restore": ADMIN,
    "GET /api/v1/people": SIGNED_IN,
    "GET /api/v1/people/me": SIGNED_IN,
    "GET /api/v1/people/{person_id}": SIGNED_IN,
    "PATCH /api/v1/people/{person_id}": ADMIN,  # someone else's
    "GET /api/v1/bodies": SIGNED_IN,
    "POST /api/v1/bodies": ADMIN,
    "GET /api/v1/bodies/{body_id}": SIGNED_IN,
    "PATCH /api/v1/bodies/{body_id}": OFFICERS,
    "POST /api/v1/bodies/{body_id}/archive": ADMIN,
    "POST /api/v1/bodies/{body_id}/restore": ADMIN,
    "POST /api/v1/bodies/{body_id}/members": RUNS,
    "PATCH /api/v1/memberships/{membership_id}": RUNS,
    "DELETE /api/v1/memberships/{membership_id}": RUNS,
    "GET /api/v1/bodies/{body_id}/meetings": SIGNED_IN,
    "POST /api/v1/bodies/{body_id}/meetings": RUNS,
    "GET /api/v1/meetings/{meeting_id}": SIGNED_IN,
    "PATCH /api/v1/meetings/{meeting_id}": RUNS,
    "POST /api/v1/meetings/{meeting_id}/status": RUNS,
    "GET /api/v1/meetings/{meeting_id}/attendance": SIGNED_IN,
    "PATCH /api/v1/attendance/{attendance_id}": KEEPERS,
    "POST /api/v1/meetings/{meeting_id}/guests": KEEPERS,
    "POST /api/v1/checkin": SIGNED_IN,
    "GET /api/v1/meetings/{meeting_id}/agenda": SIGNED_IN,
    "POST /api/v1/meetings/{meeting_id}/agenda/items": RUNS,
    "PATCH /api/v1/meetings/{meeting_id}/agenda/items/{item_id}": RUNS,
    "DELETE /api/v1/meetings/{meeting_id}/agenda/items/{item_id}": RUNS,
    "POST /api/v1/meetings/{meeting_id}/agenda/items/{item_id}/move": RUNS,
    "POST /api/v1/meetings/{meeting_id}/agenda/publish": RUNS,
    "GET /api/v1/meetings/{meeting_id}/agenda/suggestions": SIGNED_IN,
    "POST /api/v1/meetings/{meeting_id}/agenda/suggestions": BODY,
    "PUT /api/v1/meetings/{meeting_id}/agenda/suggestions/{suggestion_id}/support": BODY,
    "DELETE /api/v1/meetings/{meeting_id}/agenda/suggestions/{suggestion_id}/support": BODY,
    "POST /api/v1/meetings/{meeting_id}/agenda/suggestions/{suggestion_id}/answer": RUNS,
    "GET /api/v1/meetings/{meeting_id}/agenda/items/{item_id}/posts": BODY,
    "POST /api/v1/meetings/{meeting_id}/agenda/items/{item_id}/posts": BODY,
    "PATCH /api/v1/meetings/{meeting_id}/agenda/posts/{post_id}": NO_ONE,
    "POST /api/v1/meetings/{meeting_id}/agenda/posts/{post_id}/hide": RUNS,
    "DELETE /api/v1/meetings/{meeting_id}/agenda/posts/{post_id}/hide": RUNS,
    "GET /api/v1/meetings/{meeting_id}/proceedings": SIGNED_IN,
    "PUT /api/v1/meetings/{meeting_id}/proceedings/current": OFFICERS,
    "PUT /api/v1/meetings/{meeting_id}/proceedings/items/{item_id}/outcome": OFFICERS,
    "GET /api/v1/search": SIGNED_IN,
    "GET /api/v1/notifications": SIGNED_IN,
    "POST /api/v1/notifications/read": SIGNED_IN,
    "GET /api/v1/tokens": SIGNED_IN,
    "POST /api/v1/tokens": SIGNED_IN,
    "DELETE /api/v1/tokens/{token_id}": SIGNED_IN,  # another's: not found
    # live sessions: those who run them, as on the console
    "GET /api/v1/meetings/{meeting_id}/sessions": KEEPERS,
    "POST /api/v1/meetings/{meeting_id}/sessions": KEEPERS,
    "GET /api/v1/sessions/{session_id}": KEEPERS,
    "PATCH /api/v1/sessions/{session_id}": KEEPERS,
    "POST /api/v1/sessions/{session_id}/status": KEEPERS,
    "GET /api/v1/sessions/{session_id}/export": KEEPERS,
    "GET /api/v1/sessions/{session_id}/ideas": KEEPERS,
    "PATCH /api/v1/sessions/{session_id}/ideas/{idea_id}": KEEPERS,
    "POST /api/v1/sessions/{session_id}/ideas/{idea_id}/merge": KEEPERS,
    "POST /api/v1/sessions/{session_id}/ideas/{idea_id}/moderation": KEEPERS,
    "PUT /api/v1/sessions/{session_id}/ideas/{idea_id}/theme": KEEPERS,
    "GET /api/v1/sessions/{session_id}/themes": KEEPERS,
    "POST /api/v1/sessions/{session_id}/themes": KEEPERS,
    "PATCH /api/v1/sessions/{session_id}/themes/{theme_id}": KEEPERS,
    "DELETE /api/v1/sessions/{session_id}/themes/{theme_id}": KEEPERS,
    "GET /api/v1/sessions/{session_id}/polls": KEEPERS,
    "POST /api/v1/sessions/{session_id}/polls": KEEPERS,
    "POST /api/v1/sessions/{session_id}/polls/{poll_id}/{action}": KEEPERS,
    "DELETE /api/v1/sessions/{session_id}/polls/{poll_id}": KEEPERS,
    "GET /api/v1/sessions/{session_id}/promotions": KEEPERS,
    "POST /api/v1/sessions/{session_id}/promotions": KEEPERS,
    # taking part with an account, as on the phone page: whoever has the code (before
    # joining, the rest answers "join first": 409)
    "POST /api/v1/live/{code}/join": SIGNED_IN,
    "GET /api/v1/live/{code}": SIGNED_IN,
    "POST /api/v1/live/{code}/ideas": SIGNED_IN,
    "PUT /api/v1/live/{code}/ideas/{idea_id}/vote": SIGNED_IN,
    "DELETE /api/v1/live/{code}/ideas/{idea_id}/vote": SIGNED_IN,
    "PUT /api/v1/live/{code}/polls/{poll_id}/answer": SIGNED_IN,
    "GET /api/v1/bodies/{body_id}/ballots": SIGNED_IN,
    "POST /api/v1/bodies/{body_id}/ballots": RUNS,
    "GET /api/v1/ballots/{ballot_id}": SIGNED_IN,
    "POST /api/v1/ballots/{ballot_id}/status": RUNS,
    "POST /api/v1/ballots/{ballot_id}/votes": VOTERS,  # the world's ballot is its members'
    "POST /api/v1/ballots/{ballot_id}/counts": KEEPERS,
    "POST /api/v1/ballots/{ballot_id}/counts/{count_id}/confirm": KEEPERS,
    "GET /api/v1/ballots/{ballot_id}/bulletin": ANYONE,  # public once closed (404 before)
}

# What each JSON write sends: a body the schema accepts, so that the answer is the rule's
# (a 422 for a body the schema refuses would come before it). Versions may be stale: a 409 is
# the work's own answer.
BODIES: dict[str, dict] = {
    "POST /api/v1/organisations": {"name": "เครือข่ายทดสอบ", "kind": "community_enterprise"},
    "PATCH /api/v1/organisations/{organisation_id}": {"version": 1},
    "PATCH /api/v1/people/{person_id}": {"version": 1},
    "POST /api/v1/bodies": {"kind": "committee", "name": "คณะทดสอบ"},
    "PATCH /api/v1/bodies/{body_id}": {"version": 1},
    "POST /api/v1/bodies/{body_id}/members": {"person_id": "{person_id}"},
    "PATCH /api/v1/memberships/{membership_id}": {"role": "member"},
    "POST /api/v1/bodies/{body_id}/meetings": {"starts_at": "2027-01-15T09:00:00+07:00"},
    "PATCH /api/v1/meetings/{meeting_id}": {"version": 1},
    "POST /api/v1/meetings/{meeting_id}/status": {"to": "agenda_open", "version": 1},
    "PATCH /api/v1/attendance/{attendance_id}": {"status": "present"},
    "POST /api/v1/checkin": {"code": "000000"},
    "POST /api/v1/tokens": {"name": "อีกอัน"},
    "POST /api/v1/meetings/{meeting_id}/agenda/items": {"version": 1, "part_id": 1, "title": "วาระ"},
    "PATCH /api/v1/meetings/{meeting_id}/agenda/items/{item_id}": {"version": 1},
    "POST /api/v1/meetings/{meeting_id}/agenda/items/{item_id}/move": {"version": 1},
    "POST /api/v1/meetings/{meeting_id}/agenda/publish": {"version": 1},
    "POST /api/v1/meetings/{meeting_id}/agenda/suggestions": {"title": "ข้อเสนอ"},
    "POST /api/v1/meetings/{meeting_id}/agenda/suggestions/{suggestion_id}/answer": {"answer": "decline"},
    "PUT /api/v1/meetings/{meeting_id}/proceedings/current": {"to": "next"},
    "PUT /api/v1/meetings/{meeting_id}/proceedings/items/{item_id}/outcome": {"version": 1, "outcome": "noted"},
    "POST /api/v1/meetings/{meeting_id}/agenda/items/{item_id}/posts": {"body": "ความเห็น"},
    "PATCH /api/v1/meetings/{meeting_id}/agenda/posts/{post_id}": {"version": 1, "body": "แก้"},
    "POST /api/v1/meetings/{meeting_id}/agenda/posts/{post_id}/hide": {"reason": "ไม่สุภาพ"},
    "POST /api/v1/meetings/{meeting_id}/sessions": {"prompt": "คำถาม"},
    "PATCH /api/v1/sessions/{session_id}": {"premoderation": False, "idea_limit": 280, "version": 1},
    "POST /api/v1/sessions/{session_id}/status": {"to": "pause", "version": 1},
    "PATCH /api/v1/sessions/{session_id}/ideas/{idea_id}": {"text": "แก้แล้ว"},
    "POST /api/v1/sessions/{session_id}/ideas/{idea_id}/merge": {"into_id": "{idea_id}"},
    "POST /api/v1/sessions/{session_id}/ideas/{idea_id}/moderation": {"action": "pin"},
    "PUT /api/v1/sessions/{session_id}/ideas/{idea_id}/theme": {"theme_id": "{cluster_id}"},
    "POST /api/v1/sessions/{session_id}/themes": {"name": "ประเด็นใหม่"},
    "PATCH /api/v1/sessions/{session_id}/themes/{theme_id}": {"name": "ชื่อใหม่"},
    "POST /api/v1/sessions/{session_id}/polls": {"question": "ชอบไหม", "options": ["ชอบ", "ไม่ชอบ"]},
    "POST /api/v1/sessions/{session_id}/promotions": {"idea_id": "{idea_id}", "title": "เรื่อง", "target": "proposal_draft"},
    "POST /api/v1/live/{code}/join": {"consent": True},
    "POST /api/v1/live/{code}/ideas": {"text": "ความคิดจากแอป", "key": "matrix-api-1"},
    "PUT /api/v1/live/{code}/polls/{poll_id}/answer": {"option_ids": [1]},
    "POST /api/v1/bodies/{body_id}/ballots": {"title": "ญัตติ", "method": "motion", "secrecy": "named"},
    "POST /api/v1/ballots/{ballot_id}/status": {"to": "open"},
    "POST /api/v1/ballots/{ballot_id}/votes": {"choice": "yes", "key": "matrix-vote-1"},
    "POST /api/v1/ballots/{ballot_id}/counts": {"kind": "paper", "counts": {"yes": 3, "no": 1}},
}

QUERIES = {"DELETE /api/v1/meetings/{meeting_id}/agenda/items/{item_id}": "?version=1"}
PATHS = {"POST /api/v1/sessions/{session_id}/polls/{poll_id}/{action}": {"{action}": "close"}}

# The live channels a page listens to, by the same rule as the page they belong to (a
# session's phones listen with the ticket their page got on joining: tested in tests/live).
CHANNELS: dict[str, frozenset[str]] = {
    "meeting:{meeting_id}": SIGNED_IN,
    "agenda:{meeting_id}": SIGNED_IN,
    "item:{item_id}": BODY,
    "session:{code}": KEEPERS,
    "console:{session_id}": KEEPERS,
}


def test_every_route_has_its_row():
    from forum.app import create_app

    keys = {f"{method} {path}" for method, path, _route in all_routes(create_app())}
    keys.discard("POST /logout")  # ends the client's own session; covered in test_accounts
    written = HTML.keys() | API.keys()
    assert sorted(keys - written) == [], "give each new route its row in HTML or API"
    assert sorted(written - keys) == [], "a route in the table no longer exists"


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
    elsewhere = factories.meeting(session, officer_of_other_body, starts_in=timedelta(minutes=30))
    from deliberation.sessions import sessions

    other_session = sessions.open_session(session, admin_actor, meeting_id=elsewhere.id, prompt="อีกเวที")
    return {
        "body": body,
        "unrelated_body": officer_of_other_body,
        "other_code": other_session.code,
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
            **_ballot(session, admin_actor, body),
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
        "theme_id": cluster.id,
        "promotion_id": promotion.id,
    }




def _ballot(session, actor, body) -> dict:
    """An open ballot of the world's body (opening it again is a 409, closing it works once)
    with a teller's count waiting for a second teller (the admin's: they may not confirm it)."""
    from voting import ballots
    from voting.models import BallotMethod

    ballot = ballots.create_ballot(session, actor, body_id=body.id, title="ญัตติ", method=BallotMethod.motion)
    ballots.open_ballot(session, actor, ballot_id=ballot.id)
    counted = ballots.enter_count(session, actor, ballot_id=ballot.id, kind="paper", counts={"yes": 1})
    return {"ballot_id": ballot.id, "count_id": counted.id}


def concrete(path: str, world) -> str:
    for prefix, token in world["tokens"].items():
        if path.startswith(prefix):
            path = path.replace("{token}", token)
    for name, value in world["params"].items():
        path = path.replace("{" + name + "}", str(value))
    return path


def sent(body: dict, world) -> dict:
    return {
        name: int(concrete(value, world)) if isinstance(value, str) and value.startswith("{") else value
        for name, value in body.items()
    }


def outcome(response, *, hidden_is_refused: bool = False) -> str:
    if response.status_code == 401 or (
        response.status_code in (302, 303) and response.headers["location"].startswith("/login")
    ):
        return "login"
    if response.status_code == 403 or (hidden_is_refused and response.status_code == 404):
        return "refused"
    assert response.status_code < 500, response.text[:500]
    return "answered"


def expected(who: str, allowed: frozenset[str]) -> str:
    if who in allowed:
        return "answered"
    return "refused" if who in ACCOUNTS else "login"


async def person(who, world, session, as_member, make_client):
    """The client of one kind of person (for the API, also their personal token)."""
    if who in ("anonymous", "guest", "other_guest"):
        client = make_client()
        if who != "anonymous":
            code = world["params"]["code"] if who == "guest" else world["other_code"]
            joined = await client.post(f"/s/{code}/join", {"nickname": "ผู้มาเยือน", "consent": "yes"})
            assert joined.status_code in (200, 303), joined.text[:300]
        return client, None
    if who == "admin":
        client = await as_member("admin")
    elif who == "outsider":
        client = await as_member(Role.chair, body=world["unrelated_body"])
    else:
        client = await as_member(Role(who), body=world["body"])
    _row, token = accounts.create_api_token(session, accounts.actor_for(session, client.person), name="matrix")
    session.commit()
    return client, token


@pytest.mark.parametrize("who", PEOPLE)
async def test_each_route_answers_each_kind_of_person_as_written(app, session, world, as_member, make_client, who):
    client, token = await person(who, world, session, as_member, make_client)
    wrong = []
    for method, path, _route in all_routes(app):
        key = f"{method} {path}"
        if key == "POST /logout":
            continue
        for name, value in PATHS.get(key, {}).items():
            path = path.replace(name, value)
        url = concrete(path, world) + QUERIES.get(key, "")
        if path.startswith("/api/"):
            headers = {"Authorization": f"Bearer {token}"} if token else {}
            payload = None if method in ("GET", "DELETE") else sent(BODIES.get(key, {}), world)
            response = await client.http.request(method, url, json=payload, headers=headers)
            allowed = API[key]
        else:
            data = {"body_id": world["params"]["body_id"]} if path == "/admin/invitations/new" else {}
            response = await (client.get(url) if method == "GET" else client.post(url, data))
            allowed = HTML[key]
        got, want = outcome(response), expected(who, allowed)
        if got != want:
            wrong.append(f"{key} as {who}: expected {want}, got {got} ({response.status_code})")
    for channel, allowed in CHANNELS.items():
        response = await client.get(f"/live/poll?channel={concrete(channel, world)}&after=0")
        got, want = outcome(response, hidden_is_refused=True), expected(who, allowed)
        if want == "login" and got == "refused":
            got = "login"  # a channel hides itself from those with no account alike
        if got != want:
            wrong.append(f"channel {channel} as {who}: expected {want}, got {got} ({response.status_code})")
    assert not wrong, "\n".join(wrong)
