"""A neighbouring hub's (or an outside agency's) registered client submits
and follows its agency's requests with a client-credentials token, scope
`requests:submit`; nobody else gets such a token."""
from datetime import timedelta

import pytest

from hub.clock import clock, utcnow
from hub.errors import ValidationFailed
from hub.extensions import db
from hub.grants.clients import create_client
from hub.ledger.models import LedgerEntry
from sqlalchemy import select
from tests.conftest import OPERATOR, make_organisation
from tests.data_requests.conftest import ROGERS, bearer, complete
from hub.identity.roles import OrganisationKind


@pytest.fixture
def rogers_client(app):
    with app.app_context():
        client, secret = create_client(OPERATOR, name="Rogers records system", redirect_uris=[],
                                       grant_types=["client_credentials"],
                                       organisation=make_organisation(ROGERS, OrganisationKind.OUTSIDE_AGENCY))
        db.session.commit()
        return client.client_id, secret


def token(client, credentials, scope="requests:submit"):
    return client.post("/oauth/token", data={"grant_type": "client_credentials", "scope": scope},
                       auth=credentials)


def test_a_client_submits_and_follows_its_requests(app, client, rogers_client):
    answer = token(client, rogers_client)
    assert answer.status_code == 200, answer.get_json()
    issued = answer.get_json()
    assert issued["access_token"].startswith("hubcc_") and issued["scope"] == "requests:submit"
    assert "refresh_token" not in issued
    sent = client.post("/api/v1/requests", json=complete(), headers=bearer(issued["access_token"]))
    assert sent.status_code == 201 and sent.get_json()["channel"] == "api"
    listed = client.get("/api/v1/requests", headers=bearer(issued["access_token"])).get_json()
    assert [r["id"] for r in listed] == [sent.get_json()["id"]]
    with app.app_context():
        entries = db.session.scalars(select(LedgerEntry).order_by(LedgerEntry.id)).all()
        assert [e.action for e in entries][-2:] == ["oauth_client.token_issued", "data_request.submitted"]
        assert entries[-1].actor == f"client:{rogers_client[0]}"
    clock.freeze(utcnow() + timedelta(hours=2))
    expired = client.get("/api/v1/requests", headers=bearer(issued["access_token"]))
    assert expired.status_code == 401 and expired.get_json()["code"] == "token_expired"
    assert 'error="invalid_token"' in expired.headers["WWW-Authenticate"]


def test_only_an_outside_agencys_client_gets_a_token_and_only_for_requests(app, client, rogers_client):
    assert token(client, rogers_client, scope="grants:request").get_json()["error"] == "invalid_scope"
    assert client.get("/api/v1/requests", headers=bearer("hubcc_not-a-token")).status_code == 401
    with app.app_context():
        with pytest.raises(ValidationFailed) as refused:
            create_client(OPERATOR, name="City system", redirect_uris=[], grant_types=["client_credentials"],
                          organisation=make_organisation())
        assert "grant_type" in refused.value.errors
        db.session.rollback()
        records, secret = create_client(OPERATOR, name="Records", redirect_uris=["https://records.example/cb"],
                                        organisation=make_organisation())
        db.session.commit()
        records_id = records.client_id
    assert token(client, (records_id, secret)).get_json()["error"] == "unauthorized_client"
