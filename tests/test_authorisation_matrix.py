"""Who may reach what: every route of the URL map (pages, the API, OAuth)
× every kind of actor × a record of the actor's own organisation and of
another (each record a route names is taken once from the agency and once
from the partner that "owner" administers and "stranger" does not) × with
and without an active grant to the officer on the partner's private camera.

The table says, for each route, who reaches it; everyone else must be
refused (401 or 403, or the sign-in page for nobody) or find nothing (404),
and every 403 to a signed-in person is on record in the ledger. A route the
table does not name fails the test, named, so a new route comes with its
row. API routes are called with each person's personal API token (all the
scopes the role allows), pages and OAuth with the person's session; unsafe
methods carry the session's CSRF token and an empty body: reaching a route
is being let in, whatever it then says of the input."""
from __future__ import annotations

import re
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from hub.clock import utcnow
from hub.extensions import db
from hub.identity import tokens
from hub.identity.roles import Role
from hub.identity.services import find_user
from hub.ledger.models import LedgerEntry
from hub.ledger.tree import seal_and_checkpoint
from hub.retention.models import HoldKind
from hub.retention.services import place_hold
from tests.conftest import OPERATOR, csrf_from, make_user, sign_in
from tests.network import PEOPLE, build_network

ACTORS = (*PEOPLE, "nobody")
AGENCY = frozenset({"chief", "records", "operator", "officer", "sergeant", "auditor"})
EVERYONE = frozenset(ACTORS)
SIGNED_IN = frozenset(PEOPLE)
LOG_READERS = frozenset({"chief", "operator", "sergeant", "auditor"})  # a camera's access log
LEDGER_READERS = frozenset({"chief", "operator", "auditor"})
NOT_SERVED = {"static", "map_library.static"}  # files, not routes that decide anything
LAST = ("POST identity.logout",)  # ends the session the rest of the walk uses


def reach(everyone=frozenset(), *, agency=None, partner=None, granted=None) -> dict:
    """Who reaches a route: one set, or one per target (the agency's record,
    the partner's); `granted`: who reaches it while the grant is active (the
    partner's record, or any record of a route whose record is the grant or
    its request, which only exist then)."""
    partner = everyone if partner is None else partner
    return {"agency": frozenset(everyone if agency is None else agency), "partner": frozenset(partner),
            "granted": frozenset(partner if granted is None else granted)}


