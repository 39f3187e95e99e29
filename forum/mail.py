"""Email, only when SMTP is configured; without it, links are handed over in person."""

from __future__ import annotations

import logging
import smtplib
from email.message import EmailMessage

from forum import i18n
from forum.config import get_settings

log = logging.getLogger("wethi.mail")


def send(to: str, subject: str, body: str, **params: object) -> bool:
    """Send a short message in Thai and English; False (and logged) when not sent."""
    return send_text(
        to,
        f"{i18n.translate(subject, 'th')} / {subject}",
        f"{i18n.translate(body, 'th', **params)}\n\n{body % params}\n",
    )


def send_text(to: str, subject: str, text: str) -> bool:
    """Send a message already written in its reader's language; False (and logged) when
    not sent."""
    settings = get_settings()
    if not settings.smtp_configured or not to:
        return False
    message = EmailMessage()
    message["From"] = settings.smtp_from
    message["To"] = to
    message["Subject"] = subject
    message.set_content(text)
    try:
        with smtplib.SMTP(settings.smtp_host, settings.smtp_port, timeout=10) as smtp:
            if settings.smtp_starttls:
                smtp.starttls()
            if settings.smtp_user:
                smtp.login(settings.smtp_user, settings.smtp_password)
            smtp.send_message(message)
    except (OSError, smtplib.SMTPException) as error:
        log.warning("mail to %s not sent: %s", to, error)
        return False
    return True
