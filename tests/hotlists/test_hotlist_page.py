"""The hotlist page: a refused hot file is told in one message beside the
file, the accepted values are stated, and imported entries are listed with
the manual ones, paged and sorted."""
import io

from hub.identity.roles import Role
from tests.conftest import post_form, sign_in

HEADER = "plate,state,reason,case_number,priority,expires,non_encounter,instructions\n"


def upload(client, text: str):
    return post_form(client, "/hotlists/import", {"import-file": (io.BytesIO(text.encode()), "hot.csv")},
                     page="/hotlists", content_type="multipart/form-data")


def test_a_refused_file_is_one_message_beside_the_field(app, make, client):
    sgt = make.user("sgt", Role.ALPR_ADMIN, trained=True, authorised=True, totp=True)
    sign_in(client, "sgt", totp_secret=sgt.totp_secret)
    page = client.get("/hotlists").get_data(as_text=True)
    assert "<code>non_encounter</code>: <code>yes</code>, <code>no</code> or empty" in page
    refused = upload(client, HEADER + "ABC123,MN,stolen_vehicle,S-1,high,,maybe,\n")
    text = refused.get_data(as_text=True)
    assert refused.status_code == 422
    assert text.count('class="field-error"') == 1 and text.count('class="flash error"') == 0
    assert "Line 2: non_encounter is yes, no or empty." in text


def test_imported_entries_are_listed_with_the_manual_ones(app, make, client):
    sgt = make.user("sgt", Role.ALPR_ADMIN, trained=True, authorised=True, totp=True)
    sign_in(client, "sgt", totp_secret=sgt.totp_secret)
    lines = "".join(f"IMP{n:03d},MN,stolen_vehicle,S-{n},high,,no,\n" for n in range(30))
    assert upload(client, HEADER + lines).status_code == 302
    everything = client.get("/hotlists?size=25&sort=plate").get_data(as_text=True)
    assert "IMP000" in everything and "IMP029" not in everything and "page 1 of 2" in everything
    assert "state hot file" in everything
    last = client.get("/hotlists?size=25&sort=plate&page=2").get_data(as_text=True)
    assert "IMP029" in last
    assert "IMP000" not in client.get("/hotlists?source=manual").get_data(as_text=True)
    assert client.get("/hotlists?source=elsewhere").status_code == 422