# "METHOD endpoint": who reaches it. A page form asks who may use it before
# reading the form, so an empty form tells the refused from the admitted.
TABLE: dict[str, dict] = {
    "GET partner_data.departed": reach({'chief', 'operator'}),
    "GET partner_data.export": reach({'owner', 'stranger'}),
    "GET partner_data.leave": reach({'owner', 'stranger'}),
    "GET partner_data.receipt": reach(),  # a receipt exists once a partner has left
    "GET partner_data.your_data": reach({'owner', 'stranger'}),
    "GET partners.accept_terms": reach(SIGNED_IN),
    "POST partner_data.leave": reach({'owner', 'stranger'}),
    "POST partners.accept_terms": reach({'owner', 'stranger'}),
    "GET alerts.history": reach({'officer', 'sergeant'}),
    "GET audit.download": reach(),
    "GET audit.index": reach({'chief', 'auditor', 'operator'}),
    "GET audit.report": reach(),
    "GET cameras_api.CameraProblems": reach(agency=AGENCY, partner=AGENCY | {'owner'}),
    "GET data_requests.detail": reach(),
    "GET data_requests.letter": reach({'requester'}),
    "GET data_requests.letter_original": reach(),
    "GET data_requests.letter_page": reach(),
    "GET data_requests.mine": reach({'requester'}),
    "GET data_requests.new": reach({'requester'}),
    "GET data_requests.queue": reach({'chief'}),
    "GET data_requests_api.DataRequestItem": reach(),
    "GET data_requests_api.DataRequests": reach({'requester'}),
    "GET data_requests_api.Package": reach(),
    "GET data_requests_api.Purposes": reach({'requester'}),
    "GET reads.unverified": reach({'officer', 'sergeant', 'owner', 'stranger'}),
    "GET suspension.index": reach({'operator'}),
    "GET health.index": reach(EVERYONE),
    "GET transparency.searches": reach(EVERYONE),
    "GET transparency.usage": reach(EVERYONE),
    "GET transparency.verifier_source": reach(EVERYONE),
    "POST audit.index": reach({'chief', 'auditor', 'operator'}),
    "POST audit.report": reach(),
    "POST cameras_api.CameraHeartbeat": reach(),
    "POST cameras_api.CameraProblemResolution": reach({'operator', 'sergeant', 'owner', 'stranger'}),
    "POST cameras_api.CameraProblems": reach({'operator', 'sergeant', 'owner', 'stranger'}),
    "POST data_requests.act": reach(),
    "POST data_requests.download": reach(),
    "POST data_requests.letter": reach({'requester'}),
    "POST data_requests.new": reach({'requester'}),
    "POST data_requests_api.DataRequests": reach({'requester'}),
    "POST data_requests_api.DownloadLink": reach(),
    "POST data_requests_api.PeerDecision": reach(),
    "POST reads.confirm": reach({'officer', 'sergeant', 'owner', 'stranger'}),
    "POST suspension.index": reach({'operator'}),
    "GET alerts.board": reach({'officer', 'sergeant'}),
    "GET alerts.detail": reach(agency={'officer', 'sergeant'}, partner=()),
    "GET alerts_api.AlertItem": reach(agency={'officer', 'sergeant'}, partner=()),
    "GET alerts_api.AlertStream": reach({'officer', 'sergeant'}),
    "GET alerts_api.Alerts": reach({'officer', 'sergeant'}),
    "GET api-docs.openapi_json": reach(EVERYONE),
    "GET cameras.access_log": reach(agency=LOG_READERS, partner=LOG_READERS | {"owner"}),
    "GET cameras.bca_notice": reach(agency=AGENCY, partner=AGENCY | {'owner'}),
    "GET cameras.bca_notices": reach({'operator', 'sergeant'}),
    "GET cameras.detail": reach(agency=AGENCY, partner=AGENCY | {'owner'}),
    "GET cameras.index": reach(AGENCY | {'owner', 'stranger'}),
    "GET cameras.register": reach({'operator', 'sergeant', 'owner', 'stranger'}),
    "GET cameras_api.CameraAccessLog": reach(agency=LOG_READERS, partner=LOG_READERS | {"owner"}),
    "GET cameras_api.CameraAccessProof": reach(agency=LOG_READERS, partner=LOG_READERS | {"owner"}),
    "GET cameras_api.CameraIdentity": reach(),
    "GET cameras_api.CameraItem": reach(agency=AGENCY, partner=AGENCY | {'owner'}),
    "GET cameras_api.Cameras": reach(AGENCY | {'owner', 'stranger'}),
    "GET grant_reads_api.GrantReads": reach(),
    "GET grants.consent_link": reach(agency=(), partner=(), granted={'chief', 'officer', 'owner'}),
    "GET grants.detail": reach(agency=(), partner=(), granted={'chief', 'officer', 'owner'}),
    "GET grants.granted_reads": reach(agency=(), partner=(), granted={'officer'}),
    "GET grants.mine": reach(SIGNED_IN),
    "GET grants.new": reach({'officer'}),
    "GET grants.review": reach({'chief'}),
    "GET grants_api.AccessRequestItem": reach(agency=(), partner=(), granted={'chief', 'officer', 'owner'}),
    "GET grants_api.AccessRequests": reach({'officer'}),
    "GET grants_api.AwaitingLink": reach(),
    "GET grants_api.PendingRequests": reach({'chief'}),
    "GET home.index": reach(SIGNED_IN),
    "GET hotlists.index": reach({'sergeant'}),
    "GET hotlists_api.Entries": reach({'sergeant'}),
    "GET hotlists_api.Imports": reach({'sergeant'}),
    "GET identity.account_tokens": reach(SIGNED_IN),
    "GET identity.enrol": reach(SIGNED_IN),
    "GET identity.login": reach(EVERYONE),
    "GET identity.second_factor": reach(SIGNED_IN),
    "GET identity.user_detail": reach({'chief', 'operator', 'sergeant'}),
    "GET identity.users": reach({'chief', 'operator', 'sergeant'}),
    "GET identity_api.me": reach(SIGNED_IN),
    "GET ledger.browse_page": reach({'chief', 'operator', 'auditor'}),
    "GET ledger.checkpoint_note": reach(EVERYONE),
    "GET ledger_api.CheckpointAtSize": reach(EVERYONE),
    "GET ledger_api.Consistency": reach(EVERYONE),
    "GET ledger_api.EntryProof": reach(LEDGER_READERS),
    "GET ledger_api.LatestCheckpoint": reach(EVERYONE),
    "GET notifications.index": reach(SIGNED_IN),
    "GET oauth.authorize": reach(SIGNED_IN),
    "GET oauth.metadata": reach(EVERYONE),
    "GET partner_grants.detail": reach(agency=(), partner=(), granted={'chief', 'owner'}),
    "GET partner_grants.index": reach({'owner', 'stranger'}),
    "GET partners.accept": reach(),
    "GET partners.invitations": reach({'owner', 'stranger'}),
    "GET partners.review": reach({'chief', 'operator'}),
    "GET partners.sign_up": reach(EVERYONE),
    "GET partners.sign_up_received": reach(EVERYONE),
    "GET partners.terms": reach(EVERYONE),
    "GET reads_api.UnverifiedReads": reach({'officer', 'sergeant', 'owner', 'stranger'}),
    "GET retention.destruction": reach({'chief', 'operator', 'sergeant', 'auditor'}),
    "GET retention.hold": reach({'sergeant'}),
    "GET retention.index": reach({'records', 'sergeant'}),
    "GET retention.jobs": reach({'operator', 'sergeant'}),
    "GET retention_api.Destruction": reach({'chief', 'operator', 'sergeant', 'auditor'}),
    "GET retention_api.HoldItem": reach({'sergeant'}),
    "GET retention_api.Holds": reach({'records', 'sergeant'}),
    "GET safe_at_home.index": reach({'records'}),
    "GET search.export_csv": reach(),
    "GET search.export_pdf": reach(),
    "GET search.search_page": reach({'chief', 'officer', 'sergeant'}),
    "GET search_api.Reasons": reach({'chief', 'officer', 'sergeant'}),
    "GET search_api.RecentCaseNumbers": reach({'chief', 'officer', 'sergeant'}),
    "GET search_api.Search": reach({'chief', 'officer', 'sergeant'}),
    "GET search_api.SearchExport": reach(),
    "GET settings.index": reach({'operator'}),
    "GET settings_api.read_settings": reach({'operator'}),
    "GET transparency.index": reach(EVERYONE),
    "GET transparency.log_of_use": reach(EVERYONE),
    "GET transparency.rules": reach(EVERYONE),
    "PATCH cameras_api.CameraItem": reach({'operator', 'sergeant', 'owner', 'stranger'}),
    "PATCH settings_api.change_settings": reach({'operator'}),
    "POST alerts.detail": reach(agency={'officer', 'sergeant'}, partner=()),
    "POST alerts_api.AlertDecision": reach({'officer', 'sergeant'}),
    "POST cameras.change_sharing": reach(agency={'operator', 'sergeant'}, partner={'owner'}),
    "POST cameras.issue_credential": reach(agency={'operator', 'sergeant'}, partner={'operator', 'owner'}),
    "POST cameras.move": reach(agency={'operator', 'sergeant'}, partner={'owner'}),
    "POST cameras.record_bca": reach({'operator', 'sergeant'}),
    "POST cameras.register": reach({'operator', 'sergeant', 'owner', 'stranger'}),
    "POST cameras.retire": reach(agency={'operator', 'sergeant'}, partner={'owner'}),
    "POST cameras.revoke_credential": reach(agency={'operator', 'sergeant'}, partner={'operator', 'owner'}),
    "POST cameras_api.Cameras": reach({'operator', 'sergeant', 'owner', 'stranger'}),
    "POST grants.decide": reach(agency=(), partner=(), granted={'chief'}),
    "POST grants.new": reach({'officer'}),
    "POST grants_api.AccessRequestDecision": reach({'chief'}),
    "POST grants_api.AccessRequests": reach({'officer'}),
    "POST grants_api.ConsentLink": reach(),
    "POST hotlists.index": reach({'sergeant'}),
    "POST hotlists.remove": reach({'sergeant'}),
    "POST hotlists.upload": reach({'sergeant'}),
    "POST hotlists_api.Entries": reach({'sergeant'}),
    "POST hotlists_api.EntryRemoval": reach({'sergeant'}),
    "POST hotlists_api.Imports": reach({'sergeant'}),
    "POST identity.account_tokens": reach(SIGNED_IN),
    "POST identity.authorise": reach({'chief', 'operator', 'sergeant'}),
    "POST identity.change_role": reach({'chief', 'operator', 'sergeant'}),
    "POST identity.enrol": reach(SIGNED_IN),
    "POST identity.login": reach(SIGNED_IN),
    "POST identity.logout": reach(SIGNED_IN),
    "POST identity.record_training": reach({'chief', 'operator', 'sergeant'}),
    "POST identity.revoke_account_token": reach(),
    "POST identity.second_factor": reach(SIGNED_IN),
    "POST identity.toggle_activation": reach({'chief', 'operator', 'sergeant'}),
    "POST identity.users": reach({'chief', 'operator', 'sergeant'}),
    "POST identity.withdraw": reach({'chief', 'operator', 'sergeant'}),
    "POST ledger.add_checkpoint": reach(EVERYONE),
    "POST ledger.browse_page": reach({'chief', 'operator', 'auditor'}),
    "POST ledger.cosignatures": reach(EVERYONE),
    "POST oauth.authorize": reach(SIGNED_IN),
    "POST oauth.introspect": reach(),
    "POST oauth.revoke": reach(),
    "POST oauth.token": reach(EVERYONE),
    "POST partner_grants.revoke": reach(agency=(), partner=(), granted={'chief', 'owner'}),
    "POST partners.accept": reach(),
    "POST partners.decide": reach({'chief', 'operator'}),
    "POST partners.invitations": reach({'owner', 'stranger'}),
    "POST partners.sign_up": reach(SIGNED_IN),
    "POST reads_api.ReadConfirmation": reach({'officer', 'sergeant', 'owner', 'stranger'}),
    "POST reads_api.Reads": reach(),
    "POST retention.hold": reach({'sergeant'}),
    "POST retention.index": reach({'records', 'sergeant'}),
    "POST retention_api.HoldRelease": reach({'records', 'sergeant'}),
    "POST retention_api.HoldReview": reach({'records', 'sergeant'}),
    "POST retention_api.Holds": reach({'records', 'sergeant'}),
    "POST safe_at_home.index": reach({'records'}),
    "POST settings.index": reach({'operator'}),
}


