"""Ingestion: statutory fields only, idempotent retries, clear refusals per
read, images encrypted at rest, location from the registry."""
import base64
import json
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from hub.clock import utcnow
from hub.extensions import db
from hub.ledger.models import LedgerEntry
from hub.reads import images
from hub.reads.models import Read
from tests.conftest import render_plate, stored_image, stored_plates
from tests.conftest import OPERATOR


def post(client, credential, reads, **kwargs):
    return client.post("/api/v1/reads", json={"reads": reads}, headers={"Authorization": f"Bearer {credential}"},
                       **kwargs)


def a_read(read_id="r1", plate="ABC123", **extra):
    return {"read_id": read_id, "plate": plate, "captured_at": utcnow().isoformat(), "confidence": 0.97, **extra}


def stored(app):
    with app.app_context():
        reads = db.session.scalars(select(Read).order_by(Read.camera_read_id)).all()
        return [(r.camera_read_id, plate, r.camera_id, r.latitude, r.verified)
                for r, plate in zip(reads, stored_plates(reads))]


def test_batch_is_stored_once_even_when_retried(app, client, camera_world):
    city = camera_world["city"]
    reads = [a_read("r1"), a_read("r2", "XYZ789")]
    first = post(client, city["credential"], reads)
    assert first.status_code == 200 and sorted(first.get_json()["accepted"]) == ["r1", "r2"]
    again = post(client, city["credential"], reads)
    assert again.status_code == 200 and sorted(again.get_json()["duplicates"]) == ["r1", "r2"]
    assert sorted(r[0] for r in stored(app)) == ["r1", "r2"]
    with app.app_context():
        entries = db.session.scalars(select(LedgerEntry).where(LedgerEntry.action == "reads.ingested")).all()
        assert [json.loads(e.details)["reads"] for e in entries] == [2, 0]


def test_location_and_owner_come_from_the_camera(app, client, camera_world):
    response = post(client, camera_world["city"]["credential"], [a_read(latitude=1.0)])
    assert response.status_code == 422
    assert "latitude" in json.dumps(response.get_json()["errors"])
    post(client, camera_world["city"]["credential"], [a_read()])
    (read_id, plate, camera_id, latitude, verified), = stored(app)
    assert camera_id == camera_world["city"]["id"] and latitude == pytest.approx(45.0952)


@pytest.mark.parametrize("field", ["driver_name", "face_image", "vehicle_fingerprint", "notes"])
def test_fields_beyond_the_statute_are_refused_by_name(client, camera_world, field):
    response = post(client, camera_world["city"]["credential"], [a_read(**{field: "x"})])
    assert response.status_code == 422
    body = response.get_json()
    assert body["code"] == "reads_rejected"
    rejection = body["errors"]["rejected"][0]
    assert field in rejection["errors"] and "13.824 subd. 2" in rejection["errors"][field][0]


def test_bad_reads_are_listed_and_good_ones_kept(app, client, camera_world):
    now = utcnow()
    reads = [
        a_read("ok"),
        a_read("future", captured_at=(now + timedelta(hours=1)).isoformat()),
        a_read("ancient", captured_at=(now - timedelta(days=45)).isoformat()),
        a_read("naive", captured_at="2026-11-27T10:00:00"),
        a_read("badplate", plate="AB-12$"),
        a_read("conf", confidence=3),
        a_read("notimage", plate_image=base64.b64encode(b"not an image").decode()),
        a_read("badb64", plate_image="%%%"),
        "not an object",
        a_read("noplate", plate=None),
    ]
    response = post(client, camera_world["city"]["credential"], reads)
    body = response.get_json()
    assert response.status_code == 200 and body["accepted"] == ["ok"]
    reasons = {r["read_id"]: r["errors"] for r in body["rejected"]}
    assert "future" in reasons["future"]["captured_at"][0] and "retention" in reasons["ancient"]["captured_at"][0]
    assert "time zone" in reasons["naive"]["captured_at"][0]
    assert "plate" in reasons["badplate"] and "confidence" in reasons["conf"]
    assert "Not a JPEG" in reasons["notimage"]["plate_image"][0] and "base64" in reasons["badb64"]["plate_image"][0]
    assert [r["index"] for r in body["rejected"]] == sorted(r["index"] for r in body["rejected"])
    assert [r[0] for r in stored(app)] == ["ok"]


