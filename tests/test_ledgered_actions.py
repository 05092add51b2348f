"""Every state-changing action writes its ledger entries, exactly those, in
the same transaction as the change: rolling the transaction back removes
them all. Most actions write one entry; a few create what they need through
other services, each of which leaves its own. Later actions join this table."""
import json
from datetime import date, timedelta
from urllib.parse import urlencode

import pytest
from sqlalchemy import func, select

from hub.alerts.models import Alert
from hub.alerts.services import decide_alert, get_alert
from hub.alerts.webhooks import deliver_due
from hub.cameras.bca import record_notice_sent
from hub.cameras.credentials import issue_credential, revoke_credential
from hub.cameras.models import SharingMode
from hub.cameras.services import retire_camera, update_camera
from hub.cameras.sharing import set_sharing_mode
from hub.clock import clock, utcnow
from hub.extensions import db
from hub.grants.binding import awaiting_link
from hub.ledger import browse
from hub.transparency.log_of_use import aggregate_day
from hub.grants.clients import create_client, set_redirect_uris
from hub.grants.consent import consent, decline, read_details, set_consent_link
from hub.grants.requests import create_request, decide_request
from hub.grants.models import AuthorizationCode
from hub.grants.revocation import revoke_code_tokens, revoke_grant
from hub.hotlists import services as hotlist_services
from hub.identity import access, login, services, tokens
from hub.identity.roles import OrganisationKind, Role
from hub.ledger import holders, witness
from hub.ledger.models import LedgerEntry
from hub.ratelimit.failures import record_failure, summarise_closed_windows
from hub.ledger.services import rotate_signing_key
from hub.reads.confirmation import confirm_read
from hub.reads.ingest import ingest_batch
from hub.keys import services as data_keys
from hub.keys.models import DataKey
from hub.reads.models import Read
from hub.retention.models import HoldKind
from hub.retention.proof import destruction_record
from hub.retention.purge import preview
from hub.retention.services import get_hold, list_holds, place_hold, release_hold, review_hold
from hub.cameras.bca import send_reminders
from hub.grants.revocation import record_expiries
from hub.safe_at_home.services import record_request
from hub.search.services import export, search
from hub.settings.services import change_settings
from partners.data import export as export_partner_data, holdings
from partners.leaving import leave_network
from partners.services import accept_invitation, accept_terms, decide_partnership, invite_administrator, sign_up
from partners.terms import current_terms
from tests.conftest import PASSWORD, make_camera, make_organisation, make_partner, make_user
from tests.conftest import OPERATOR


