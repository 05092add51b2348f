"""The officer's alert pages: an alert shows its plate picture beside the
checks, and every earlier alert is one sorted, paged list away."""
import base64
import re

from tests.alerts.test_alerts import listed
from tests.conftest import render_plate, sign_in


def ingest_with_picture(client, credential, read_id, plate="HOT999"):
    from hub.clock import utcnow
    picture = base64.b64encode(render_plate(plate)).decode()
    return client.post("/api/v1/reads", headers={"Authorization": f"Bearer {credential}"}, json={"reads": [
        {"read_id": read_id, "plate": plate, "captured_at": utcnow().isoformat(), "confidence": 0.99,
         "plate_image": picture}]})


def test_an_alert_shows_its_plate_picture(app, client, camera_world):
    listed(app)
    assert ingest_with_picture(client, camera_world["city"]["credential"], "r1").get_json()["alerts"] == 1
    sign_in(client, "ofc")
    listing = client.get("/alerts/all").get_data(as_text=True)
    assert "HOT999" in listing and 'aria-sort="descending"' in listing
    alert_id = int(re.search(r'href="/alerts/(\d+)"', listing).group(1))
    page = client.get(f"/alerts/{alert_id}").get_data(as_text=True)
    assert 'id="alert-picture" src="data:image/jpeg;base64,' in page
    assert 'aria-label="Breadcrumb"' in page


def test_the_alert_list_pages_sorts_and_filters(app, client, camera_world):
    listed(app)
    for n in range(3):
        ingest_with_picture(client, camera_world["city"]["credential"], f"r{n}")
    sign_in(client, "ofc")
    assert client.get("/alerts/all?size=25&sort=camera").status_code == 200
    assert client.get("/alerts/all?status=verified").get_data(as_text=True).count("HOT999") == 0
    assert client.get("/alerts/all?status=new").get_data(as_text=True).count(">HOT999<") == 3
    assert client.get("/alerts/all?status=lost").status_code == 422
    assert client.get("/alerts/all?sort=camera_id").status_code == 422
