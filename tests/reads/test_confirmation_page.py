"""A person confirms the plates the hub could not read with confidence on a
page that shows each waiting read with its picture."""
import base64

from hub.clock import utcnow
from tests.alerts.test_alerts import listed
from tests.conftest import post_form, render_plate, sign_in


def test_a_waiting_read_is_confirmed_from_its_picture(app, client, camera_world):
    listed(app)
    picture = base64.b64encode(render_plate("HOT999")).decode()
    client.post("/api/v1/reads", headers={"Authorization": f"Bearer {camera_world['city']['credential']}"},
                json={"reads": [{"read_id": "blurry", "plate": "H0T999", "captured_at": utcnow().isoformat(),
                                 "confidence": 0.4, "plate_image": picture}]})
    sign_in(client, "ofc")
    page = client.get("/reads/unverified").get_data(as_text=True)
    assert "H0T999" in page and 'src="data:image/jpeg;base64,' in page
    read_id = int(page.split('id="read-', 1)[1].split('"', 1)[0])
    empty = post_form(client, f"/reads/{read_id}/confirm", {"plate": ""}, page="/reads/unverified")
    assert empty.status_code == 422 and 'aria-invalid="true"' in empty.get_data(as_text=True)
    done = post_form(client, f"/reads/{read_id}/confirm", {"plate": "HOT999"}, page="/reads/unverified",
                     follow_redirects=True)
    text = done.get_data(as_text=True)
    assert "Read confirmed as HOT999; it raised 1 alert(s)." in text and "No read waits for you." in text


def test_a_partner_without_waiting_reads_sees_none_and_a_records_clerk_is_refused(app, client, make):
    from hub.identity.roles import Role
    make.user("owner", Role.PARTNER_ADMIN)
    make.user("rec", Role.RECORDS, trained=True, authorised=True)
    sign_in(client, "owner")
    assert "No read waits for you." in client.get("/reads/unverified").get_data(as_text=True)
    client.get("/logout")
    other = app.test_client()
    sign_in(other, "rec")
    assert other.get("/reads/unverified").status_code == 403