def prepare(action: str) -> dict:
    """What the action needs, made (and ledgered) before counting starts."""
    agency = make_organisation()
    hoa = make_partner()
    world = {"officer": make_user("ofc", Role.OFFICER, authorised=action == "authorisation.withdrawn"),
             "officer_ok": make_user("ofc2", Role.OFFICER, trained=True, authorised=True),
             "records": make_user("rec", Role.RECORDS, trained=True, authorised=True),
             "chief": make_user("chief", Role.CHIEF), "sgt": make_user("sgt", Role.ALPR_ADMIN, agency, trained=True, authorised=True),
             "owner": make_user("owner", Role.PARTNER_ADMIN, hoa), "hoa": hoa}
    world["token"] = tokens.create_token(OPERATOR, world["officer"], name="t")[0]
    world["camera"] = make_camera(hoa, "Gate")
    world["camera_city"] = make_camera(agency, "CR 30")
    issue_credential(OPERATOR, world["camera"])
    world["invitation"] = invite_administrator(world["owner"], email="new@hoa.example")[1]
    world["applicant"] = sign_up(organisation_name="Elm HOA", kind=OrganisationKind.HOA, contact_name="E",
                                 contact_email="e@elm.example", contact_phone="", username="elm",
                                 display_name="E", password=PASSWORD,
                                 accepted_terms_version=current_terms().version).organisation
    world["sgt_entry"] = hotlist_services.add_entry(world["sgt"], plate="HOT1", reason_category="warrant",
                                                    case_number="ICR-1", priority="high",
                                                    expires_at=utcnow() + timedelta(days=5))
    ingest_batch(world["camera_city"], [{"read_id": "r1", "plate": "HOT1", "captured_at": utcnow().isoformat()},
                                        {"read_id": "r2", "plate": "LOW1", "captured_at": utcnow().isoformat(),
                                         "confidence": 0.2}])
    world["alert"] = db.session.scalar(select(Alert))
    world["approved"] = create_request(
        world["officer_ok"], camera_ids=[world["camera"].id], case_number="ICR-6", offense_type="theft",
        factual_basis="seen", window_start=utcnow() - timedelta(days=2), window_end=utcnow() - timedelta(days=1),
        access_hours=24)
    decide_request(world["chief"], world["approved"], approve=True, finding="pertinent")
    world["client"] = create_client(OPERATOR, name="Records system", redirect_uris=["https://records.example/cb"])[0]
    world["grant"] = consent(world["owner"], read_details(json.dumps([{
        "type": "alpr_camera_access", "request_id": world["approved"].id}]), world["owner"], client=world["client"]),
        camera_ids=[world["camera"].id], window_start=world["approved"].window_start,
        window_end=world["approved"].window_end, hours=1)
    world["code"] = _redeemed_code(world["grant"], world["client"], world["owner"])
    world["approved"] = create_request(
        world["officer_ok"], camera_ids=[world["camera"].id], case_number="ICR-7", offense_type="theft",
        factual_basis="seen", window_start=utcnow() - timedelta(days=2), window_end=utcnow() - timedelta(days=1),
        access_hours=24)
    decide_request(world["chief"], world["approved"], approve=True, finding="pertinent")
    world["client"] = create_client(OPERATOR, name="Records system", redirect_uris=["https://records.example/cb"])[0]
    world["access_request"] = create_request(
        world["officer_ok"], camera_ids=[world["camera"].id], case_number="ICR-4", offense_type="theft",
        factual_basis="seen", window_start=utcnow() - timedelta(days=2), window_end=utcnow() - timedelta(days=1),
        access_hours=24)
    world["unverified"] = db.session.scalar(select(Read.id).where(Read.verified.is_(False)))
    if action == "reads.exported":
        world["search"] = search(world["officer_ok"], SEARCH).entry_id
    if action == "alert.webhook_withheld":
        change_settings(OPERATOR, {"alert_webhook_url": "http://127.0.0.1:9/alerts"})
        set_sharing_mode(world["owner"], world["camera"], SharingMode.ALERTS_ONLY, reason="trial")
        ingest_batch(world["camera"], [{"read_id": "w1", "plate": "HOT1", "captured_at": utcnow().isoformat()}])
        set_sharing_mode(world["owner"], world["camera"], SharingMode.PRIVATE, reason="trial over")
    world["hold"] = place_hold(world["sgt"], kind=HoldKind.INVESTIGATION, plate="HOT1", case_number="ICR-8",
                               reason="robbery", review_on=date.today() + timedelta(days=9))
    if action == "camera.bca_reminder_sent":
        make_camera(agency, "New reader", installed_on=date.today() - timedelta(days=8))
    if action == "grant.expired":
        world["grant"].expires_at = utcnow() - timedelta(seconds=1)
    if action == "failures.summarised":
        clock.freeze(utcnow() - timedelta(hours=1))
        for _ in range(3):
            record_failure("login.failed", details={"factor": "password"})
        clock.unfreeze()
    if action == "ledger.checkpoint_kept":
        from hub.ledger.tree import seal_and_checkpoint
        seal_and_checkpoint()
    if action.startswith(("ledger.witness", "ledger.cosignature")):
        world.update(witness_world(action))
    db.session.commit()
    return world


def witness_world(action: str) -> dict:
    """Another log this hub follows, one of its checkpoints ready to cosign,
    and this hub's own checkpoint cosigned by a witness it trusts."""
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
    from hub.ledger import verifier
    from hub.ledger.tree import latest_checkpoint, seal_and_checkpoint
    log_key, witness_key = Ed25519PrivateKey.generate(), Ed25519PrivateKey.generate()
    body = verifier.Checkpoint("other.example/log", 3, bytes(32)).body
    note = body + "\n" + verifier.sign_note(body, "other.example/log", log_key).line
    world = {"log_vkey": verifier.verifier_key("other.example/log", log_key.public_key()).vkey,
             "witness_vkey": verifier.verifier_key("w.example", witness_key.public_key(), 4).vkey,
             "witness_request": "old 0\n\n" + note}
    if action != "ledger.witness_log_followed":
        witness.follow_log(OPERATOR, "other.example/log", [world["log_vkey"]])
    if action == "ledger.cosignature_received":
        witness.trust_witness(OPERATOR, world["witness_vkey"])
        seal_and_checkpoint()
        own = latest_checkpoint().note
        own_body = own[:own.rindex("\n\n") + 1]
        world["cosigned_note"] = own + verifier.cosign_note(own_body, "w.example", witness_key, 1700000000).line
    return world


