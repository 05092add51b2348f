"""The three shipped packs decide as their rules say; broken or loosening
packs refuse to load, naming the file and the rule."""
import shutil
from pathlib import Path

import pytest
import yaml

from policies import PolicyEngine, PolicyPackError
from policies.vocabulary import UnknownAction, UnknownContextField
from hub.policy import vocabulary
from policies.loading import PACKS_DIR

VOCABULARY = vocabulary()


@pytest.fixture(scope="module")
def corcoran():
    return PolicyEngine.load(vocabulary=VOCABULARY, agency="corcoran")


@pytest.fixture(scope="module")
def minnesota():
    return PolicyEngine.load(vocabulary=VOCABULARY, state="mn")


@pytest.fixture(scope="module")
def example_state():
    return PolicyEngine.load(vocabulary=VOCABULARY, state="example-state")


def officer(**overrides):
    context = {"authenticated": True, "role": "officer", "trained": True, "training_age_days": 10,
               "written_authorisation": True}
    return {**context, **overrides}


def test_collection_limited_to_statutory_fields(minnesota):
    ok = minnesota.decide("read.collect", {"fields": ["read_id", "plate", "captured_at", "plate_image"],
                                           "safe_at_home_participant": False})
    assert ok.allowed
    refused = minnesota.decide("read.collect", {"fields": ["plate", "driver_name", "face_image"],
                                                "safe_at_home_participant": False})
    assert not refused.allowed
    assert {r.rule for r in refused.reasons} == {"collection-limited"}
    assert all(r.cite.startswith("Minn. Stat. 13.824 subd. 2;") for r in refused.reasons)
    assert "driver_name" in refused.summary() and "face_image" in refused.summary()


def test_safe_at_home_reads_dropped_unless_investigation_hold(minnesota):
    assert not minnesota.decide("read.collect", {"fields": ["plate"], "safe_at_home_participant": True}).allowed
    assert minnesota.decide("read.collect", {"fields": ["plate"], "safe_at_home_participant": True,
                                             "active_investigation_hold": True}).allowed


def test_retention_state_60_agency_30(minnesota, corcoran):
    assert minnesota.decide("read.retain", {"retention_days": 60}).allowed
    assert not minnesota.decide("read.retain", {"retention_days": 61}).allowed
    assert minnesota.obligation("read.retain", "retention_days") == 60
    assert not corcoran.decide("read.retain", {"retention_days": 45}).allowed
    assert corcoran.obligation("read.retain", "retention_days") == 30
    assert corcoran.decide("read.retain", {"retention_days": 400, "exculpatory_hold": True}).allowed


def test_data_access_needs_training_authorisation_and_role(corcoran):
    assert corcoran.decide("data.access", officer()).allowed
    untrained = corcoran.decide("data.access", officer(trained=False, training_age_days=None))
    assert not untrained.allowed and any(r.rule == "trained-users-only" for r in untrained.reasons)
    stale = corcoran.decide("data.access", officer(training_age_days=400))
    assert [r.rule for r in stale.reasons] == ["training-current"]
    unauthorised = corcoran.decide("data.access", officer(written_authorisation=False))
    assert [r.rule for r in unauthorised.reasons] == ["written-authorisation"]
    assert not corcoran.decide("data.access", officer(role="records", written_authorisation=False)).allowed
    assert corcoran.decide("data.access", officer(role="records")).allowed
    assert not corcoran.decide("data.access", officer(role="partner_admin")).allowed


def search(**overrides):
    return {"reason": "burglary", "purpose": "burglary", "case_number": "ICR-1", "factual_basis": "seen at the scene",
            "window_days": 1, "warrant": False, "exigent_circumstances": False, **overrides}


