"""Every list that grows pages and sorts on the server: a page past the end
shows the last page, and a page, size or sort that is not one of the
choices is a 422 naming it, never a 500. Shown on the auditor's ledger and a
camera's access log, which share the one helper."""
import re

import pytest
from hub.identity.roles import Role
from hub.ledger.services import record
from hub.paging import PageRequest, page_request
from hub.errors import ValidationFailed
from hub.ledger.browse import SORTS
from tests.conftest import sign_in


def test_page_request_takes_only_the_choices():
    asked = page_request({"page": "3", "size": "25", "sort": "actor"}, SORTS, default_sort="id")
    assert asked == PageRequest(3, 25, "actor", False)
    assert page_request({}, SORTS, default_sort="id") == PageRequest(1, 100, "id", True)
    for bad, field in (({"page": "0"}, "page"), ({"page": "-1"}, "page"), ({"page": "x"}, "page"),
                       ({"size": "1000"}, "size"), ({"sort": "details"}, "sort"), ({"sort": "-plate"}, "sort")):
        with pytest.raises(ValidationFailed) as refused:
            page_request(bad, SORTS, default_sort="id")
        assert set(refused.value.errors) == {field}


@pytest.fixture
def auditor(app, make, client, run):
    user = make.user("aud", Role.AUDITOR, totp=True)
    run(lambda: [record("camera.registered", actor=None) for _ in range(60)])
    sign_in(client, "aud", totp_secret=user.totp_secret)
    return user


def _ids(page: str) -> list[int]:
    return [int(n) for n in re.findall(r"<tr><td>(\d+)</td>", page)]


def test_the_ledger_pages_and_sorts(app, auditor, client):
    first = client.get("/ledger?size=25").get_data(as_text=True)
    ids = _ids(first)
    assert len(ids) == 25 and ids == sorted(ids, reverse=True)
    assert "page 1 of 3" in first and 'rel="next"' in first
    oldest_first = _ids(client.get("/ledger?size=25&sort=id").get_data(as_text=True))
    assert oldest_first == sorted(oldest_first) and oldest_first[0] < ids[-1]
    second = _ids(client.get("/ledger?size=25&page=2").get_data(as_text=True))
    # each reading is itself an entry: two more since the first page
    assert len(second) == 25 and max(second) == min(ids) + 1
    assert 'aria-sort="descending"' in first


def test_a_page_past_the_end_shows_the_last(app, auditor, client):
    huge = client.get(f"/ledger?size=25&page={2**62}")
    assert huge.status_code == 200 and "page 3 of 3" in huge.get_data(as_text=True)


@pytest.mark.parametrize("query", ["page=0", "page=abc", "page=%C2%B2", "size=7", "sort=details", f"page={2**70}"])
def test_pages_that_are_not_choices_are_refused_plainly(app, auditor, client, query):
    answer = client.get(f"/ledger?{query}")
    assert answer.status_code == 422, query


def test_the_access_log_pages_too(app, make, client, run):
    from tests.conftest import make_camera, make_partner
    owner = make.user("owner", Role.PARTNER_ADMIN)
    camera_id = run(lambda: make_camera(make_partner(), "Gate").id)
    run(lambda: [record("camera.registered", actor=None, cameras=[camera_id]) for _ in range(30)])
    sign_in(client, "owner")
    page = client.get(f"/cameras/{camera_id}/access-log?size=25").get_data(as_text=True)
    assert "page 1 of 2" in page and "Next" in page
    assert client.get(f"/cameras/{camera_id}/access-log?size=25&page=99").status_code == 200
    assert client.get(f"/cameras/{camera_id}/access-log?sort=case").status_code == 422
