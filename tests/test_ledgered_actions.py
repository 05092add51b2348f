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
from hub.alerts.services import alert_list, decide_alert, get_alert
from hub.alerts.webhooks import deliver_due
from hub.cameras.bca import record_notice_sent
from hub.cameras.credentials import issue_credential, revoke_credential
from hub.cameras.models import SharingMode
from hub.cameras.services import retire_camera, update_camera
from hub.cameras.sharing import set_sharing_mode
from hub.clock import clock, utcnow
from hub.extensions import db
from hub.paging import PageRequest
from hub.grants.binding import awaiting_link
from hub.ledger import browse
from hub.transparency.log_of_use import aggregate_day
from hub.transparency.metrics import compute_month
from hub.audit import services as audit
from hub.cameras import health
from hub.suspension.services import lift_suspension, order_suspension
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
from hub.data_requests.services import submit
from tests.data_requests.conftest import asked


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
    if action in ("suspension.lifted", "audit.report_sent", "audit.report_downloaded", "camera.problem_resolved"):
        order_suspension(OPERATOR, reference="Order 1", ordered_on=date.today(), summary="noncompliance")
        world["report"] = audit.issue_report(OPERATOR, date.today() - timedelta(days=30),
                                             date.today() - timedelta(days=1))
        world["problem"] = health.report_problem(world["owner"], world["camera"], "Lens obscured")
    if action.startswith(("ledger.witness", "ledger.cosignature")):
        world.update(witness_world(action))
    if action.startswith(("data_request.", "oauth_client.token", "federation.")):
        world.update(requests_world(action))
    db.session.commit()
    return world


def requests_world(action: str) -> dict:
    """An outside agency with a requester and a client of its own; for the
    later steps, the agency's cameras and reads and a request at that step."""
    from hub.data_requests import decisions, downloads
    from hub.data_requests.models import Decision
    from tests.data_requests.conftest import agency_world, make_requester, prepared
    if action in ("federation.peer_added", "data_request.decision_received", "data_request.received_destroyed"):
        return peer_world(action)
    if action in ("data_request.letter_received", "data_request.letter_confirmed"):
        from hub.data_requests.letter_intake import receive_letter
        from tests.data_requests import letter_samples as samples
        world = {"requester": make_requester(), "records": make_user("dr-rec", Role.RECORDS),
                 "letter": samples.png(samples.render(samples.form_lines(samples.Letter())))}
        if action == "data_request.letter_confirmed":
            world["request"] = receive_letter(world["requester"], world["letter"], "letter.png", asked())
        return world
    if action in ("data_request.submitted", "oauth_client.token_issued"):
        requester = make_requester()
        client, secret = create_client(OPERATOR, name="Rogers records", redirect_uris=[],
                                       grant_types=["client_credentials"], organisation=requester.organisation)
        return {"requester": requester, "agency_client": (client.client_id, secret)}
    world = agency_world(prefix="dr-")
    if action == "data_request.closed":
        body = make_requester("claims", "Acme Insurance claims office", OrganisationKind.OUTSIDE_BODY)
        world["request"] = submit(body, asked(agency_name="Acme Insurance"))
    elif action == "data_request.prepared":
        world["request"] = submit(world["requester"], asked())
    else:
        world["request"] = prepared(world)
    if action == "data_request.decision_sent":
        client, _ = create_client(OPERATOR, name="Rogers hub", redirect_uris=[], grant_types=["client_credentials"],
                                  organisation=world["requester"].organisation, webhook_url=_receiver())
        from hub.identity.actors import RequestingClient
        world["request"] = prepared(world, by=RequestingClient(client.client_id, client.organisation_id))
        decisions.decide(world["chief"], world["request"], decision=Decision.DENIED, reasonable_suspicion=False,
                         finding="Not pertinent.")
    if action == "data_request.package_destroyed":
        decisions.decide(world["chief"], world["request"], decision=Decision.APPROVED, reasonable_suspicion=True,
                         finding="Pertinent.")
        world["request"].package_available_until = utcnow() - timedelta(seconds=1)
    if action in ("data_request.download_link_issued", "data_request.package_downloaded"):
        decisions.decide(world["chief"], world["request"], decision=Decision.APPROVED, reasonable_suspicion=True,
                         finding="Pertinent.")
        world["link"] = downloads.issue_link(world["requester"], world["request"].id)[1]
    return world


PEER = "maple-grove-mn.alpr-hub"


def peer_world(action: str) -> dict:
    """A neighbouring hub this hub witnesses and asks for data."""
    import json as _json
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
    from hub import signed_webhooks
    from hub.data_requests import federation
    from hub.ledger import verifier
    key = verifier.verifier_key(PEER, Ed25519PrivateKey.generate().public_key())
    witness.follow_log(OPERATOR, PEER, [key.vkey], "https://maple-grove.example")
    world = {"peer": dict(origin=PEER, url="https://maple-grove.example", client_id="corcoran-client",
                          client_secret="s" * 43, webhook_secret="w" * 64)}
    if action == "federation.peer_added":
        return world
    federation.add_peer(OPERATOR, **world["peer"])
    body = _json.dumps({"request_id": 7, "decision": "approved", "case_number": "MGPD-26-1",
                        "decided_at": utcnow().isoformat()}).encode()
    world["decision"] = (PEER, body, signed_webhooks.signature(body, b"w" * 64))
    if action == "data_request.received_destroyed":
        from hub.reads import images
        row = federation.receive_decision(*world["decision"])
        row.package_sha256, row.reads, row.received_at = images.put(b"PK package"), 2, utcnow()
        row.destroy_by = utcnow() - timedelta(seconds=1)
    return world


