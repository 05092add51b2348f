"""Scope, walked from the outside: every GET route of the hub (pages and the
API, found in the URL map), as every kind of actor, for every sharing mode
and every state of a grant on the private camera. Each camera's reads carry
plates that name the camera, so a plate in a response that the actor may not
see is a leak, wherever it shows up."""
import itertools
import re
from datetime import timedelta

import pytest

from hub.extensions import db
from tests.conftest import sign_in
from tests.network import GRANT_STATES, KINDS, TAGS, build_network, plate


def visible(actor: str, grant_state: str) -> set[str]:
    """What each actor may see, as DESIGN.md 4a says, written out by hand."""
    everything = {plate(k, c) for k in KINDS for c in TAGS}
    if actor in ("officer", "sergeant"):
        seen = {plate(k, c) for k in KINDS for c in ("city", "shared")} | {plate("HOT", "alerts_only")}
        if actor == "sergeant":
            seen |= {plate("UNV", "alerts_only"), plate("UNV", "private")}
        if actor == "officer" and grant_state == "active":
            seen |= {plate(k, "private") for k in KINDS}
        return seen
    if actor == "owner":  # its own cameras' reads, all of them ("Your data" and its export)
        return {p for p in everything if p[3] in "SAP"}
    return set()


@pytest.fixture(params=GRANT_STATES)
def world(request, app, frozen_clock):
    with app.app_context():
        network = build_network(request.param)
    if request.param == "expired":
        frozen_clock.advance(timedelta(hours=3))
    return network


def get_routes(app, ids: dict) -> list[str]:
    """Every GET route with its int parameters filled from the world: each
    alert, read, grant, request and camera there is (and 1, for the rest)."""
    with app.app_context():
        from sqlalchemy import select

        from hub.alerts.models import Alert
        from hub.grants.models import AccessRequest, Grant
        from hub.reads.models import Read
        values = {**ids, "alert_id": list(db.session.scalars(select(Alert.id))),
                  "read_id": list(db.session.scalars(select(Read.id))),
                  "grant_id": list(db.session.scalars(select(Grant.id))) or [1],
                  "request_id": list(db.session.scalars(select(AccessRequest.id))) or [1]}
    urls = []
    for rule in app.url_map.iter_rules():
        if "GET" not in rule.methods or rule.endpoint in ("static", "map_library.static") or \
                rule.rule.startswith(("/oauth", "/logout", "/hotlists", "/api/v1/hotlists")):
            continue  # the hotlists show listed plates, not reads, to those who keep them
        names = list(rule.arguments)
        if any(name not in values and not name.endswith("_id") for name in names):
            continue
        choices = [values.get(name, [1]) for name in names]
        for combination in itertools.islice(itertools.product(*choices), 12):
            url = rule.rule
            for name, value in zip(names, combination):
                url = re.sub(rf"<(?:int:)?{name}>", str(value), url)
            urls.append(url + ("?seconds=0.2" if url.endswith("/stream") else ""))
    return urls


@pytest.mark.parametrize("actor", ["officer", "sergeant", "owner", "chief", "records", "operator", "stranger",
                                   "requester", "auditor", "nobody"])
def test_no_route_shows_a_read_outside_the_actors_scope(app, world, actor):
    client = app.test_client()
    if actor != "nobody":
        sign_in(client, actor, totp_secret=world["totp"][actor])
    allowed = visible(actor, world["grant_state"])
    forbidden = {plate(k, c) for k in KINDS for c in TAGS} - allowed
    leaks, seen = [], set()
    for url in get_routes(app, world["ids"]):
        body = client.get(url).get_data(as_text=True)
        leaks += [(url, p) for p in forbidden if p in body]
        seen |= {p for p in allowed if p in body}
    assert leaks == []
    # Plain reads of the agency's and shared cameras are reached by search,
    # not by any of these routes (their owner's export shows its own);
    # everything else in scope shows somewhere.
    searched = set() if actor == "owner" else {plate("PLN", "city"), plate("PLN", "shared")}
    shown_somewhere = allowed - searched
    assert seen == shown_somewhere, f"in scope but never shown: {sorted(shown_somewhere - seen)}"


def test_the_walk_covers_every_get_operation_the_openapi_document_lists(app):
    """The walk above takes its routes from the URL map; the API's own
    document must list nothing the walk skips."""
    spec = app.test_client().get("/api/v1/openapi.json").get_json()
    documented = {re.sub(r"\{(\w+)\}", r"<\1>", path) for path, operations in spec["paths"].items()
                  if "get" in operations}
    walked = {re.sub(r"<(?:\w+:)?(\w+)>", r"<\1>", url) for url in (
        rule.rule for rule in app.url_map.iter_rules() if "GET" in rule.methods)}
    assert documented <= walked and documented
