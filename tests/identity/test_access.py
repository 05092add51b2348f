"""The training gate and the chief's written authorisation decide whether a
user may touch ALPR data, through the policy engine."""
from datetime import timedelta

import pytest

from hub.clock import utcnow
from hub.extensions import db
from hub.identity import access
from hub.identity.roles import Role
from hub.policy import PolicyRefused
from hub.ledger.models import LedgerEntry
from tests.conftest import make_user, sign_in
from tests.conftest import OPERATOR


def test_trained_authorised_officer_may_access(ctx):
    officer = make_user("ofc", Role.OFFICER, trained=True, authorised=True)
    assert access.require_data_access(officer).allowed


def test_untrained_user_is_refused_with_citation(ctx):
    officer = make_user("ofc", Role.OFFICER, authorised=True)
    with pytest.raises(PolicyRefused) as refused:
        access.require_data_access(officer)
    assert refused.value.status == 403
    assert {e["rule"] for e in refused.value.errors["rules"]} == {"trained-users-only", "training-current"}
    cites = {e["rule"]: e["cite"] for e in refused.value.errors["rules"]}
    assert "Orono PD ALPR policy 3059.03(2)" in cites["trained-users-only"]
    assert cites["training-current"].startswith("Proposed default")


def test_officer_without_written_authorisation_is_refused(ctx):
    officer = make_user("ofc", Role.OFFICER, trained=True)
    decision = access.data_access_decision(officer)
    assert [r.rule for r in decision.reasons] == ["written-authorisation"]
    access.authorise_officer(OPERATOR, officer, text="Authorised.", signed_on=utcnow().date(),
                             signed_by=make_user("chief", Role.CHIEF))
    assert access.data_access_decision(officer).allowed
    access.withdraw_authorisation(OPERATOR, officer, reason="Reassigned")
    assert not access.data_access_decision(officer).allowed


def test_training_expires_after_a_year(ctx, frozen_clock):
    officer = make_user("ofc", Role.OFFICER, trained=True, authorised=True)
    frozen_clock.advance(timedelta(days=355))
    assert access.data_access_decision(officer).allowed
    frozen_clock.advance(timedelta(days=10))
    decision = access.data_access_decision(officer)
    assert [r.rule for r in decision.reasons] == ["training-current"]


def test_only_chief_signs_and_only_for_law_enforcement_staff(ctx):
    officer = make_user("ofc", Role.OFFICER)
    auditor = make_user("aud", Role.AUDITOR)
    from hub.identity.errors import IdentityInvalid
    with pytest.raises(IdentityInvalid) as bad:
        access.authorise_officer(OPERATOR, auditor, text="x", signed_on=utcnow().date(), signed_by=officer)
    assert set(bad.value.errors) == {"officer", "signed_by"}


@pytest.mark.parametrize("role", [Role.ALPR_ADMIN, Role.RECORDS, Role.CHIEF])
def test_every_law_enforcement_role_needs_the_written_authorisation(ctx, role):
    """Minn. Stat. 13.824 subd. 7: not officers alone; the chief's own is on file too."""
    person = make_user("person", role, trained=True)
    assert [r.rule for r in access.data_access_decision(person).reasons] == ["written-authorisation"]
    chief = person if role is Role.CHIEF else make_user("chief", Role.CHIEF)
    access.authorise_officer(OPERATOR, person, text="Authorised in writing.", signed_on=utcnow().date(),
                             signed_by=chief)
    assert access.data_access_decision(person).allowed


def test_refusal_is_ledgered_when_it_reaches_the_handler(app, make, client):
    make.user("ofc", Role.OFFICER)
    make.user("ofc2", Role.OFFICER)
    sign_in(client, "ofc")
    from tests.conftest import post_form
    with app.app_context():
        from hub.identity.services import find_user
        target = find_user("ofc2").id
    response = post_form(client, f"/admin/users/{target}/training",
                         {"training-completed_on": "2026-01-01", "training-course": "x"}, page="/")
    assert response.status_code == 403
    with app.app_context():
        last = db.session.scalars(db.select(LedgerEntry).order_by(LedgerEntry.id.desc())).first()
        assert last.action == "training.record.refused"
        assert last.subject_id == str(target)


def test_home_page_shows_why_access_is_refused(app, make, client):
    make.user("ofc", Role.OFFICER, trained=True)
    sign_in(client, "ofc")
    page = client.get("/").get_data(as_text=True)
    assert "You may not reach ALPR data now" in page and "Minn. Stat. 13.824 subd. 7" in page
    me = client.get("/api/v1/me").get_json()
    assert me["data_access"]["allowed"] is False
    assert me["data_access"]["reasons"][0]["rule"] == "written-authorisation"