@pytest.mark.parametrize("body, status, code", [
    ({"reads": []}, 422, "batch_invalid"),
    ({"reads": "x"}, 422, "batch_invalid"),
    ({"reads": [], "camera_id": 9}, 422, "batch_invalid"),
    ({"something": 1}, 422, "batch_invalid"),
])
def test_malformed_batches(client, camera_world, body, status, code):
    response = client.post("/api/v1/reads", json=body,
                           headers={"Authorization": f"Bearer {camera_world['city']['credential']}"})
    assert response.status_code == status and response.get_json()["code"] == code


def test_unknown_or_revoked_credentials_are_refused(app, client, camera_world):
    assert post(client, "hubcam_wrong", [a_read()]).status_code == 401
    from hub.cameras.credentials import revoke_credential
    from hub.cameras.services import get_camera
    with app.app_context():
        revoke_credential(OPERATOR, get_camera(OPERATOR, camera_world["city"]["id"]), reason="stolen")
        db.session.commit()
    response = post(client, camera_world["city"]["credential"], [a_read()])
    assert response.status_code == 401 and response.get_json()["code"] == "camera_credential_invalid"


def test_images_are_encrypted_at_rest_and_read_back(app, client, camera_world):
    image = render_plate("ABC123")
    post(client, camera_world["city"]["credential"],
         [a_read(plate_image=base64.b64encode(image).decode(), vehicle_image=base64.b64encode(image).decode())])
    with app.app_context():
        read = db.session.scalar(select(Read))
        digest = read.plate_image
        assert stored_image(read, digest) == image
        on_disk = images._path(digest).read_bytes()
        assert image not in on_disk and b"PNG" not in on_disk[:32]


def test_image_only_upload_is_read_by_ocr(app, client, camera_world):
    response = client.post("/api/v1/reads", data={
        "read_id": "img1", "captured_at": utcnow().isoformat(),
        "plate_image": (__import__("io").BytesIO(render_plate("KXT482")), "plate.png")},
        headers={"Authorization": f"Bearer {camera_world['city']['credential']}"}, content_type="multipart/form-data")
    assert response.status_code == 200, response.get_json()
    (read_id, plate, *_ , verified), = stored(app)
    assert (read_id, plate, verified) == ("img1", "KXT482", True)


def test_oversized_image_is_refused(app, client, camera_world):
    app.config["INGEST_MAX_IMAGE_BYTES"], before = 100, app.config["INGEST_MAX_IMAGE_BYTES"]
    try:
        response = post(client, camera_world["city"]["credential"],
                        [a_read(plate_image=base64.b64encode(render_plate("ABC123")).decode())])
    finally:
        app.config["INGEST_MAX_IMAGE_BYTES"] = before
    assert response.status_code == 422 and "limit" in json.dumps(response.get_json())


def test_cli_imports_a_vendor_csv(app, runner, camera_world, tmp_path):
    now = utcnow().isoformat()
    csv_file = tmp_path / "export.csv"
    csv_file.write_text(f"read_id,plate,plate_state,captured_at,confidence\nv1,ABC123,MN,{now},0.99\n"
                        f"v2,BAD!,MN,{now},0.9\nv1,ABC123,MN,{now},0.99\n")
    result = runner.invoke(args=["reads", "import", str(csv_file), "--camera", str(camera_world["city"]["id"])])
    assert result.exit_code == 0, result.output
    assert "1 accepted, 1 already stored, 1 refused" in result.output
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(Read)) == 1
