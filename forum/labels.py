"""Display names of the domain's enums, as msgids (translated where shown)."""

from __future__ import annotations

from enum import StrEnum

from forum.models import (
    AttendanceEventKind,
    AttendanceStatus,
    BodyKind,
    MeetingStatus,
    OrganisationKind,
    Role,
    Side,
)

LABELS: dict[StrEnum, str] = {
    Role.chair: "Chair",
    Role.vice_chair: "Vice-chair",
    Role.secretary: "Secretary",
    Role.member: "Member",
    Role.facilitator: "Facilitator",
    Role.observer: "Observer",
    OrganisationKind.provincial_energy_office: "Provincial Energy Office",
    OrganisationKind.energy_volunteers: "Energy volunteers",
    OrganisationKind.community_enterprise: "Community enterprise",
    OrganisationKind.occupational_group: "Occupational group",
    OrganisationKind.academic_network: "Academic network",
    OrganisationKind.government_agency: "Government agency",
    OrganisationKind.local_admin_org: "Local administrative organisation",
    OrganisationKind.community_leaders: "Community leaders",
    OrganisationKind.other: "Other",
    Side.office: "Office",
    Side.network: "Network",
    BodyKind.working_group: "Regional working group",
    BodyKind.committee: "Committee",
    MeetingStatus.draft: "Draft",
    MeetingStatus.agenda_open: "Agenda open",
    MeetingStatus.agenda_published: "Agenda published",
    MeetingStatus.live: "In session",
    MeetingStatus.closed: "Closed",
    AttendanceStatus.invited: "Invited",
    AttendanceStatus.present: "Present",
    AttendanceStatus.absent: "Absent",
    AttendanceStatus.guest: "Guest",
    AttendanceEventKind.check_in: "Checked in",
    AttendanceEventKind.marked_present: "Marked present",
    AttendanceEventKind.marked_absent: "Marked absent",
    AttendanceEventKind.marked_invited: "Marked as invited",
    AttendanceEventKind.guest_added: "Guest added",
    AttendanceEventKind.join_online: "Joined online",
    AttendanceEventKind.leave_online: "Left online",
}

ENUMS = (Role, OrganisationKind, Side, BodyKind, MeetingStatus, AttendanceStatus, AttendanceEventKind)

_BY_VALUE: dict[tuple[type, str], str] = {(type(key), key.value): text for key, text in LABELS.items()}


def label_msgid(enum_type: type[StrEnum], value: str) -> str:
    return _BY_VALUE.get((enum_type, str(value)), str(value))


def options(enum_type: type[StrEnum]) -> list[tuple[str, str]]:
    """(value, msgid) pairs for a select box, in declaration order."""
    return [(member.value, LABELS[member]) for member in enum_type]


# Form fields by the names every form uses (the services' keywords), so an error summary
# can say which field a message is about.
FIELD_LABELS: dict[str, str] = {
    "display_name": "Name",
    "email": "Email",
    "password": "Password",
    "password_again": "Password again",
    "consent": "Consent",
    "position": "Position",
    "phone": "Phone",
    "organisation_id": "Organisation",
    "name": "Name",
    "name_en": "Name in English",
    "kind": "Kind",
    "side": "Side",
    "province_id": "Province",
    "region_id": "Region",
    "description": "Description",
    "body_id": "Body",
    "role": "Role",
    "person_id": "Person",
    "make_admin": "Make this person a site administrator",
    "days": "Days the link stays valid",
    "title": "Title",
    "starts_at": "Starts",
    "ends_at": "Ends",
    "venue": "Venue",
    "online_url": "Online meeting link",
    "status": "Attendance",
    "absence_reason": "Reason for absence",
    "substitute_for_id": "Substitute for",
    "guest_name": "Guest's name",
    "guest_organisation": "Guest's organisation",
    "code": "Code",  # a meeting's check-in code or a live session's: the form says which
    "q": "Search",
    "since": "From date",
    "until": "Until date",
    "action": "Action starts with",
    "actor_id": "Who",
    "target_type": "Kind of record",
}


