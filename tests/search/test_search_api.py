"""The search API: answers, bad input (400 naming the field), refusals by
the rules (403 citing them), and every attempt on record: a search as
`reads.searched` with the plate beside the entry, a refused one as a
refusal and never as a search."""
import json
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from hub.clock import utcnow
from hub.extensions import db
from hub.ledger.models import LedgerEntry, LedgerEntryCamera, LedgerPrivateDetail
from hub.ledger.verifier import canonical_json, private_digest
from hub.reads.ingest import ingest_batch
from hub.reads.models import Read
from tests.conftest import OPERATOR, sign_in
from tests.search.conftest import CASE, ask, build_world, plate_of


@pytest.fixture
def world(app, frozen_clock):
    with app.app_context():
        return build_world("active")


@pytest.fixture
def officer(app, world):
    client = app.test_client()
    sign_in(client, "officer")
    return client


def entries(app) -> list[LedgerEntry]:
    with app.app_context():
        return list(db.session.scalars(select(LedgerEntry).order_by(LedgerEntry.id)))


def get(client, **arguments):
    return client.get("/api/v1/search", query_string=arguments)


def test_search_answers_items_and_cameras_and_is_ledgered(app, world, officer):
    response = get(officer, **ask())
    assert response.status_code == 200, response.get_json()
    body = response.get_json()
    assert {i["plate"] for i in body["items"]} == {plate_of(n) for n in ("city", "shared", "alerts_only", "private")}
    assert {"plate", "camera_id", "captured_at", "look_alike"} <= set(body["items"][0])
    assert {c["id"] for c in body["cameras_searched"]} == set(world["ids"].values())
    entry = entries(app)[-1]
    assert entry.id == body["search_entry_id"] and entry.action == "reads.searched"
    assert entry.case_number == CASE and entry.purpose == "burglary"
    details = json.loads(entry.details)
    assert details["reads"] == 4 and sorted(details["cameras"]) == sorted(world["ids"].values())
    assert "QX?123" not in entry.details  # the plate is kept beside the entry, not in it
    assert {d["action"] for d in details["policy_decisions"]} == {"data.access", "alpr.use", "data.search", "data.search_results"}
    with app.app_context():
        private = db.session.get(LedgerPrivateDetail, entry.id)
        assert json.loads(private.content) == {"plate": "QX?123"}
        assert private_digest(private.salt, canonical_json({"plate": "QX?123"})) == entry.private_digest
        touched = set(db.session.scalars(select(LedgerEntryCamera.camera_id)
                                         .where(LedgerEntryCamera.entry_id == entry.id)))
    assert touched == set(world["ids"].values())


def test_reasons_are_the_agency_packs_purposes(officer):
    reasons = officer.get("/api/v1/search/reasons").get_json()
    assert {"id": "burglary", "label": "Burglary"} in reasons and all(set(r) == {"id", "label"} for r in reasons)


@pytest.mark.parametrize("arguments, field", [
    ({"plate": "QX"}, "plate"),
    ({"plate": "Q??"}, "plate"),
    ({"plate": "QX#12"}, "plate"),
    ({"plate": "ABCDEFGHIJK"}, "plate"),
    ({"state": "M1"}, "state"),
    ({"from": "yesterday"}, "from"),
    ({"to": "2099-01-01T00:00:00Z"}, "to"),
    ({"from": "2020-01-01T00:00:00Z"}, "from"),
    ({"cameras": "one"}, "cameras"),
    ({"area": "45,-93"}, "area"),
    ({"area": "46,-93,45,-92"}, "area"),
    ({"case_number": "case 12!"}, "case_number"),
    ({"case_number": ""}, "case_number"),
    ({"reason": ""}, "reason"),
    ({"basis": "  "}, "basis"),
    ({"reason": "immigration_enforcement"}, "reason"),
    ({"look_alikes": "maybe"}, "look_alikes"),
    ({"page": "0"}, "page"),
])
def test_bad_input_is_a_400_naming_the_field_and_a_refusal_on_record(app, world, officer, arguments, field):
    before = len(entries(app))
    response = get(officer, **ask(**arguments))
    body = response.get_json()
    assert response.status_code == 400, body
    assert set(body) == {"code", "message", "errors"} and field in body["errors"]
    new = entries(app)[before:]
    assert [e.action for e in new] == ["reads.search.refused"]