def _receiver() -> str:
    """A system that takes webhooks (204 to every POST), on localhost."""
    import threading
    from http.server import BaseHTTPRequestHandler, HTTPServer

    class Receiver(BaseHTTPRequestHandler):
        def do_POST(self):
            self.rfile.read(int(self.headers["Content-Length"]))
            self.send_response(204)
            self.end_headers()

        def log_message(self, *args):
            pass

    server = HTTPServer(("127.0.0.1", 0), Receiver)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return f"http://127.0.0.1:{server.server_port}/decisions"


def _client_token(w) -> None:
    """The token endpoint, as a client calls it."""
    import base64
    from flask import current_app
    from hub.grants.oauth import server
    basic = base64.b64encode(":".join(w["agency_client"]).encode()).decode()
    with current_app.test_request_context("/oauth/token", method="POST", data={"grant_type": "client_credentials"},
                                          headers={"Authorization": f"Basic {basic}"}):
        assert server.create_token_response().status_code == 200


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
    "alerts.listed": lambda w: alert_list(w["officer_ok"], PageRequest(1, 25, "time", True)),
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
    "transparency.figures_computed": lambda w: compute_month(OPERATOR, utcnow().date()),
    "suspension.ordered": lambda w: order_suspension(OPERATOR, reference="Order 1", ordered_on=date.today(),
                                                     summary="noncompliance"),
    "suspension.lifted": lambda w: lift_suspension(OPERATOR, reference="Reinstated", lifted_on=date.today()),
    "camera.problem_reported": lambda w: health.report_problem(w["owner"], w["camera"], "Lens obscured"),
    "camera.problem_resolved": lambda w: health.resolve_problem(w["owner"], w["camera"], w["problem"].id, "Cleaned"),
    "audit.report_issued": lambda w: audit.issue_report(OPERATOR, date.today() - timedelta(days=30),
                                                        date.today() - timedelta(days=1)),
    "audit.report_downloaded": lambda w: audit.download(OPERATOR, w["report"].id, "report.pdf"),
    "audit.report_sent": lambda w: audit.record_sending(OPERATOR, w["report"], sent_on=date.today(),
                                                        recipient="Commissioner of Administration",
                                                        method="e-mail", reference="Letter 1"),
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
    "oauth_client.token_issued": _client_token,
    "data_request.submitted": lambda w: submit(w["requester"], asked()),
    "data_request.prepared": lambda w: _decisions().prepare(w["officer"], w["request"], _terms(w["request"])),
    "data_request.approved": lambda w: _decide(w, "approved"),
    "data_request.approved_in_part": lambda w: _decide(w, "approved_in_part", plates=("ABC123",),
                                                       cameras=(w["cameras"]["city"],)),
    "data_request.denied": lambda w: _decide(w, "denied"),
    "data_request.closed": lambda w: _decisions().close(w["records"], w["request"], note="Answered: nothing released."),
    "data_request.download_link_issued": lambda w: _downloads().issue_link(w["requester"], w["request"].id),
    "data_request.package_downloaded": lambda w: _downloads().download(w["requester"], w["request"].id, w["link"]),
    "data_request.letter_received": lambda w: _data_requests("letter_intake").receive_letter(
        w["requester"], w["letter"], "letter.png", asked()),
    "data_request.letter_confirmed": lambda w: _data_requests("letter_intake").confirm_letter(
        w["records"], w["request"], asked()),
    "data_request.decision_sent": lambda w: _data_requests("webhooks").deliver_decisions(),
    "data_request.package_destroyed": lambda w: _data_requests("destruction").mark_due_packages(OPERATOR),
    "data_request.received_destroyed": lambda w: _data_requests("destruction").mark_due_packages(OPERATOR),
    "federation.peer_added": lambda w: _data_requests("federation").add_peer(OPERATOR, **w["peer"]),
    "data_request.decision_received": lambda w: _data_requests("federation").receive_decision(*w["decision"]),
}


def _data_requests(module: str):
    import importlib
    return importlib.import_module(f"hub.data_requests.{module}")


def _decisions():
    from hub.data_requests import decisions
    return decisions


def _downloads():
    from hub.data_requests import downloads
    return downloads


def _terms(request, **overrides):
    from tests.data_requests.conftest import terms
    return terms(request, **overrides)


def _decide(w, decision: str, **narrower):
    from hub.data_requests.models import Decision
    return _decisions().decide(w["chief"], w["request"], decision=Decision(decision), reasonable_suspicion=True,
                               finding="Pertinent to the burglary.",
                               terms=_terms(w["request"], **narrower) if narrower else None)


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
    "data_request.approved": ["data_request.approved", "data_request.released"],
    "data_request.approved_in_part": ["data_request.approved_in_part", "data_request.released"],
    "partner.left": ["grant.revoked", "grant.declined", "grant.declined", "camera.credential_revoked", "camera.retired", "partner.left"],
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