ACTIONS = {
    "organisation.created": lambda w: services.create_organisation(OPERATOR, name="Birch HOA", kind=OrganisationKind.HOA),
    "user.created": lambda w: services.create_user(OPERATOR, organisation=w["officer"].organisation, username="newu",
                                                   display_name="New", role=Role.RECORDS, password=PASSWORD),
    "user.role_changed": lambda w: services.change_role(OPERATOR, w["officer"], Role.RECORDS, reason="transfer"),
    "user.deactivated": lambda w: services.set_active(OPERATOR, w["officer"], False, reason="left the force"),
    "training.recorded": lambda w: access.record_training(OPERATOR, w["officer"], completed_on=date(2026, 1, 2),
                                                          course="ALPR training"),
    "authorisation.granted": lambda w: access.authorise_officer(OPERATOR, w["officer"], text="Authorised.",
                                                                signed_on=date(2026, 1, 2), signed_by=w["chief"]),
    "authorisation.withdrawn": lambda w: access.withdraw_authorisation(OPERATOR, w["officer"], reason="reassigned"),
    "api_token.created": lambda w: tokens.create_token(OPERATOR, w["officer"], name="second"),
    "api_token.revoked": lambda w: tokens.revoke_token(OPERATOR, w["token"]),
    "setting.changed": lambda w: change_settings(OPERATOR, {"contact_email": "alpr@corcoran.example"}),
    "login.succeeded": lambda w: login.attempt_password("ofc", PASSWORD),
    "login.failed": lambda w: login.attempt_password("ofc", "wrong password"),
    "camera.registered": lambda w: make_camera(w["hoa"], "Back gate"),
    "camera.updated": lambda w: update_camera(w["owner"], w["camera"], reason="new unit", vendor="Acme"),
    "camera.retired": lambda w: retire_camera(w["owner"], w["camera"], reason="removed"),
    "camera.sharing_mode_changed": lambda w: set_sharing_mode(w["owner"], w["camera"], SharingMode.SHARED,
                                                              reason="board vote"),
    "camera.credential_issued": lambda w: issue_credential(w["owner"], w["camera"]),
    "camera.credential_revoked": lambda w: revoke_credential(w["owner"], w["camera"], reason="lost"),
    "camera.bca_notice_sent": lambda w: record_notice_sent(w["sgt"], w["camera"], sent_on=date(2026, 1, 1)),
    "partner.signed_up": lambda w: sign_up(organisation_name="Oak HOA", kind=OrganisationKind.HOA,
                                           contact_name="O", contact_email="o@oak.example", contact_phone="",
                                           username="oak", display_name="O", password=PASSWORD,
                                           accepted_terms_version=current_terms().version),
    "partner.approved": lambda w: decide_partnership(w["chief"], w["applicant"], approve=True, reason="ok"),
    "partner.declined": lambda w: decide_partnership(w["chief"], w["applicant"], approve=False, reason="no"),
    "partner.invited": lambda w: invite_administrator(w["owner"], email="x@hoa.example"),
    "partner.invitation_accepted": lambda w: accept_invitation(w["invitation"], username="newbie",
                                                               display_name="N", password=PASSWORD),
    "hotlist.entry_added": lambda w: hotlist_services.add_entry(
        w["sgt"], plate="ABC123", reason_category="stolen_vehicle", case_number="ICR-2", priority="high",
        expires_at=utcnow() + timedelta(days=5)),
    "hotlist.entry_removed": lambda w: hotlist_services.remove_entry(w["sgt"], w["sgt_entry"], reason="cleared"),
    "hotlist.imported": lambda w: hotlist_services.import_hot_file(OPERATOR, (
        "plate,state,reason,case_number,priority,expires,non_encounter,instructions\n"
        "AAA111,MN,stolen_vehicle,S-1,high,,,\n").encode(), file_name="hot.csv"),
    "reads.ingested": lambda w: ingest_batch(w["camera_city"], [{"read_id": "r9", "plate": "NEW1",
                                                                 "captured_at": utcnow().isoformat()}]),
    "alerts.possible_raised": lambda w: ingest_batch(w["camera_city"], [{"read_id": "r10", "plate": "H0T1",
                                                                         "captured_at": utcnow().isoformat()}]),
    "alert.viewed": lambda w: get_alert(w["officer_ok"], w["alert"].id),
    "alert.verified": lambda w: decide_alert(w["officer_ok"], w["alert"], verified=True, reason="state system",
                                             checks={"plate_matches_image": True, "entry_current_in_source": True,
                                                     "vehicle_description_matches": True,
                                                     "driver_fits_description": True}),
    "alert.rejected": lambda w: decide_alert(w["officer_ok"], w["alert"], verified=False, reason="misread",
                                             checks={"plate_matches_image": False}),
    "read.confirmed": lambda w: confirm_read(w["officer_ok"], w["unverified"], plate="LOW1"),
    "safe_at_home.request_recorded": lambda w: record_request(w["records"], plate="ZZZ999", received_on=date.today(),
                                                              document=b"%PDF-1.4", document_type="application/pdf",
                                                              reference="ACP 1"),
    "hold.created": lambda w: place_hold(w["sgt"], kind=HoldKind.INVESTIGATION, plate="ZZZ999", case_number="ICR-3",
                                         reason="robbery", review_on=date.today() + timedelta(days=9)),
    "grant.requested": lambda w: create_request(
        w["officer_ok"], camera_ids=[w["camera"].id], case_number="ICR-5", offense_type="theft",
        factual_basis="seen", window_start=utcnow() - timedelta(days=2), window_end=utcnow() - timedelta(days=1),
        access_hours=24),
    "grant.request_approved": lambda w: decide_request(w["chief"], w["access_request"], approve=True,
                                                       finding="pertinent"),
    "grant.request_denied": lambda w: decide_request(w["chief"], w["access_request"], approve=False,
                                                     finding="not pertinent"),
    "grant.consented": lambda w: consent(w["owner"], read_details(json.dumps([{
        "type": "alpr_camera_access", "request_id": w["approved"].id}]), w["owner"], client=w["client"]),
        camera_ids=[w["camera"].id], window_start=w["approved"].window_start, window_end=w["approved"].window_end,
        hours=1),
    "grant.declined": lambda w: decline(w["owner"], read_details(json.dumps([{
        "type": "alpr_camera_access", "request_id": w["approved"].id}]), w["owner"]), message="no"),
    "grant.revoked": lambda w: revoke_grant(w["owner"], w["grant"], reason="board decision"),
    "grant.code_reused": lambda w: revoke_code_tokens("client:records", w["code"]),
    "grant.consent_link_prepared": lambda w: set_consent_link(w["client"], w["approved"], "/oauth/authorize?" + urlencode({
        "response_type": "code", "client_id": w["client"].client_id, "redirect_uri": "https://records.example/cb",
        "code_challenge": "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM", "code_challenge_method": "S256",
        "authorization_details": json.dumps([{"type": "alpr_camera_access", "request_id": w["approved"].id}])})),
    "oauth_client.created": lambda w: create_client(OPERATOR, name="Records",
                                                    redirect_uris=["https://records.example/cb"]),
    "alert.webhook_withheld": lambda w: deliver_due(),
    "grant.requests_awaiting_link_listed": lambda w: awaiting_link(w["client"]),
    "oauth_client.redirects_changed": lambda w: set_redirect_uris(OPERATOR, w["client"], ["https://records.example/new"]),
    "log_of_use.aggregated": lambda w: aggregate_day(OPERATOR, utcnow().date()),
    "ledger.browsed": lambda w: browse.entries(w["chief"], browse.LedgerFilters()),
    "ledger.verified": lambda w: browse.verify(w["chief"]),
    "hold.viewed": lambda w: get_hold(w["sgt"], w["hold"].id),
    "holds.listed": lambda w: list_holds(w["sgt"]),
    "hold.released": lambda w: release_hold(w["sgt"], w["hold"], reason="case closed"),
    "hold.reviewed": lambda w: review_hold(w["sgt"], w["hold"], review_on=date.today() + timedelta(days=30),
                                           note="trial pending"),
    "retention.purge_previewed": lambda w: preview(w["sgt"]),
    "retention.destruction_record_viewed": lambda w: destruction_record(w["sgt"]),
    "grant.expired": lambda w: record_expiries(),
    "camera.bca_reminder_sent": lambda w: send_reminders(),
    "rate_limit.exceeded": lambda w: record_failure("rate_limit.exceeded", subject=("endpoint", "identity.login"),
                                                    details={"endpoint": "identity.login", "status": 429}),
    "authentication.failed": lambda w: record_failure("authentication.failed", subject=("endpoint", "reads_api.Reads"),
                                                      details={"endpoint": "reads_api.Reads", "status": 401}),
    "failures.summarised": lambda w: summarise_closed_windows(),
    "ledger.key_rotated": lambda w: rotate_signing_key(OPERATOR),
    "ledger.checkpoint_kept": lambda w: holders.show_latest(w["owner"], w["owner"].organisation_id),
    "ledger.witness_trusted": lambda w: witness.trust_witness(OPERATOR, w["witness_vkey"]),
    "ledger.witness_log_followed": lambda w: witness.follow_log(OPERATOR, "other.example/log", [w["log_vkey"]]),
    "ledger.witness_cosigned": lambda w: witness.add_checkpoint(w["witness_request"]),
    "ledger.cosignature_received": lambda w: witness.accept_cosignatures(w["cosigned_note"]),
    "reads.searched": lambda w: search(w["officer_ok"], SEARCH),
    "reads.exported": lambda w: export(w["officer_ok"], w["search"]),
    "partner.terms_accepted": lambda w: accept_terms(w["owner"], w["hoa"], version=current_terms().version),
    "partner.data_viewed": lambda w: holdings(w["owner"], w["hoa"]),
    "partner.data_exported": lambda w: export_partner_data(w["owner"], w["hoa"], kind="json"),
    "partner.left": lambda w: leave_network(w["owner"], w["hoa"], confirm_name=w["hoa"].name, revoke_live_grants=True),
    "keys.data_key_created": lambda w: data_keys.keys_for_days(w["hoa"].id, {date(2026, 1, 3)}),
    "keys.destroyed": lambda w: data_keys.destroy(OPERATOR, [db.session.scalar(select(DataKey))], reason="test"),
    "keys.rewrapped": lambda w: (setattr(db.session.scalar(select(DataKey)), "kek_fingerprint", "0" * 32),
                                 data_keys.rewrap_batch(OPERATOR)),
    "login.refused_locked": lambda w: (setattr(w["officer"], "locked_until", _in_an_hour()),
                                       login.attempt_password("ofc", PASSWORD)),
}