def test_search_needs_reason_case_and_basis_and_forbids_prohibited_uses(minnesota):
    assert minnesota.decide("data.search", search()).allowed
    missing = minnesota.decide("data.search", {"reason": " ", "warrant": False, "exigent_circumstances": False})
    assert {r.message for r in missing.reasons} == {"'reason' is required", "'case_number' is required",
                                                    "'factual_basis' is required", "'purpose' must be known"}
    for purpose in ("facial_recognition", "traffic_enforcement", "repossession", "revenue_collection"):
        assert not minnesota.decide("data.search", search(purpose=purpose)).allowed
    tracking = search(purpose="track_person")
    assert not minnesota.decide("data.search", tracking).allowed
    assert minnesota.decide("data.search", {**tracking, "warrant": True}).allowed


def test_agency_limits_a_search_without_warrant_to_a_week_and_200_reads(corcoran):
    refused = corcoran.decide("data.search", search(window_days=7.5))
    assert [r.rule for r in refused.reasons] == ["search-window-without-warrant"]
    assert "proposed default" in str(refused.reasons[0])
    assert corcoran.decide("data.search", search(window_days=7.5, exigent_circumstances=True)).allowed
    facts = {"warrant": False, "exigent_circumstances": False}
    assert corcoran.decide("data.search_results", {**facts, "result_count": 200}).allowed
    assert not corcoran.decide("data.search_results", {**facts, "result_count": 201}).allowed
    assert corcoran.decide("data.search_results", {**facts, "result_count": 5000, "warrant": True}).allowed


def test_example_state_forbids_searching_for_immigration_enforcement(example_state):
    refused = example_state.decide("data.search", search(purpose="immigration_enforcement"))
    assert [r.rule for r in refused.reasons] == ["no-immigration-enforcement-search"]
    assert example_state.decide("data.search", search()).allowed


def test_agency_case_number_format(corcoran, minnesota, pack_dir):
    import re
    form = corcoran.case_number_format
    assert re.fullmatch(form["pattern"], form["example"]) and minnesota.case_number_format is None
    path = pack_dir / "agencies" / "corcoran.yaml"
    path.write_text(path.read_text().replace('pattern: "^[A-Z]{2,5}', 'pattern: "^[A-Z{2,5}'))
    with pytest.raises(PolicyPackError, match="case_number pattern"):
        PolicyEngine.load(vocabulary=VOCABULARY, agency="corcoran", directory=pack_dir)


def test_outside_agency_sharing_needs_the_five_elements_and_approval(minnesota):
    request = {"stage": "release", "recipient_is_law_enforcement": True, "agency_name": "Rogers PD",
               "requester_name": "Det. H", "purpose": "burglary", "purpose_statement": "burglary investigation",
               "factual_basis": "vehicle seen at scene", "case_number": "RPD-26-100",
               "head_of_agency_statement": "Authorised by Chief X", "approved_by_chief": True,
               "active_investigation": True}
    decision = minnesota.decide("data.share", request)
    assert decision.allowed
    assert decision.obligations["keep_request_on_file"] is True
    incomplete = minnesota.decide("data.share", {**request, "head_of_agency_statement": "", "approved_by_chief": False})
    assert {r.rule for r in incomplete.reasons} == {"share-written-request", "share-approved-on-reasonable-suspicion"}
    assert not minnesota.decide("data.share", {**request, "recipient_is_law_enforcement": False}).allowed
    at_intake = minnesota.decide("data.share", {**request, "stage": "intake", "approved_by_chief": False})
    assert at_intake.allowed and "share-approved-on-reasonable-suspicion" not in at_intake.rules


def test_example_state_forbids_immigration_and_out_of_state_sharing(example_state):
    base = {"recipient_is_law_enforcement": True, "recipient_state": "EX", "home_state": "EX",
            "purpose": "robbery investigation"}
    assert example_state.decide("data.share", base).allowed
    immigration = example_state.decide("data.share", {**base, "purpose": "immigration_enforcement"})
    assert [r.cite for r in immigration.reasons] == ["Example State ALPR act sec. 5(a)"]
    out_of_state = example_state.decide("data.share", {**base, "recipient_state": "MN"})
    assert [r.rule for r in out_of_state.reasons] == ["in-state-agencies-only"]
    assert example_state.obligation("read.retain", "retention_days") == 90


