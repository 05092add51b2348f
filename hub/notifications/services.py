from __future__ import annotations

from sqlalchemy import select

from hub.clock import utcnow
from hub.extensions import db
from hub.identity.models import Organisation, User
from hub.notifications.models import Notification


def notify(organisation: Organisation, *, subject: str, body: str, link: str | None = None) -> Notification:
    """A message to an organisation's administrators, kept in the outbox."""
    message = Notification(organisation_id=organisation.id, subject=subject, body=body, link=link,
                           created_at=utcnow())
    db.session.add(message)
    db.session.flush()
    return message


def inbox(user: User, *, limit: int = 100) -> list[Notification]:
    return list(db.session.scalars(select(Notification).where(Notification.organisation_id == user.organisation_id)
                                   .order_by(Notification.created_at.desc()).limit(limit)))
