"""The JSON API (/api/v1) over the same services as the HTML routes.

Authentication: the session cookie (state-changing calls then need the X-CSRF-Token
header, like a page), or a personal token: `Authorization: Bearer wethi_…` (no CSRF
header needed). Errors are JSON: {"error", "message", "fields"}, in the user's language
(the wethi_lang cookie or Accept-Language; Thai by default). Datetimes are ISO 8601 in
Bangkok time with its offset (+07:00); one sent without an offset is read as Bangkok time.
"""

from fastapi import APIRouter

from forum.api import attendance, bodies, meetings, notifications, organisations, people, tokens
from forum.api.params import ERRORS

router = APIRouter(prefix="/api/v1", responses=ERRORS)
for _module in (organisations, people, bodies, meetings, attendance, tokens, notifications):
    router.include_router(_module.router)
