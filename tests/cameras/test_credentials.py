"""Ingest credentials: shown once, stored hashed, rotatable, revocable; a
revoked or replaced credential is refused on its very next use."""
from sqlalchemy import select

from hub.cameras.credentials import CREDENTIAL_PATTERN, issue_credential, revoke_credential
from hub.cameras.models import CameraCredential
from hub.cameras.services import get_camera, retire_camera
from hub.extensions import db
from tests.conftest import make_camera, make_partner
from tests.conftest import OPERATOR


def me(client, secret):
    return client.get("/api/v1/cameras/me", headers={"Authorization": f"Bearer {secret}"})


def test_issue_rotate_revoke(app, client, run):
    camera_id = run(lambda: make_camera(make_partner(), "Gate").id)
    first = run(lambda: issue_credential(OPERATOR, get_camera(OPERATOR, camera_id))[1])
    assert CREDENTIAL_PATTERN.match(first)
    assert me(client, first).get_json()["camera"]["id"] == camera_id
    with app.app_context():
        stored = db.session.scalar(select(CameraCredential))
        assert first.split("_")[-1] not in (stored.secret_hash, stored.lookup)
    second = run(lambda: issue_credential(OPERATOR, get_camera(OPERATOR, camera_id))[1])
    refused = me(client, first)
    assert refused.status_code == 401 and refused.get_json()["code"] == "camera_credential_invalid"
    assert me(client, second).status_code == 200
    run(lambda: revoke_credential(OPERATOR, get_camera(OPERATOR, camera_id), reason="stolen unit"))
    assert me(client, second).status_code == 401
    assert "revoked" in me(client, second).get_json()["message"]


def test_retiring_revokes_and_malformed_is_refused(app, client, run):
    camera_id = run(lambda: make_camera(make_partner(), "Gate").id)
    secret = run(lambda: issue_credential(OPERATOR, get_camera(OPERATOR, camera_id))[1])
    run(lambda: retire_camera(OPERATOR, get_camera(OPERATOR, camera_id), reason="removed"))
    assert me(client, secret).status_code == 401
    assert me(client, "hubcam_nonsense").status_code == 401
    assert client.get("/api/v1/cameras/me").status_code == 401


def test_cli_issues_a_credential_on_its_last_line(app, client, run, runner):
    camera_id = run(lambda: make_camera(make_partner(), "Gate").id)
    result = runner.invoke(args=["cameras", "credential", str(camera_id)])
    assert result.exit_code == 0, result.output
    secret = result.output.strip().splitlines()[-1]
    assert me(client, secret).get_json()["camera"]["name"] == "Gate"
    assert runner.invoke(args=["cameras", "credential", "Gate"]).exit_code == 0
    assert me(client, secret).status_code == 401  # rotated by the second call
    assert runner.invoke(args=["cameras", "credential", "No such"]).exit_code != 0
