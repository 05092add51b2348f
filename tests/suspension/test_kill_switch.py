"""The commissioner's suspension order (Minn. Stat. 13.824 subd. 6): once a
hub administrator records it, each use it stops is refused — collection by
the city's readers, searches, and every step of a partner grant — and each
refusal is ledgered with the rule's citation; the portal says so; lifting it
lets each use through again."""
import json
from datetime import date, timedelta

import pytest
from sqlalchemy import select

from hub.cameras.credentials import issue_credential
from hub.cameras.models import SharingMode
from hub.cameras.sharing import set_sharing_mode
from hub.clock import utcnow
from hub.errors import Conflict, Forbidden, ValidationFailed
from hub.extensions import db
from hub.grants.clients import create_client
from hub.grants.consent import consent, read_details
from hub.grants.requests import create_request, decide_request
from hub.identity.roles import Role
from hub.ledger.models import LedgerEntry
from hub.policy import PolicyRefused
from hub.reads.ingest import ingest_batch
from hub.scope import Purpose, scope_for
from hub.search.services import search
from hub.suspension.services import current_order, lift_suspension, order_suspension
from tests.conftest import OPERATOR, make_camera, make_organisation, make_partner, make_user, sign_in

SEARCH = {"plate": "ABC123", "reason": "theft", "case_number": "CPD-26-000001", "basis": "seen at the scene"}


def world():
    agency, hoa = make_organisation(), make_partner("Rush Creek HOA")
    people = {"admin": make_user("admin", Role.HUB_ADMIN, agency, totp=True), "chief": make_user("chief", Role.CHIEF, agency),
              "officer": make_user("ofc", Role.OFFICER, agency, trained=True, authorised=True),
              "owner": make_user("owner", Role.PARTNER_ADMIN, hoa)}
    city, gate = make_camera(agency, "CR 30"), make_camera(hoa, "Gate")
    set_sharing_mode(people["owner"], gate, SharingMode.SHARED, reason="board vote")
    window = {"window_start": utcnow() - timedelta(days=2), "window_end": utcnow() - timedelta(days=1)}
    asked = create_request(people["officer"], camera_ids=[gate.id], case_number="CPD-26-000002", offense_type="theft",
                           factual_basis="seen", access_hours=24, **window)
    approved = create_request(people["officer"], camera_ids=[gate.id], case_number="CPD-26-000003",
                              offense_type="theft", factual_basis="seen", access_hours=24, **window)
    decide_request(people["chief"], approved, approve=True, finding="pertinent")
    granted = create_request(people["officer"], camera_ids=[gate.id], case_number="CPD-26-000004",
                             offense_type="theft", factual_basis="seen", access_hours=24, **window)
    decide_request(people["chief"], granted, approve=True, finding="pertinent")
    client = create_client(OPERATOR, name="Records system", redirect_uris=["https://records.example/cb"])[0]
    grant = consent(people["owner"], _offer(people["owner"], granted, client), camera_ids=[gate.id], hours=1,
                    window_start=granted.window_start, window_end=granted.window_end)
    db.session.commit()
    return {**people, "city": city, "gate": gate, "asked": asked, "approved": approved, "client": client,
            "grant": grant, "window": window}


def _offer(owner, request, client):
    return read_details(json.dumps([{"type": "alpr_camera_access", "request_id": request.id}]), owner, client=client)


def _suspend(w):
    order_suspension(w["admin"], reference="Admin Order 26-01", ordered_on=utcnow().date(),
                     summary="Pattern of substantial noncompliance found on review of the audit.")
    db.session.commit()


def _refused(call) -> LedgerEntry:
    """The call is refused by the suspension rule, and the refusal is on record."""
    with pytest.raises(PolicyRefused) as refused:
        call()
    assert "13.824 subd. 6" in str(refused.value.errors)
    from hub.errors import ledger_refusal
    ledger_refusal(refused.value.refusal, reason=refused.value.message, errors=refused.value.errors)
    return db.session.scalars(select(LedgerEntry).order_by(LedgerEntry.id.desc()).limit(1)).one()


USES = {
    "collection by a city reader": lambda w: ingest_batch(w["city"], [{"read_id": "s1", "plate": "ABC123",
                                                                      "captured_at": utcnow().isoformat()}]),
    "a search": lambda w: search(w["officer"], SEARCH),
    "asking for a grant": lambda w: create_request(w["officer"], camera_ids=[w["gate"].id], access_hours=24,
                                                   case_number="CPD-26-000009", offense_type="theft",
                                                   factual_basis="seen", **w["window"]),
    "the chief approving a grant": lambda w: decide_request(w["chief"], w["asked"], approve=True, finding="pertinent"),
    "the partner consenting": lambda w: consent(w["owner"], _offer(w["owner"], w["approved"], w["client"]),
                                                camera_ids=[w["gate"].id], hours=1,
                                                window_start=w["approved"].window_start,
                                                window_end=w["approved"].window_end),
    "using a grant": lambda w: scope_for(w["officer"], Purpose.GRANT, grant=w["grant"]),
}
ACTIVITY = {"collection by a city reader": "collect", "a search": "search"}