def test_obligations_bca_notice_and_hotlist_rules(corcoran):
    for kind in ("fixed", "mobile", "built_in"):
        assert corcoran.obligation("camera.install", "bca_notice_days", {"reader_kind": kind}) == 10
    entry = {"role": "alpr_admin", "plate": "ABC123", "reason_category": "stolen_vehicle", "case_number": "1",
             "priority": "high", "expires_at": "2026-12-31", "expires_in_days": 30}
    assert corcoran.decide("hotlist.enter", entry).allowed
    assert not corcoran.decide("hotlist.enter", {**entry, "role": "officer"}).allowed
    assert not corcoran.decide("hotlist.enter", {**entry, "reason_category": "unpaid_tickets"}).allowed
    assert not corcoran.decide("hotlist.enter", {**entry, "expires_in_days": 120}).allowed
    request = {"case_number": "1", "purpose": "theft", "factual_basis": "x", "access_hours": 48,
               "window_age_days": 5}
    assert corcoran.decide("grant.request", request).allowed
    assert not corcoran.decide("grant.request", {**request, "access_hours": 200}).allowed
    too_old = corcoran.decide("grant.request", {**request, "window_age_days": 31})
    assert [r.rule for r in too_old.reasons] == ["partner-access-window"]


def test_an_action_no_pack_covers_is_an_error_never_an_allow(corcoran, example_state):
    with pytest.raises(UnknownAction):
        corcoran.decide("nothing.here", {})
    with pytest.raises(UnknownAction, match="grant.request"):
        example_state.decide("grant.request", {"case_number": "1"})


def test_a_fact_the_hub_never_declared_is_an_error(corcoran):
    with pytest.raises(UnknownContextField, match="shoe_size"):
        corcoran.decide("data.access", {**officer(), "shoe_size": 9})


def test_missing_facts_refuse(minnesota):
    assert not minnesota.decide("read.collect", {"safe_at_home_participant": False}).allowed  # fields unknown
    assert not minnesota.decide("read.collect", {"fields": ["plate"]}).allowed  # participant unknown
    assert not minnesota.decide("data.access", {k: v for k, v in officer().items() if k != "role"}).allowed


def test_decisions_name_the_rules_and_the_pack_versions(corcoran):
    decision = corcoran.decide("data.access", officer())
    assert set(decision.rules) == {"trained-users-only", "role-based-access", "written-authorisation",
                                   "training-current"}
    assert set(decision.packs) == {"mn", "corcoran"}
    assert all(" sha256:" in version for version in decision.packs.values())


def test_the_agency_pack_says_it_is_proposed_and_where_each_number_comes_from(corcoran):
    assert corcoran.agency.status == "proposed" and corcoran.agency.adopted is None
    assert all(rule.basis == "proposed" and rule.proposed for rule in corcoran.agency.rules)
    assert "Flock Safety" in next(r for r in corcoran.agency.rules if r.id == "destroy-within-60-days").proposed
    assert next(r for r in corcoran.all_rules() if r.id == "prohibited-uses").basis == "vendor_terms"


# --- loading ---------------------------------------------------------------

@pytest.fixture
def pack_dir(tmp_path):
    shutil.copytree(PACKS_DIR, tmp_path / "packs")
    return tmp_path / "packs"


def write_agency(pack_dir: Path, rules: list[dict]) -> Path:
    path = pack_dir / "agencies" / "loose.yaml"
    path.write_text(yaml.safe_dump({"pack": "loose", "kind": "agency", "state": "mn", "title": "Loose PD",
                                    "jurisdiction": "Loose, MN", "version": "1", "status": "proposed",
                                    "rules": rules}))
    return path


