"""E-mail delivery of the outbox, when an SMTP server is configured
(`HUB_SMTP_HOST`, `HUB_SMTP_PORT`, `HUB_SMTP_FROM`, optional `HUB_SMTP_USER`
and `HUB_SMTP_PASSWORD`, STARTTLS when `HUB_SMTP_STARTTLS=1`). Each message
goes to the organisation's active administrators with an address; a failed
send is tried again at the next run. Messages stay readable in the hub."""
from __future__ import annotations

import logging
import smtplib
from email.message import EmailMessage
from urllib.parse import urljoin

from flask import current_app
from sqlalchemy import select

from hub.clock import utcnow
from hub.extensions import db
from hub.identity.models import User
from hub.notifications.models import Notification

log = logging.getLogger(__name__)
BATCH = 100


def recipients(organisation_id: int) -> list[str]:
    return list(db.session.scalars(select(User.email).where(User.organisation_id == organisation_id,
                                                           User.active.is_(True), User.email.is_not(None))))


def send_pending() -> int:
    """Send what has not been e-mailed yet; returns how many were sent."""
    config = current_app.config
    if not config.get("SMTP_HOST"):
        return 0
    pending = db.session.scalars(select(Notification).where(Notification.emailed_at.is_(None))
                                 .order_by(Notification.id).limit(BATCH)).all()
    if not pending:
        return 0
    sent = 0
    try:
        with smtplib.SMTP(config["SMTP_HOST"], config["SMTP_PORT"], timeout=10) as smtp:
            if config["SMTP_STARTTLS"]:
                smtp.starttls()
            if config.get("SMTP_USER"):
                smtp.login(config["SMTP_USER"], config["SMTP_PASSWORD"])
            for message in pending:
                to = recipients(message.organisation_id)
                if to:
                    smtp.send_message(_email(message, to, config))
                message.emailed_at = utcnow()
                sent += 1
    except (smtplib.SMTPException, OSError) as error:
        log.warning("e-mail delivery stopped after %d message(s): %s", sent, error.__class__.__name__)
    db.session.flush()
    return sent


def _email(message: Notification, to: list[str], config) -> EmailMessage:
    email = EmailMessage()
    email["From"] = config["SMTP_FROM"]
    email["To"] = ", ".join(to)
    email["Subject"] = message.subject
    body = message.body
    if message.link and config.get("BASE_URL"):
        body += "\n\n" + urljoin(config["BASE_URL"], message.link)
    email.set_content(body)
    return email