# What each audited action did, for the audit log (the code stays shown beside it).
ACTION_LABELS: dict[str, str] = {
    "forum.account.create_admin": "Made a site administrator",
    "forum.account.log_in": "Logged in",
    "forum.account.reset_password": "Set a new password",
    "forum.account.sign_up": "Signed up",
    "forum.api_token.create": "Created an API token",
    "forum.api_token.revoke": "Revoked an API token",
    "forum.body.archive": "Archived a body",
    "forum.body.create": "Created a body",
    "forum.body.edit": "Edited a body",
    "forum.body.restore": "Restored a body",
    "forum.consent.give": "Gave consent",
    "forum.consent.withdraw": "Withdrew consent",
    "forum.erasure.complete": "Erased a person's data",
    "forum.erasure.request": "Asked for erasure",
    "forum.invitation.create": "Made an invitation",
    "forum.invitation.revoke": "Revoked an invitation",
    "forum.meeting.add_guest": "Added a guest or substitute",
    "forum.meeting.change_status": "Moved a meeting to its next stage",
    "forum.meeting.check_in": "Checked in",
    "forum.meeting.create": "Created a meeting",
    "forum.meeting.delete": "Deleted a draft meeting",
    "forum.meeting.edit": "Edited a meeting",
    "forum.meeting.mark_attendance": "Marked attendance",
    "forum.membership.add": "Added a member",
    "forum.membership.change_role": "Changed a member's role",
    "forum.membership.remove": "Removed a member",
    "forum.notification.edit_preferences": "Changed notification settings",
    "forum.organisation.archive": "Archived an organisation",
    "forum.organisation.create": "Registered an organisation",
    "forum.organisation.edit": "Edited an organisation",
    "forum.organisation.restore": "Restored an organisation",
    "forum.password_reset.issue": "Issued a password reset link",
    "forum.person.archive": "Archived an account",
    "forum.person.edit": "Edited a profile",
    "forum.person.restore": "Restored an account",
    "forum.province.edit": "Changed a province's region or pilot flag",
    # deliberation: the agenda
    "deliberation.agenda.add_item": "Added an agenda item",
    "deliberation.agenda.attach_document": "Attached a document to an agenda item",
    "deliberation.agenda.create": "Made a meeting's agenda",
    "deliberation.agenda.edit_item": "Edited an agenda item",
    "deliberation.agenda.move_item": "Moved an agenda item",
    "deliberation.agenda.publish": "Published the agenda",
    "deliberation.agenda.remove_document": "Removed a document from an agenda item",
    "deliberation.agenda.remove_item": "Removed an agenda item",
    "deliberation.agenda.start_version": "Started a new version of the agenda",
    "deliberation.agenda_template.edit": "Chose a body's agenda parts",
    "deliberation.suggestion.accept": "Accepted an agenda suggestion",
    "deliberation.suggestion.create": "Suggested an agenda item",
    "deliberation.suggestion.decline": "Declined an agenda suggestion",
    "deliberation.suggestion.merge": "Merged an agenda suggestion into an item",
    "deliberation.suggestion.support": "Supported an agenda suggestion",
    "deliberation.suggestion.withdraw_support": "Withdrew support for an agenda suggestion",
    # deliberation: discussion on agenda items
    "deliberation.post.create": "Posted in an agenda item's discussion",
    "deliberation.post.edit": "Edited a discussion post",
    "deliberation.post.hide": "Hid a discussion post",
    "deliberation.post.unhide": "Showed a hidden discussion post again",
    # deliberation: during the meeting
    "deliberation.meeting.conduct": "Changed the agenda item under consideration",
    "deliberation.outcome.record": "Recorded an agenda item's outcome",
    # deliberation: live sessions
    "deliberation.live_session.open": "Opened a live session",
    "deliberation.live_session.pause": "Paused a live session",
    "deliberation.live_session.resume": "Resumed a live session",
    "deliberation.live_session.close": "Closed a live session",
    "deliberation.live_session.unblock": "Let a connection blocked for mistyped codes join again",
    "deliberation.live_participant.erase": "A live session guest removed their nickname and ideas",
    "deliberation.live_idea.approve": "Approved an idea in a live session",
    "deliberation.live_idea.hide": "Hid an idea in a live session",
    "deliberation.live_idea.restore": "Showed a hidden idea again",
    "deliberation.live_idea.pin": "Pinned an idea in a live session",
    "deliberation.live_idea.unpin": "Unpinned an idea in a live session",
    "deliberation.live_idea.edit": "Corrected an idea's text",
    "deliberation.live_idea.merge": "Merged a duplicate idea into another",
    "deliberation.live_poll.create": "Wrote a quick poll in a live session",
    "deliberation.live_poll.edit": "Edited a draft quick poll",
    "deliberation.live_poll.open": "Opened a quick poll",
    "deliberation.live_poll.close": "Closed a quick poll",
    "deliberation.live_poll.delete": "Deleted a draft quick poll",
    "deliberation.live_cluster.create": "Added a theme to a live session",
    "deliberation.live_cluster.rename": "Renamed a theme of a live session",
    "deliberation.live_cluster.move": "Moved a theme of a live session",
    "deliberation.live_cluster.delete": "Deleted a theme of a live session",
    "deliberation.live_cluster.assign": "Moved an idea to a theme or out of it",
    "deliberation.live_cluster.accept": "Accepted a suggested theme",
    "deliberation.live_session.promote": "Took an idea or a theme forward",
    "deliberation.live_session.settings": "Changed a live session's settings",
}