RETENTION = {"id": "destroy-within-60-days", "action": "read.retain", "cite": "x", "says": "x",
             "unless": ["active_investigation_hold", "exculpatory_hold"],
             "check": {"at_most": {"field": "retention_days", "limit": 30}}, "obligations": {"retention_days": 30}}


def test_tightening_agency_pack_loads(pack_dir):
    write_agency(pack_dir, [RETENTION])
    engine = PolicyEngine.load(vocabulary=VOCABULARY, agency="loose", directory=pack_dir)
    assert engine.obligation("read.retain", "retention_days") == 30


@pytest.mark.parametrize("change, complaint", [
    ({"check": {"at_most": {"field": "retention_days", "limit": 90}}}, "'at_most' check is weaker"),
    ({"obligations": {"retention_days": 90}}, "obligation 'retention_days' is weaker"),
    ({"unless": ["active_investigation_hold", "exculpatory_hold", "chief_says_so"]}, "adds exceptions"),
    ({"when": {"role": "officer"}}, "changes when the rule applies"),
    ({"obligations": {}}, "drops the obligation"),
])
def test_loosening_agency_pack_refuses_to_load(pack_dir, change, complaint):
    path = write_agency(pack_dir, [{**RETENTION, **change}])
    with pytest.raises(PolicyPackError) as raised:
        PolicyEngine.load(vocabulary=VOCABULARY, agency="loose", directory=pack_dir)
    assert raised.value.path == str(path)
    assert raised.value.rule == "destroy-within-60-days"
    assert complaint in str(raised.value)


def test_dropping_required_fields_is_loosening(pack_dir):
    write_agency(pack_dir, [{"id": "share-written-request", "action": "data.share", "cite": "x", "says": "x",
                             "check": {"required": ["agency_name"]}}])
    with pytest.raises(PolicyPackError, match="share-written-request.*'required' check is weaker"):
        PolicyEngine.load(vocabulary=VOCABULARY, agency="loose", directory=pack_dir)


@pytest.mark.parametrize("text, rule, complaint", [
    ("pack: broken\nkind: state\n", None, "'title' is a required property"),
    ("pack: [unclosed\n", None, "not valid YAML"),
    ("- just\n- a list\n", None, "must be a mapping"),
])
def test_malformed_pack_names_the_file(pack_dir, text, rule, complaint):
    path = pack_dir / "states" / "broken.yaml"
    path.write_text(text)
    with pytest.raises(PolicyPackError) as raised:
        PolicyEngine.load(vocabulary=VOCABULARY, state="broken", directory=pack_dir)
    assert raised.value.path == str(path) and raised.value.rule == rule
    assert complaint in str(raised.value)


def test_malformed_rule_names_the_rule(pack_dir):
    path = pack_dir / "states" / "broken.yaml"
    path.write_text(yaml.safe_dump({"pack": "broken", "kind": "state", "title": "B", "jurisdiction": "BR",
                                    "version": "1", "rules": [
                                        {"id": "fine", "action": "a.b", "cite": "c", "says": "s",
                                         "obligations": {"x": 1}},
                                        {"id": "bad-check", "action": "a.b", "cite": "c", "says": "s",
                                         "check": {"at_most": {"field": "x"}}}]}))
    with pytest.raises(PolicyPackError) as raised:
        PolicyEngine.load(vocabulary=VOCABULARY, state="broken", directory=pack_dir)
    assert raised.value.rule == "bad-check" and "'limit' is a required property" in str(raised.value)


def test_agency_pack_must_match_its_state(pack_dir):
    path = write_agency(pack_dir, [RETENTION])
    text = path.read_text().replace("state: mn", "state: example-state")
    path.write_text(text)
    engine = PolicyEngine.load(vocabulary=VOCABULARY, agency="loose", directory=pack_dir)
    assert engine.state.name == "example-state"
    with pytest.raises(PolicyPackError, match="belongs to state pack"):
        PolicyEngine.load(vocabulary=VOCABULARY, state="mn", agency="loose", directory=pack_dir)


