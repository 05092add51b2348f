"""Intake: a complete written request goes on; each missing element is
refused by name and nothing is created; a body that is not law enforcement
goes to records; the state packs decide cross-border sharing."""
import json
from pathlib import Path

import pytest
import yaml
from sqlalchemy import func, select

from hub.data_requests.models import DataRequest, RequestStatus
from hub.data_requests.services import submit
from hub.errors import HubError
from hub.extensions import db
from hub.identity.roles import OrganisationKind
from hub.ledger.models import LedgerEntry
from policies.loading import PACKS_DIR
from tests.conftest import build_app, post_form, sign_in
from tests.data_requests.conftest import ROGERS, asked, bearer, complete, make_requester

ELEMENTS = ["agency_name", "requester_name", "purpose", "factual_basis", "case_number", "authorization_statement"]


def requests_on_file() -> int:
    return db.session.scalar(select(func.count()).select_from(DataRequest))


def test_a_complete_request_goes_on_to_the_search_and_is_ledgered(app, client, requester):
    answer = client.post("/api/v1/requests", json=complete(plates=["abc 123", "XY?99"]),
                         headers=bearer(requester["token"]))
    assert answer.status_code == 201, answer.get_json()
    body = answer.get_json()
    assert body["status"] == "awaiting_preparation" and body["plates"] == ["ABC123", "XY?99"]
    assert body["agency"]["name"] == ROGERS and body["channel"] == "api"
    assert client.get(f"/api/v1/requests/{body['id']}", headers=bearer(requester["token"])).get_json()["id"] == body["id"]
    with app.app_context():
        entry = db.session.scalar(select(LedgerEntry).where(LedgerEntry.action == "data_request.submitted"))
        assert entry.subject_id == str(body["id"]) and entry.case_number == "RPD-26-004512"
        decided = json.loads(entry.details)["policy_decisions"]
        assert decided[0]["action"] == "data.share" and "share-written-request" in decided[0]["rules"]
        assert "ABC123" not in entry.details  # the plates are kept beside the entry, not in it


@pytest.mark.parametrize("element", ELEMENTS)
def test_each_missing_element_is_refused_by_name_and_nothing_is_created(app, client, requester, element):
    answer = client.post("/api/v1/requests", json=complete(**{element: "  "}), headers=bearer(requester["token"]))
    assert answer.status_code == 422
    body = answer.get_json()
    assert body["code"] == "data_request_invalid" and list(body["errors"]) == [element]
    assert "Minn. Stat. 13.824" in body["errors"][element][0] or "policy" in body["errors"][element][0]
    with app.app_context():
        assert requests_on_file() == 0
        refused = db.session.scalar(select(LedgerEntry).where(LedgerEntry.action == "data_request.submit.refused"))
        assert refused is not None and element in refused.details


def test_the_form_shows_the_missing_element_beside_its_field_and_keeps_the_input(app, client, requester):
    sign_in(client, requester["username"])
    fields = complete()
    form = {k: v for k, v in fields.items() if k not in ("plates", "window")}
    form.update(plates="ABC123", window_start=fields["window"]["start"][:16], window_end=fields["window"]["end"][:16],
                factual_basis="")
    answer = post_form(client, "/requests/new", form)
    page = answer.get_data(as_text=True)
    assert answer.status_code == 422
    assert 'id="factual_basis-error"' in page and "element 4" in page and 'aria-invalid="true"' in page
    assert 'id="error-summary"' in page and "RPD-26-004512" in page  # the input is kept
    with app.app_context():
        assert requests_on_file() == 0
    form["factual_basis"] = "A witness saw the car."
    done = post_form(client, "/requests/new", form)
    assert done.status_code == 302
    detail = client.get(done.location).get_data(as_text=True)
    assert "received: search being prepared" in detail and "Written data request received" in detail


def test_a_body_that_is_not_law_enforcement_goes_to_records(ctx):
    insurer = make_requester("claims", "Acme Insurance claims office", OrganisationKind.OUTSIDE_BODY)
    request = submit(insurer, asked(agency_name="Acme Insurance"))
    assert request.status is RequestStatus.WITH_RECORDS


def test_an_out_of_state_agency_signs_the_declaration_the_agency_pack_asks_for(ctx):
    hudson = make_requester("hudson", "Hudson Police Department (WI)", state="WI")
    db.session.commit()
    with pytest.raises(HubError) as refused:
        submit(hudson, asked())
    assert refused.value.status == 422 and list(refused.value.errors) == ["out_of_state_declaration"]
    assert "Minn. Stat. 13.824 subd. 4(b)" in refused.value.errors["out_of_state_declaration"][0]
    db.session.rollback()
    assert submit(hudson, asked(out_of_state_declaration=True)).status is RequestStatus.AWAITING_PREPARATION


