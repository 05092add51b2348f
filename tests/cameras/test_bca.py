"""The BCA notice: deadline, overdue list, notice in HTML and PDF, recording."""
from datetime import date, timedelta

import pytest

from hub.cameras import bca
from hub.cameras.errors import CameraInvalid
from hub.clock import utcnow
from hub.errors import Forbidden
from hub.identity.roles import OrganisationKind, Role
from tests.conftest import make_camera, make_organisation, make_partner, make_user, sign_in


def test_deadline_and_overdue_list(ctx, frozen_clock):
    agency, hoa = make_organisation(), make_partner()
    today = utcnow().date()
    late = make_camera(agency, "Late", installed_on=today - timedelta(days=11))
    due_today = make_camera(hoa, "Today", installed_on=today - timedelta(days=10))
    fresh = make_camera(hoa, "Fresh", installed_on=today - timedelta(days=2))
    make_camera(hoa, "Mobile", fixed=False, installed_on=today - timedelta(days=40))
    assert late.bca_notice_due_on == today - timedelta(days=1)
    # Mobile readers need the notice too (Orono 3059.12, Robbinsdale 427.4.1(d) ...).
    assert [c.name for c in bca.outstanding_notices(overdue_only=True)] == ["Mobile", "Late"]
    assert [c.name for c in bca.outstanding_notices()] == ["Mobile", "Late", "Today", "Fresh"]
    assert (bca.days_left(late), bca.days_left(due_today), bca.days_left(fresh)) == (-1, 0, 8)
    admin = make_user("sgt", Role.ALPR_ADMIN, agency)
    bca.record_notice_sent(admin, late, sent_on=today)
    assert [c.name for c in bca.outstanding_notices(overdue_only=True)] == ["Mobile"]
    with pytest.raises(CameraInvalid):
        bca.record_notice_sent(admin, fresh, sent_on=today + timedelta(days=1))
    with pytest.raises(Forbidden):
        bca.record_notice_sent(make_user("owner", Role.PARTNER_ADMIN, hoa), fresh, sent_on=today)


def test_notice_pages_and_pdf(app, make, client):
    agency = make.organisation()
    admin = make.user("sgt", Role.ALPR_ADMIN, agency, totp=True)
    camera = make.camera(agency, "CR 30 at CR 101", installed_on=date(2026, 3, 2))
    sign_in(client, "sgt", totp_secret=admin.totp_secret)
    page = client.get(f"/cameras/{camera.id}/bca-notice").get_data(as_text=True)
    assert "CR 30 at CR 101" in page and "2026-03-12" in page and "Minn. Stat. 13.824 subd. 8" in page
    pdf = client.get(f"/cameras/{camera.id}/bca-notice?format=pdf")
    assert pdf.mimetype == "application/pdf" and pdf.data.startswith(b"%PDF")
    home = client.get("/").get_data(as_text=True)
    assert "overdue" in home and "CR 30 at CR 101" in home
    listing = client.get("/cameras/bca-notices").get_data(as_text=True)
    assert "days overdue" in listing


def test_a_partner_is_not_alarmed_by_the_department_s_duty(app, make, client, frozen_clock):
    hoa = make.organisation("Test HOA", OrganisationKind.HOA)
    make.user("owner", Role.PARTNER_ADMIN, hoa)
    camera = make.camera(hoa, "Gate", installed_on=date.today() - timedelta(days=40))
    sign_in(client, "owner")
    page = client.get(f"/cameras/{camera.id}").get_data(as_text=True)
    assert "overdue" not in page and "the department's duty" in page


def test_the_home_card_names_a_few_overdue_notices_and_leads_to_the_rest(app, make, client):
    agency = make.organisation()
    admin = make.user("sgt", Role.ALPR_ADMIN, agency, totp=True)
    for n in range(7):
        make.camera(agency, f"Reader {n}", installed_on=date(2026, 3, 2))
    sign_in(client, "sgt", totp_secret=admin.totp_secret)
    home = client.get("/").get_data(as_text=True)
    assert "7 notice(s) not yet sent, 7 overdue." in home
    assert home.count("not sent</li>") == 5 and "<strong>2 more</strong>: on the list" in home