@pytest.fixture(params=("none", "active"))
def world(request, app):
    with app.app_context():
        network = build_network(request.param)
        sergeant = find_user("sergeant")
        place_hold(sergeant, kind=HoldKind.INVESTIGATION, case_number="ICR-5", reason="Investigation",
                   review_on=utcnow().date() + timedelta(days=30), camera_ids=[network["cameras"]["city"]],
                   plate="HOTC7Q")
        # Accounts the walk may switch off or change, so that no actor's is.
        spare = {"agency": make_user("spare-clerk", Role.RECORDS).id,
                 "partner": make_user("spare-helper", Role.PARTNER_ADMIN, find_user("owner").organisation).id}
        bearer = {name: tokens.create_token(OPERATOR, find_user(name), name="matrix")[1] for name in PEOPLE}
        seal_and_checkpoint()  # so that the ledger's public routes and its proofs have something to show
        db.session.commit()
    return {**network, "bearer": bearer, "values": _values(app, network, spare)}


def _values(app, network: dict, spare: dict) -> dict:
    """What to put in the routes' paths: per target where the record has an owner."""
    from hub.alerts.models import Alert
    from hub.grants.models import AccessRequest, Grant
    from hub.hotlists.models import HotlistEntry
    from hub.ledger.models import LedgerEntryCamera
    from hub.reads.models import Read
    from hub.retention.models import Hold
    with app.app_context():
        first = lambda query: db.session.scalar(query.limit(1)) or 999999  # noqa: E731
        values = {"tree_size": db.session.scalar(select(func.count()).select_from(LedgerEntry)),
                  "grant_id": first(select(Grant.id)), "request_id": first(select(AccessRequest.id)),
                  "hold_id": first(select(Hold.id)), "search_id": 999999, "token_id": 999999,
                  "token": "no-such-invitation", "filename": "leaflet.js"}
        for target, camera in (("agency", network["cameras"]["city"]), ("partner", network["cameras"]["private"])):
            values[("camera_id", target)] = camera
            values[("alert_id", target)] = first(select(Alert.id).where(Alert.camera_id == camera))
            values[("read_id", target)] = first(select(Read.id).where(Read.camera_id == camera))
            values[("entry_id", target)] = first(select(LedgerEntryCamera.entry_id).where(
                LedgerEntryCamera.camera_id == camera))
            values[("user_id", target)] = spare[target]
        values[("organisation_id", "agency")] = network["organisations"]["other"]
        values[("organisation_id", "partner")] = network["organisations"]["own"]
        values["hotlist_entry"] = first(select(HotlistEntry.id))
    return values


