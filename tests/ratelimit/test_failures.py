"""Failures anyone can repeat are counted per window and ledgered once;
refusals that name a user, a subject or a camera stay one entry each."""
import json
from datetime import timedelta

from sqlalchemy import select

from hub.errors import Refusal
from hub.extensions import db
from hub.ledger.models import LedgerEntry
from hub.ledger.services import record_refusal
from hub.ratelimit.failures import summarise_closed_windows
from hub.identity.roles import Role
from tests.conftest import make_user


def actions():
    return list(db.session.scalars(select(LedgerEntry.action).order_by(LedgerEntry.id)))


def test_anonymous_refusals_are_counted_not_each_ledgered(ctx, frozen_clock):
    for n in range(30):
        record_refusal(Refusal("oauth.request", f"client:guess-{n}", None, {"endpoint": "/oauth/token"}),
                       reason="invalid_client", errors={})
    assert actions() == ["oauth.request.refused"]
    frozen_clock.advance(timedelta(hours=1))
    assert summarise_closed_windows() == 1
    summary = db.session.scalars(select(LedgerEntry).order_by(LedgerEntry.id.desc())).first()
    assert summary.action == "failures.summarised"
    assert json.loads(summary.details)["attempts"] == 30
    assert summarise_closed_windows() == 0


def test_refusals_naming_someone_or_something_stay_individual(ctx):
    officer = make_user("ofc", Role.OFFICER)
    before = len(actions())
    for _ in range(3):
        record_refusal(Refusal("camera.view", officer, None, {}), reason="no", errors={})
        record_refusal(Refusal("grant.reads_access", "client:x", None, {}, (7,)), reason="no", errors={})
    assert len(actions()) - before == 6
