"""Every state-changing action of the foundation writes exactly one ledger
entry of its own kind, in the same transaction as the change: rolling the
transaction back removes both. Later actions join this table."""
from datetime import date

import pytest
from sqlalchemy import func, select

from hub.extensions import db
from hub.identity import access, login, services, tokens
from hub.identity.roles import OrganisationKind, Role
from hub.ledger.models import LedgerEntry
from hub.settings.services import change_settings
from tests.conftest import PASSWORD, make_user


def prepare(action: str) -> dict:
    """What the action needs, made (and ledgered) before counting starts."""
    world = {"officer": make_user("ofc", Role.OFFICER, authorised=action == "authorisation.withdrawn"),
             "chief": make_user("chief", Role.CHIEF)}
    world["token"] = tokens.create_token("test", world["officer"], name="t")[0]
    db.session.commit()
    return world


ACTIONS = {
    "organisation.created": lambda w: services.create_organisation("test", name="Elm HOA", kind=OrganisationKind.HOA),
    "user.created": lambda w: services.create_user("test", organisation=w["officer"].organisation, username="new",
                                                   display_name="New", role=Role.RECORDS, password=PASSWORD),
    "user.role_changed": lambda w: services.change_role("test", w["officer"], Role.RECORDS, reason="transfer"),
    "user.deactivated": lambda w: services.set_active("test", w["officer"], False, reason="left the force"),
    "training.recorded": lambda w: access.record_training("test", w["officer"], completed_on=date(2026, 1, 2),
                                                          course="ALPR training"),
    "authorisation.granted": lambda w: access.authorise_officer("test", w["officer"], text="Authorised.",
                                                                signed_on=date(2026, 1, 2), signed_by=w["chief"]),
    "authorisation.withdrawn": lambda w: access.withdraw_authorisation("test", w["officer"], reason="reassigned"),
    "api_token.created": lambda w: tokens.create_token("test", w["officer"], name="second"),
    "api_token.revoked": lambda w: tokens.revoke_token("test", w["token"]),
    "setting.changed": lambda w: change_settings("test", {"contact_email": "alpr@corcoran.example"}),
    "login.succeeded": lambda w: login.attempt_password("ofc", PASSWORD),
    "login.failed": lambda w: login.attempt_password("ofc", "wrong password"),
    "login.refused_locked": lambda w: (setattr(w["officer"], "locked_until", _in_an_hour()),
                                       login.attempt_password("ofc", PASSWORD)),
}


def _in_an_hour():
    from datetime import timedelta
    from hub.clock import utcnow
    return utcnow() + timedelta(hours=1)


def entry_count() -> int:
    return db.session.scalar(select(func.count()).select_from(LedgerEntry))


@pytest.mark.parametrize("action", sorted(ACTIONS))
def test_action_writes_exactly_one_entry_in_its_transaction(ctx, action):
    world = prepare(action)
    before = entry_count()
    ACTIONS[action](world)
    assert entry_count() == before + 1
    newest = db.session.scalars(select(LedgerEntry).order_by(LedgerEntry.id.desc())).first()
    assert newest.action == action
    db.session.rollback()
    assert entry_count() == before