def test_missing_reason_case_and_basis_are_all_named_with_the_rule(app, world, officer):
    body = get(officer, plate="QX?123").get_json()
    assert set(body["errors"]) == {"reason", "case_number", "basis"}
    assert all("Minn. Stat. 13.824 subd. 7" in body["errors"][f][0] for f in body["errors"])


@pytest.mark.parametrize("reason", ["traffic_enforcement", "repossession", "revenue_collection",
                                    "facial_recognition"])
def test_prohibited_purposes_are_refused_by_the_rules(app, world, officer, reason):
    before = len(entries(app))
    response = get(officer, **ask(reason=reason))
    assert response.status_code == 403
    assert any(e["rule"] == "prohibited-uses" for e in response.get_json()["errors"]["rules"])
    assert [e.action for e in entries(app)[before:]] == ["data.search.refused"]


def test_a_long_window_is_tracking_without_a_warrant_or_exigency(app, world, officer):
    window = {"from": (utcnow() - timedelta(days=10)).isoformat(), "to": utcnow().isoformat()}
    refused = get(officer, **ask(**window))
    assert refused.status_code == 403
    assert [e["rule"] for e in refused.get_json()["errors"]["rules"]] == ["search-window-without-warrant"]
    assert "proposed" in refused.get_json()["errors"]["rules"][0]["basis"]
    with_warrant = get(officer, **ask(**window, warrant="SW-2026-114"))
    assert with_warrant.status_code == 200
    assert json.loads(entries(app)[-1].details)["warrant"] == "SW-2026-114"
    assert get(officer, **ask(**window, exigent="1")).status_code == 200


def test_too_many_reads_is_tracking_without_a_warrant_or_exigency(app, world, officer):
    with app.app_context():
        from hub.cameras.models import Camera
        camera = db.session.get(Camera, world["ids"]["city"])
        ingest_batch(camera, [{"read_id": f"many-{n}", "plate": "TRK777",
                               "captured_at": (utcnow() - timedelta(minutes=n + 1)).isoformat()} for n in range(201)])
        db.session.commit()
    before = len(entries(app))
    refused = get(officer, **ask(plate="TRK777"))
    assert refused.status_code == 403
    assert [e["rule"] for e in refused.get_json()["errors"]["rules"]] == ["search-results-without-warrant"]
    new = entries(app)[before:]
    assert [e.action for e in new] == ["data.search_results.refused"]
    assert json.loads(new[0].details)["cameras"] == sorted(world["ids"].values())
    allowed = get(officer, **ask(plate="TRK777", exigent="1", page="2"))
    assert allowed.status_code == 200
    body = allowed.get_json()
    assert body["total"] == 201 and body["pages"] == 5 and len(body["items"]) == 50


def test_look_alike_readings_are_found_only_when_asked_and_marked(app, world, officer):
    with app.app_context():
        from hub.cameras.models import Camera
        ingest_batch(db.session.get(Camera, world["ids"]["city"]), [
            {"read_id": "la-1", "plate": "8OS521", "captured_at": (utcnow() - timedelta(hours=1)).isoformat()},
            {"read_id": "la-2", "plate": "BOS521", "captured_at": (utcnow() - timedelta(hours=1)).isoformat()}])
        db.session.commit()
    plain = get(officer, **ask(plate="BOS521")).get_json()
    assert [(i["plate"], i["look_alike"]) for i in plain["items"]] == [("BOS521", False)]
    wide = get(officer, **ask(plate="BOS521", look_alikes="1")).get_json()
    assert sorted((i["plate"], i["look_alike"]) for i in wide["items"]) == [("8OS521", True), ("BOS521", False)]
    partial = get(officer, **ask(plate="B0S*", look_alikes="true")).get_json()
    assert sorted((i["plate"], i["look_alike"]) for i in partial["items"]) == [("8OS521", True), ("BOS521", True)]


