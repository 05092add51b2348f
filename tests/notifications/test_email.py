"""The outbox is e-mailed to the organisation's administrators when SMTP is
configured, through a real SMTP server on the loopback."""
import socket

from aiosmtpd.controller import Controller
from sqlalchemy import select

from hub.extensions import db
from hub.identity.roles import Role
from hub.notifications.email import send_pending
from hub.notifications.models import Notification
from hub.notifications.services import notify
from tests.conftest import build_app, make_partner, make_user


class Inbox:
    def __init__(self):
        self.messages = []

    async def handle_DATA(self, server, session, envelope):
        self.messages.append((envelope.rcpt_tos, envelope.content.decode()))
        return "250 OK"


def test_messages_are_emailed_once(app_config):
    inbox = Inbox()
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    controller = Controller(inbox, hostname="127.0.0.1", port=port)
    controller.start()
    try:
        app = build_app({**app_config, "SMTP_HOST": "127.0.0.1", "SMTP_PORT": port,
                         "SMTP_FROM": "hub@corcoran.example", "BASE_URL": "https://hub.corcoran.example"})
        with app.app_context():
            hoa = make_partner()
            owner = make_user("owner", Role.PARTNER_ADMIN, hoa)
            owner.email = "board@testhoa.example"
            notify(hoa, subject="Access request for case ICR-1", body="Please review.", link="/grants/requests/1")
            db.session.commit()
            assert send_pending() == 1
            db.session.commit()
            assert send_pending() == 0
            assert db.session.scalar(select(Notification.emailed_at)) is not None
        (recipients, content), = inbox.messages
        assert recipients == ["board@testhoa.example"]
        assert "Subject: Access request for case ICR-1" in content
        assert "https://hub.corcoran.example/grants/requests/1" in content
    finally:
        controller.stop()


def test_without_smtp_nothing_is_sent(app):
    with app.app_context():
        notify(make_partner(), subject="x", body="y")
        assert send_pending() == 0
        db.session.rollback()