def routes(app):
    """(key, rule, method) for every route, the session-ending ones last."""
    found = [(f"{method} {rule.endpoint}", rule, method) for rule in app.url_map.iter_rules()
             if rule.endpoint not in NOT_SERVED for method in sorted(rule.methods - {"HEAD", "OPTIONS"})]
    return sorted(found, key=lambda item: (item[0] in LAST, item[0]))


def url_for_target(rule, target: str, values: dict) -> str:
    url = rule.rule
    for name in rule.arguments:
        converter = rule._converters[name]
        if hasattr(converter, "items"):  # <any(a, b):name>
            value = sorted(converter.items)[0]
        elif name == "entry_id" and "/hotlists/" in rule.rule:
            value = values["hotlist_entry"]
        else:
            value = values.get((name, target), values.get(name, 999999))
        url = re.sub(rf"<(?:[^<>:]+(?:\([^)]*\))?:)?{name}>", str(value), url)
    return url


class Caller:
    """One actor: a session (pages, OAuth) and a bearer token (the API)."""

    def __init__(self, app, world: dict, name: str):
        self.app, self.name, self.client = app, name, app.test_client()
        self.bearer = world["bearer"].get(name)
        self.csrf = None
        if name != "nobody":
            sign_in(self.client, name, totp_secret=world["totp"][name])
            self.csrf = csrf_from(self.client.get("/").get_data(as_text=True))

    def call(self, method: str, url: str):
        headers = {}
        if url.startswith("/api/") and self.bearer:
            headers["Authorization"] = f"Bearer {self.bearer}"
        elif method != "GET" and self.csrf:
            headers["X-CSRFToken"] = self.csrf
        if url.endswith("/stream"):
            url += "?seconds=0"
        return self.client.open(url, method=method, headers=headers)


