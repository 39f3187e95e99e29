"""Email goes out through a real SMTP conversation when SMTP is configured, and not at all
when it is not. The server here is a minimal SMTP listener on 127.0.0.1."""

from __future__ import annotations

import socketserver
import threading
from email import message_from_bytes, policy
from email.header import decode_header, make_header

import pytest

from forum import invitations, mail
from forum.config import get_settings
from tests import factories


class _SMTPHandler(socketserver.StreamRequestHandler):
    def handle(self) -> None:
        self.wfile.write(b"220 test ESMTP\r\n")
        while line := self.rfile.readline():
            command = line.strip().upper()
            if command.startswith((b"EHLO", b"HELO")):
                self.wfile.write(b"250-test\r\n250 8BITMIME\r\n")
            elif command == b"DATA":
                self.wfile.write(b"354 go ahead\r\n")
                data = b""
                while (chunk := self.rfile.readline()) != b".\r\n":
                    data += chunk
                self.server.messages.append(data)  # type: ignore[attr-defined]
                self.wfile.write(b"250 queued\r\n")
            elif command == b"QUIT":
                self.wfile.write(b"221 bye\r\n")
                return
            else:
                self.wfile.write(b"250 ok\r\n")


@pytest.fixture
def smtp_server(monkeypatch):
    server = socketserver.ThreadingTCPServer(("127.0.0.1", 0), _SMTPHandler)
    server.messages = []  # type: ignore[attr-defined]
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    settings = get_settings()
    for name, value in {
        "smtp_host": "127.0.0.1",
        "smtp_port": server.server_address[1],
        "smtp_from": "wethi@example.org",
        "smtp_starttls": False,
    }.items():
        monkeypatch.setattr(settings, name, value)
    yield server
    server.shutdown()
    server.server_close()


def test_an_invitation_with_an_email_is_mailed_in_thai_and_english(session, smtp_server):
    admin = factories.actor(session, factories.person(session, is_admin=True))
    _invitation, token = invitations.create_invitation(
        session, admin, email="somsri@example.org", display_name="สมศรี"
    )
    [raw] = smtp_server.messages
    message = message_from_bytes(raw, policy=policy.default)
    assert message["To"] == "somsri@example.org"
    assert "Wethi" in str(make_header(decode_header(message["Subject"])))
    body = message.get_content()
    assert f"/invite/{token}" in body
    assert any("\u0e00" <= ch <= "\u0e7f" for ch in body)  # the Thai text comes first


def test_without_smtp_nothing_is_sent_and_the_link_is_still_made(session):
    assert not get_settings().smtp_configured
    assert (
        mail.send(
            "a@example.org",
            "Reset your Wethi password",
            "Set a new password here: %(url)s",
            url="x",
        )
        is False
    )


def test_an_unreachable_server_is_logged_not_raised(session, smtp_server, monkeypatch):
    monkeypatch.setattr(get_settings(), "smtp_port", 1)
    assert (
        mail.send(
            "a@example.org",
            "Reset your Wethi password",
            "Set a new password here: %(url)s",
            url="x",
        )
        is False
    )
