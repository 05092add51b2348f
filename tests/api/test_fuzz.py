"""Schemathesis against the OpenAPI document the hub serves itself
(`/api/v1/openapi.json`): every operation the document lists, data made
from the document (positive) and data it rules out (negative), as each of
the network's people (a personal API token), a camera (its ingest
credential), the agency's OAuth client (HTTP Basic), a grant's access
token, and nobody. No answer may be a server error; every answer must be
one the document describes (status, content type, headers, body schema);
data the document rules out must be refused.

Schemathesis' check that every schema-valid request succeeds is left out:
the services refuse with a documented 422 what the law or the hub's state
forbids and no schema can say (a window that ends before it starts, a
camera that does not exist). `HUB_FUZZ_EXAMPLES` sets the examples drawn for
each operation and mode; `scripts/fuzz` runs it at full size."""
from __future__ import annotations

import base64
import os
from collections import Counter
from datetime import timedelta

import hypothesis
import schemathesis
from hypothesis import HealthCheck, Phase, strategies as st
from schemathesis import GenerationMode
from schemathesis.specs.openapi.checks import positive_data_acceptance
from sqlalchemy import func, select

from hub.cameras.credentials import issue_credential
from hub.cameras.models import Camera
from hub.clock import utcnow
from hub.extensions import db
from hub.grants.clients import create_client
from hub.grants.requests import create_request, decide_request
from hub.identity import tokens
from hub.identity.services import find_user
from tests.conftest import OPERATOR
from tests.grants.test_oauth import REDIRECT, granted_token
from tests.network import PEOPLE, build_network

EXAMPLES = int(os.environ.get("HUB_FUZZ_EXAMPLES", "30"))
MINIMUM_CASES = 2000 if "HUB_FUZZ_EXAMPLES" not in os.environ else 0
# A stream would otherwise stay open for minutes: each look asks for none.
BOUNDED_QUERY = {"/api/v1/alerts/stream": {"seconds": 0}}


def callers(app) -> dict[str, dict[str, str]]:
    """The Authorization header of every kind of caller."""
    with app.app_context():
        network = build_network("none")
        cameras = network["cameras"]
        officer, chief = find_user("officer"), find_user("chief")
        now = utcnow()
        request = create_request(officer, camera_ids=[cameras["private"], cameras["alerts_only"]],
                                 case_number="ICR-9", offense_type="burglary", factual_basis="Seen at the scene",
                                 window_start=now - timedelta(hours=10), window_end=now - timedelta(hours=1),
                                 access_hours=24)
        decide_request(chief, request, approve=True, finding="Pertinent")
        client, secret = create_client(OPERATOR, name="Records", redirect_uris=[REDIRECT])
        headers = {name: f"Bearer {tokens.create_token(OPERATOR, find_user(name), name='fuzz')[1]}" for name in PEOPLE}
        headers["camera"] = f"Bearer {issue_credential(OPERATOR, db.session.get(Camera, cameras['shared']))[1]}"
        headers["client"] = "Basic " + base64.b64encode(f"{client.client_id}:{secret}".encode()).decode()
        flow = {"client_id": client.client_id, "secret": secret, "request": request.id,
                "gate": cameras["private"], "back": cameras["alerts_only"]}
        db.session.commit()
    headers["grant"] = f"Bearer {granted_token(app, flow)['access_token']}"
    return {name: {"Authorization": value} for name, value in headers.items()} | {"nobody": {}}


def known_ids(app) -> dict[str, list[int]]:
    """Ids that name records, for path parameters of the same name: random
    ones mostly find nothing."""
    from hub.alerts.models import Alert
    from hub.grants.models import AccessRequest, Grant
    from hub.hotlists.models import HotlistEntry
    from hub.ledger.models import LedgerEntry
    from hub.reads.models import Read
    with app.app_context():
        ids = lambda column: list(db.session.scalars(select(column).limit(20)))  # noqa: E731
        return {"camera_id": ids(Camera.id), "request_id": ids(AccessRequest.id), "grant_id": ids(Grant.id),
                "alert_id": ids(Alert.id), "read_id": ids(Read.id),
                "entry_id": ids(HotlistEntry.id) + ids(LedgerEntry.id),
                "tree_size": [db.session.scalar(select(func.count()).select_from(LedgerEntry))]}


def fuzz(app, examples: int) -> tuple[int, dict[tuple, list[str]]]:
    """Run every operation in both modes; the number of calls made and the
    distinct failures, each with the callers that met it."""
    headers = callers(app)
    ids = known_ids(app)
    schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", app)
    calls, failures = Counter(), {}
    settings = hypothesis.settings(max_examples=examples, deadline=None, database=None, derandomize=True,
                                   suppress_health_check=list(HealthCheck), phases=[Phase.explicit, Phase.generate])
    for result in schema.get_all_operations():
        operation = result.ok()
        for mode in (GenerationMode.POSITIVE, GenerationMode.NEGATIVE):
            @settings
            @hypothesis.given(case=operation.as_strategy(generation_mode=mode), who=st.sampled_from(sorted(headers)),
                              pick=st.none() | st.integers(min_value=0, max_value=63))
            def attempt(case, who, pick):
                if pick is not None and case.path_parameters and mode is GenerationMode.POSITIVE:
                    case.path_parameters = {name: ids[name][pick % len(ids[name])] if ids.get(name) else value
                                            for name, value in case.path_parameters.items()}
                if operation.path in BOUNDED_QUERY:
                    case.query = {**(case.query or {}), **BOUNDED_QUERY[operation.path]}
                calls[operation.label] += 1
                try:
                    response = case.call(headers=headers[who])
                    case.validate_response(response, headers=headers[who], excluded_checks=[positive_data_acceptance])
                except (Exception, BaseExceptionGroup) as error:  # noqa: BLE001 - every failure is collected
                    title, reproduce = _summary(error)
                    failures.setdefault((operation.label, mode.value, title), []).append((who, reproduce))
            try:
                attempt()
            except hypothesis.errors.Unsatisfiable:
                pass  # nothing in the operation to make invalid
    return sum(calls.values()), failures


def _summary(error: BaseException) -> tuple[str, str]:
    """The failures' titles, and how to reproduce them."""
    parts = getattr(error, "exceptions", None) or [error]
    titles = " | ".join(sorted({str(part).strip().split("\n\n")[0].replace("\n", " ")[:300] for part in parts}))
    text = "\n".join([str(error), *getattr(error, "__notes__", [])])
    return titles, next((line.strip()[:600] for line in text.splitlines() if line.strip().startswith("curl ")), "")


def test_every_operation_as_every_caller_answers_as_documented(served):
    calls, failures = fuzz(served, EXAMPLES)
    report = "\n".join(f"{label} [{mode}] as {sorted({who for who, _ in met})}: {title}\n    {met[0][1]}"
                       for (label, mode, title), met in sorted(failures.items()))
    print(f"schemathesis: {calls} cases, {len(failures)} distinct failures")
    assert not failures, f"{len(failures)} distinct failures in {calls} cases:\n{report}"
    assert calls >= MINIMUM_CASES