def test_area_and_cameras_narrow_the_search(app, world, officer):
    only_city = get(officer, **ask(cameras=str(world["ids"]["city"]))).get_json()
    assert [i["plate"] for i in only_city["items"]] == [plate_of("city")]
    assert [c["id"] for c in only_city["cameras_searched"]] == [world["ids"]["city"]]
    gates = get(officer, **ask(area="45.099,-93.56,45.11,-93.549")).get_json()
    assert {i["plate"] for i in gates["items"]} == {plate_of(n) for n in ("shared", "alerts_only", "private")}


def test_recent_case_numbers_are_offered_never_plates(app, world, officer):
    get(officer, **ask())
    get(officer, **ask(case_number="CPD-26-000777"))
    assert officer.get("/api/v1/search/case-numbers").get_json() == ["CPD-26-000777", CASE]


def test_owners_see_the_search_in_their_access_log_without_the_case(app, world, officer):
    get(officer, **ask())
    owner = app.test_client()
    sign_in(owner, "owner")
    page = owner.get(f"/cameras/{world['ids']['shared']}/access-log").get_data(as_text=True)
    assert "Search" in page and "Burglary" in page
    assert CASE not in page and "14 Elm St" not in page and "QX" not in page


def test_no_plate_or_case_number_in_the_logs(app, world, officer, caplog):
    caplog.set_level("DEBUG")
    get(officer, **ask())
    get(officer, **ask(plate="QX"))
    assert "QX?123" not in caplog.text and CASE not in caplog.text


def test_searches_need_the_search_scope_on_tokens(app, world):
    from hub.identity import tokens
    with app.app_context():
        from hub.identity.models import User
        user = db.session.scalar(select(User).where(User.username == "officer"))
        token = tokens.create_token(OPERATOR, user, name="alerts only", scopes=["alerts:read"])[1]
        db.session.commit()
    response = app.test_client().get("/api/v1/search", query_string=ask(),
                                     headers={"Authorization": f"Bearer {token}"})
    assert response.status_code == 403


FIELDS = ["plate", "state", "from", "to", "cameras", "area", "reason", "case_number", "basis", "look_alikes",
          "warrant", "exigent", "page"]


def test_no_input_gets_a_server_error(app, world, officer):
    from hypothesis import HealthCheck, given, settings, strategies as st

    junk = st.one_of(st.text(max_size=30), st.sampled_from(["QX?123", "*", "2026-13-45", "-1", "1e400", "nan",
                                                            "45,-93,44,-92", "0,0,0,0", "%00", "burglary"]))

    @settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
    @given(arguments=st.dictionaries(st.sampled_from(FIELDS), junk))
    def probe(arguments):
        response = get(officer, **{**ask(), **arguments})
        assert response.status_code in (200, 400, 403, 422), (arguments, response.get_data(as_text=True)[:300])
        if response.status_code != 200:
            assert set(response.get_json()) == {"code", "message", "errors"}
    probe()


@pytest.mark.parametrize("field, value", [("cameras", "²"), ("cameras", "1,٣"), ("page", "²"), ("page", "٣")])
def test_digits_that_are_not_ascii_are_refused(app, world, officer, field, value):
    """'²'.isdigit() is true and int('²') fails: such input is a clear 422."""
    response = get(officer, **{**ask(), field: value})
    assert response.status_code in (400, 422), response.get_json()
    assert field in response.get_json()["errors"], response.get_json()