@pytest.mark.parametrize("use", sorted(USES))
def test_each_use_is_refused_while_suspended_and_allowed_once_lifted(ctx, use):
    w = world()
    USES[use](w)  # allowed before the order
    db.session.rollback()
    _suspend(w)
    entry = _refused(lambda: USES[use](w))
    assert entry.action == "alpr.use.refused"
    assert json.loads(entry.details)["activity"] == ACTIVITY.get(use, "grant")
    assert json.loads(entry.details)["suspension_order"] == "Admin Order 26-01"
    lift_suspension(w["admin"], reference="Reinstatement 26-02", lifted_on=utcnow().date())
    db.session.commit()
    USES[use](w)


def test_a_partner_reader_still_collects_and_the_order_is_ledgered(ctx):
    w = world()
    _suspend(w)
    assert ingest_batch(w["gate"], [{"read_id": "p1", "plate": "ABC123",
                                     "captured_at": utcnow().isoformat()}]).accepted == ["p1"]
    actions = list(db.session.scalars(select(LedgerEntry.action).where(LedgerEntry.action.like("suspension.%"))))
    assert actions == ["suspension.ordered"]
    assert current_order().reference == "Admin Order 26-01"


def test_only_a_hub_administrator_records_an_order_and_bad_input_is_named(ctx):
    w = world()
    with pytest.raises(Forbidden):
        order_suspension(w["chief"], reference="X", ordered_on=utcnow().date(), summary="y")
    with pytest.raises(ValidationFailed) as invalid:
        order_suspension(w["admin"], reference=" ", ordered_on=utcnow().date() + timedelta(days=1), summary="")
    assert set(invalid.value.errors) == {"reference", "ordered_on", "summary"}
    with pytest.raises(Conflict):
        lift_suspension(w["admin"], reference="R", lifted_on=utcnow().date())
    _suspend(w)
    with pytest.raises(Conflict):
        order_suspension(w["admin"], reference="Again", ordered_on=utcnow().date(), summary="again")
    with pytest.raises(ValidationFailed) as early:
        lift_suspension(w["admin"], reference="R", lifted_on=date(2000, 1, 1))
    assert "lifted_on" in early.value.errors


def test_the_api_refuses_a_city_readers_batch_and_the_portal_says_so(app, client, run):
    secret = run(lambda: (w := world(), _suspend(w), issue_credential(OPERATOR, w["city"])[1])[2])
    answer = client.post("/api/v1/reads", json={"reads": [{"read_id": "a1", "plate": "ABC123",
                                                           "captured_at": utcnow().isoformat()}]},
                         headers={"Authorization": f"Bearer {secret}"})
    assert answer.status_code == 403 and answer.get_json()["code"] == "policy_refused"
    for page in ("/transparency", "/transparency/log-of-use", "/transparency/usage"):
        assert "The readers' use is suspended" in client.get(page).get_data(as_text=True)
    with app.app_context():
        assert db.session.scalar(select(LedgerEntry.action).order_by(LedgerEntry.id.desc()).limit(1)) == \
            "alpr.use.refused"


def test_the_administrators_page_records_and_lifts_the_order(app, client, run):
    secret = run(lambda: world()["admin"].totp_secret)
    sign_in(client, "admin", totp_secret=secret)
    from tests.conftest import post_form
    missing = post_form(client, "/admin/suspension", {"order-reference": "", "order-summary": "",
                                                     "order-issued_by": "Commissioner of Administration"})
    assert missing.status_code == 422 and 'id="error-summary"' in missing.get_data(as_text=True)
    done = post_form(client, "/admin/suspension", {"order-reference": "Admin Order 26-01", "order-summary": "Audit",
                                                  "order-ordered_on": utcnow().date().isoformat(),
                                                  "order-issued_by": "Commissioner of Administration"})
    assert done.status_code == 302
    assert "Lift the suspension" in client.get("/admin/suspension").get_data(as_text=True)
    lifted = post_form(client, "/admin/suspension", {"lift-reference": "Reinstated",
                                                    "lift-lifted_on": utcnow().date().isoformat()})
    assert lifted.status_code == 302
    with app.app_context():
        assert current_order() is None