def test_hub_refuses_to_start_with_a_loosening_pack(pack_dir, tmp_path):
    import os
    import subprocess
    import sys
    write_agency(pack_dir, [{**RETENTION, "check": {"at_most": {"field": "retention_days", "limit": 90}}}])
    env = {**os.environ, "HUB_POLICY_PACKS_DIR": str(pack_dir), "HUB_AGENCY_PACK": "loose",
           "HUB_INSTANCE_PATH": str(tmp_path / "instance"), "HUB_BASE_URL": "http://127.0.0.1"}
    hub = os.path.join(os.path.dirname(sys.executable), "hub")
    result = subprocess.run([hub, "ledger", "verify"], env=env, capture_output=True, text=True, timeout=60)
    assert result.returncode == 2
    assert "cannot start" in result.stderr and "loose.yaml" in result.stderr
    assert "destroy-within-60-days" in result.stderr and "Traceback" not in result.stderr


@pytest.mark.parametrize("rule, complaint", [
    ({"id": "typo-action", "action": "data.acess", "cite": "x", "says": "x", "check": {"must_hold": ["trained"]}},
     "action 'data.acess' is not one the hub evaluates"),
    ({"id": "typo-field", "action": "data.access", "cite": "x", "says": "x", "check": {"must_hold": ["trainde"]}},
     "field 'trainde' is not one the hub gives for 'data.access'"),
    ({"id": "never-fires", "action": "data.access", "cite": "x", "says": "x", "when": {"role": "sheriff"},
      "check": {"must_hold": ["trained"]}}, "it can never apply"),
])
def test_a_rule_the_hub_cannot_evaluate_refuses_to_load(pack_dir, rule, complaint):
    path = write_agency(pack_dir, [rule])
    with pytest.raises(PolicyPackError) as raised:
        PolicyEngine.load(vocabulary=VOCABULARY, agency="loose", directory=pack_dir)
    assert raised.value.path == str(path) and raised.value.rule == rule["id"]
    assert complaint in str(raised.value)


def test_an_adopted_pack_must_say_when_and_by_what_decision(pack_dir):
    path = write_agency(pack_dir, [RETENTION])
    path.write_text(path.read_text().replace("status: proposed", "status: adopted"))
    with pytest.raises(PolicyPackError, match="'adopted' is a required property"):
        PolicyEngine.load(vocabulary=VOCABULARY, agency="loose", directory=pack_dir)
    path.write_text(path.read_text() + "adopted: {date: '2026-03-01', reference: 'Council resolution 2026-14'}\n")
    assert PolicyEngine.load(vocabulary=VOCABULARY, agency="loose", directory=pack_dir).agency.adopted["reference"]


def test_example_state_collection_and_access_rules(example_state):
    assert not example_state.decide("read.collect", {"fields": ["plate", "driver_name"]}).allowed
    assert example_state.decide("read.collect", {"fields": ["plate", "captured_at"]}).allowed
    assert example_state.decide("data.access", {"authenticated": True, "trained": True}).allowed
    assert not example_state.decide("data.access", {"authenticated": True, "trained": False}).allowed


def test_the_hub_refuses_packs_without_a_rule_it_asks_about(pack_dir, app_config):
    from tests.conftest import build_app
    path = pack_dir / "states" / "mn.yaml"
    document = yaml.safe_load(path.read_text())
    document["rules"] = [r for r in document["rules"] if r["action"] != "alert.act"]
    path.write_text(yaml.safe_dump(document))
    with pytest.raises(PolicyPackError) as raised:
        build_app({**app_config, "POLICY_PACKS_DIR": str(pack_dir)})
    assert raised.value.path == str(path) and "alert.act" in str(raised.value)
