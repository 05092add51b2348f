"""The officer's search page: reachable from the navigation and the home
page, the reason list and recent case numbers to pick from, problems listed
at the top and tied to their fields with the input kept, results paged on
the server with thumbnails, look-alikes marked and export buttons."""
import base64
import re
from datetime import timedelta

import pytest

from hub.clock import utcnow
from hub.extensions import db
from hub.reads.ingest import ingest_batch
from tests.conftest import render_plate, sign_in
from tests.search.conftest import CASE, ask, build_world, plate_of


@pytest.fixture
def world(app, frozen_clock):
    with app.app_context():
        return build_world("none")


@pytest.fixture
def officer(app, world):
    client = app.test_client()
    sign_in(client, "officer")
    return client


def test_search_is_in_the_officers_navigation_and_home(officer):
    home = officer.get("/").get_data(as_text=True)
    assert home.count('href="/search"') >= 2  # the navigation and the card


def test_partners_have_no_search(app, world):
    owner = app.test_client()
    sign_in(owner, "owner")
    assert 'href="/search"' not in owner.get("/").get_data(as_text=True)
    assert owner.get("/search").status_code == 403


def test_the_form_offers_reasons_and_recent_case_numbers(officer):
    officer.get("/api/v1/search", query_string=ask())
    page = officer.get("/search").get_data(as_text=True)
    assert "<title>Search reads" in page and '<option value="burglary"' in page
    assert f'<option value="{CASE}">' in page and "QX?123" not in page


def test_problems_are_listed_and_tied_to_their_fields_with_input_kept(officer):
    response = officer.get("/search", query_string={"plate": "Q?", "case_number": "nope", "basis": "kept words"})
    page = response.get_data(as_text=True)
    assert response.status_code == 400 and "<title>Error: Search reads" in page
    assert 'id="error-summary"' in page and 'href="#search-plate"' in page and 'href="#search-reason"' in page
    assert 'aria-describedby="plate-error"' in page and 'aria-invalid="true"' in page
    assert 'value="nope"' in page and "kept words" in page


def test_a_refusal_by_the_rules_shows_its_citation(officer):
    window = {"from": (utcnow() - timedelta(days=9)).strftime("%Y-%m-%dT%H:%M")}
    response = officer.get("/search", query_string=ask(**window))
    page = response.get_data(as_text=True)
    assert response.status_code == 403 and "The search was refused" in page
    assert "Orono PD ALPR policy 3059.04(6)" in page and "a proposed default" in page


def test_results_show_thumbnails_marks_and_exports_and_page_on_the_server(app, world, officer):
    with app.app_context():
        from hub.cameras.models import Camera
        camera = db.session.get(Camera, world["ids"]["city"])
        picture = base64.b64encode(render_plate("QXC123")).decode()
        ingest_batch(camera, [{"read_id": "pic", "plate": "QXC123", "plate_image": picture,
                               "captured_at": (utcnow() - timedelta(hours=1)).isoformat()}] +
                     [{"read_id": f"p{n}", "plate": "QXC128", "captured_at": (utcnow() - timedelta(hours=2, minutes=n))
                       .isoformat()} for n in range(60)])
        db.session.commit()
    response = officer.get("/search", query_string=ask(plate="QXC12?", look_alikes="1"))
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert 'src="data:image/jpeg;base64,' in page
    assert re.search(r'id="export-csv" href="/search/\d+/export.csv"', page)
    assert re.search(r'id="export-pdf" href="/search/\d+/evidence.pdf"', page)
    assert "page 1 of 2" in page and 'rel="next"' in page
    assert page.count("<tr>") == 50 + 1
    second = officer.get("/search", query_string=ask(plate="QXC12?", look_alikes="1", page="2")).get_data(as_text=True)
    assert 'rel="prev"' in second and plate_of("city") in second
    assert "look-alike" in officer.get("/search", query_string=ask(plate="QXC1Z3", look_alikes="1")).get_data(
        as_text=True)