def outcome(response, name: str) -> str:
    """Kept out: refused (401, 403; for nobody the sign-in page or a CSRF
    failure, having no session) or shown nothing (404); otherwise reached."""
    if response.status_code in (401, 403, 404) or name == "nobody" and (
            response.status_code in (302, 303) and "/login" in response.headers.get("Location", "")
            or response.status_code == 400 and b"csrf_failed" in response.data):
        return "kept out"
    return "reached"


def refusals(app) -> int:
    with app.app_context():
        return db.session.scalar(select(func.count()).select_from(LedgerEntry)
                                 .where(LedgerEntry.action.like("%.refused")))


def walk(app, world: dict):
    """Every (route, actor, target): what happened, and whether a 403 was ledgered."""
    callers = {name: Caller(app, world, name) for name in ACTORS}
    for key, rule, method in routes(app):
        for target in ("agency", "partner") if rule.arguments else ("agency",):
            url = url_for_target(rule, target, world["values"])
            for name, caller in callers.items():
                before = refusals(app)
                response = caller.call(method, url)
                ledgered = refusals(app) > before
                yield key, target, name, url, response, ledgered


def test_every_route_lets_in_whom_the_table_says_and_ledgers_each_refusal(app, world):
    keys = {key for key, _, _ in routes(app)}
    missing = sorted(keys - set(TABLE))
    assert not missing, ("routes with no row in the authorisation matrix: "
                         f"{missing}. Add a row to TABLE in {__name__}: '<METHOD endpoint>': reach(<who>)")
    assert not set(TABLE) - keys, f"rows for routes that no longer exist: {sorted(set(TABLE) - keys)}"
    wrong, unledgered = [], []
    for key, target, name, url, response, ledgered in walk(app, world):
        row = TABLE[key]
        column = "granted" if world["grant_state"] == "active" and (
            target == "partner" or row["agency"] == row["partner"]) else target
        expected = "reached" if name in row[column] else "kept out"
        got = outcome(response, name)
        if got != expected:
            wrong.append(f"{key} {url} as {name} ({world['grant_state']} grant): {response.status_code}, "
                         f"expected {expected}")
        if response.status_code == 403 and name != "nobody" and not ledgered:
            unledgered.append(f"{key} {url} as {name}")
    assert not wrong, f"{len(wrong)} cells differ from the table:\n" + "\n".join(wrong)
    assert not unledgered, "refusals not on record:\n" + "\n".join(unledgered)
