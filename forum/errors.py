"""Domain errors: each carries a message (an English msgid translated for the user) and the
HTTP family it maps to in `forum.web`; services raise them, routes never build messages."""

from __future__ import annotations

from typing import Any, NamedTuple


class FieldMessage(NamedTuple):
    """A msgid with its parameters, translated only when shown to a person."""

    msgid: str
    params: dict[str, Any] = {}


class DomainError(Exception):
    status = 400
    message = "Something went wrong."

    def __init__(self, message: str | None = None, **params: Any) -> None:
        self.message = message or self.message
        self.params = params
        super().__init__(self.message % params if params else self.message)


class NotFound(DomainError):
    status = 404
    message = "We could not find that page."


class Forbidden(DomainError):
    """The actor may not do this (a rule in forum.policy said no)."""

    status = 403
    message = "You do not have permission to do that."

    def __init__(self, action: str = "", message: str | None = None, **params: Any) -> None:
        self.action = action
        super().__init__(message, **params)


class NotLoggedIn(Forbidden):
    status = 401
    message = "Please log in first."


class Conflict(DomainError):
    """Not now: the thing is in a state that does not allow this."""

    status = 409
    message = "That cannot be done now."


class StaleEdit(Conflict):
    message = (
        "Someone else changed this while you were editing. "
        "Your changes were not saved: reload to see the latest version, then edit again."
    )


class InvalidInput(DomainError):
    """Bad input, with a message per field (msgids; translated when shown).

    A form shows every refusal next to its field (422). The JSON API answers two kinds as
    their own status, which its document states for input its schema cannot judge:
    `NotAChoice` (the input names a record that is not there, or not one of the choices
    here: 404) and `Conflicting` (a value the record's state or another record rules out:
    a name already taken; 409)."""

    status = 422
    api_status = 422
    message = "Please correct the highlighted fields."

    def __init__(
        self, fields: dict[str, FieldMessage | str] | None = None, message: str | None = None
    ) -> None:
        self.fields = {
            name: value if isinstance(value, FieldMessage) else FieldMessage(value)
            for name, value in (fields or {}).items()
        }
        super().__init__(message)


class NotAChoice(InvalidInput):
    """A field names a record that does not exist or is not one of this form's choices."""

    api_status = 404


class Conflicting(InvalidInput):
    """A field's value is ruled out by another record (a name that must be unique) or by
    the record's own state."""

    api_status = 409


class RateLimited(DomainError):
    status = 429
    message = "Too many attempts. Please wait a few minutes and try again."