def test_too_long_fields_and_another_agencys_request_are_refused_whole(app, client, requester):
    too_long = client.post("/api/v1/requests", json=complete(factual_basis="x" * 5001),
                           headers=bearer(requester["token"]))
    assert too_long.status_code == 422 and "factual_basis" in too_long.get_json()["errors"]
    unknown_field = client.post("/api/v1/requests", json=complete(driver_name="J. Doe"),
                                headers=bearer(requester["token"]))
    assert unknown_field.status_code == 422 and "driver_name" in unknown_field.get_json()["errors"]
    with app.app_context():
        other = submit(make_requester("maple", "Maple Grove Police Department"), asked())
        db.session.commit()
        other_id = other.id
    follows = client.post("/api/v1/requests", json=complete(follows_request_id=other_id),
                          headers=bearer(requester["token"]))
    assert follows.status_code == 422 and list(follows.get_json()["errors"]) == ["follows_request_id"]
    seen = client.get(f"/api/v1/requests/{other_id}", headers=bearer(requester["token"]))
    assert seen.status_code == 404 and seen.get_json()["code"] == "data_request_not_found"
    with app.app_context():
        assert requests_on_file() == 1
        assert db.session.scalar(select(func.count()).select_from(LedgerEntry).where(
            LedgerEntry.action == "data_request.view.refused")) == 1


def test_bad_plates_windows_and_categories_are_named(app, client, requester):
    answer = client.post("/api/v1/requests", json=complete(plates=["A*"], offense_type="",
                                                           window={"start": "2026-01-02T00:00:00Z",
                                                                   "end": "2026-01-01T00:00:00Z"}),
                         headers=bearer(requester["token"]))
    assert answer.status_code == 422
    assert set(answer.get_json()["errors"]) == {"plates", "offense_type", "window"}
    unknown = client.post("/api/v1/requests", json=complete(offense_type="curiosity"),
                          headers=bearer(requester["token"]))
    assert unknown.status_code == 422 and list(unknown.get_json()["errors"]) == ["offense_type"]


# --- a second state's pack decides cross-border rules -------------------------

def example_state_packs(folder: Path) -> Path:
    """An example-state hub: the illustrative state's pack (completed with
    Minnesota's rules for the actions the illustration leaves out) under an
    agency pack of its own."""
    state = yaml.safe_load((PACKS_DIR / "states" / "example-state.yaml").read_text())
    minnesota = yaml.safe_load((PACKS_DIR / "states" / "mn.yaml").read_text())
    covered = {rule["action"] for rule in state["rules"]}
    state["rules"] += [rule for rule in minnesota["rules"] if rule["action"] not in covered]
    agency = yaml.safe_load((PACKS_DIR / "agencies" / "corcoran.yaml").read_text())
    agency.update(pack="exampleville", state="example-state", title="Exampleville police (illustrative)")
    for kind, pack in (("states", state), ("agencies", agency)):
        (folder / kind).mkdir(parents=True, exist_ok=True)
        (folder / kind / f"{pack['pack']}.yaml").write_text(yaml.safe_dump(pack, sort_keys=False))
    return folder


@pytest.fixture
def example_state_hub(app_config, tmp_path):
    return build_app({**app_config, "POLICY_PACKS_DIR": str(example_state_packs(tmp_path / "packs")),
                      "POLICY_AGENCY_PACK": "exampleville"})


def test_the_example_state_forbids_immigration_enforcement_and_out_of_state_sharing(example_state_hub):
    from hub.identity import tokens
    from tests.conftest import OPERATOR
    client = example_state_hub.test_client()
    with example_state_hub.app_context():
        local = tokens.create_token(OPERATOR, make_requester("ex-local", "Exampleville County Sheriff", state="EX"),
                                    name="t")[1]
        remote = tokens.create_token(OPERATOR, make_requester("mn-det", ROGERS, state="MN"), name="t")[1]
        db.session.commit()
    allowed = client.post("/api/v1/requests", json=complete(), headers=bearer(local))
    assert allowed.status_code == 201 and allowed.get_json()["status"] == "awaiting_preparation"
    immigration = client.post("/api/v1/requests", json=complete(offense_type="immigration_enforcement"),
                              headers=bearer(local))
    assert immigration.status_code == 403 and immigration.get_json()["code"] == "policy_refused"
    assert [e["cite"] for e in immigration.get_json()["errors"]["rules"]] == ["Example State ALPR act sec. 5(a)"]
    out_of_state = client.post("/api/v1/requests", json=complete(out_of_state_declaration=True),
                               headers=bearer(remote))
    assert out_of_state.status_code == 403
    assert {e["rule"] for e in out_of_state.get_json()["errors"]["rules"]} == {"in-state-agencies-only"}
    with example_state_hub.app_context():
        assert requests_on_file() == 1
        refusals = db.session.scalars(select(LedgerEntry.action).where(LedgerEntry.action.like("%.refused"))).all()
        assert refusals == ["data.share.refused", "data.share.refused"]