def _redeemed_code(grant, client, owner) -> int:
    """A used authorization code of the grant (its tokens are what a second
    redemption revokes)."""
    code = AuthorizationCode(code_hash="0" * 64, client_id=client.client_id, user_id=owner.id, grant_id=grant.id,
                             redirect_uri="https://records.example/cb", code_challenge="x" * 43,
                             code_challenge_method="S256", auth_time=0, expires_at=utcnow(), used_at=utcnow())
    db.session.add(code)
    db.session.flush()
    return code.id
SEARCH = {"plate": "HOT1", "reason": "theft", "case_number": "CPD-26-000001", "basis": "seen at the scene"}


def _in_an_hour():
    from datetime import timedelta
    from hub.clock import utcnow
    return utcnow() + timedelta(hours=1)


COMPOSITE = {
    "partner.left": ["grant.revoked", "camera.credential_revoked", "camera.retired", "partner.left"],
    "alerts.possible_raised": ["alerts.possible_raised", "reads.ingested"],
    "partner.signed_up": ["organisation.created", "user.created", "partner.signed_up"],
    "partner.invitation_accepted": ["user.created", "partner.invitation_accepted"],
}


def entry_count() -> int:
    return db.session.scalar(select(func.count()).select_from(LedgerEntry))


@pytest.mark.parametrize("action", sorted(ACTIONS))
def test_action_writes_its_entries_in_its_transaction(ctx, action):
    world = prepare(action)
    before = entry_count()
    ACTIONS[action](world)
    new = list(db.session.scalars(select(LedgerEntry.action).order_by(LedgerEntry.id).offset(before)))
    assert new == COMPOSITE.get(action, [action])
    db.session.rollback()
    assert entry_count() == before
