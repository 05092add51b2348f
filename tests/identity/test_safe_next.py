"""After signing in, `next` sends a person only to a path on this site: every
spelling a browser would turn into another site falls back to the home page."""
import pytest

from hub.identity.login import safe_next_path
from hub.identity.roles import Role
from tests.conftest import PASSWORD, post_form

BYPASSES = [
    "//evil.example", "/\t/evil.example", "/\n/evil.example", "/\r/evil.example", "\t//evil.example",
    " //evil.example", "/\\evil.example", "\\\\evil.example", "/\\/evil.example", "https://evil.example",
    "javascript:alert(1)", "evil.example", "http:/evil.example", "/\x00/evil.example", "/\x7f/evil.example",
    "//evil.example/%2e%2e", "///evil.example", "",
]


@pytest.mark.parametrize("target", BYPASSES)
def test_unsafe_targets_are_refused(target):
    assert safe_next_path(target) is None


@pytest.mark.parametrize("target", ["/", "/cameras", "/grants/3?tab=log", "/alerts#new", "/a//b"])
def test_paths_on_this_site_are_kept(target):
    assert safe_next_path(target) == target


@pytest.mark.parametrize("encoded", ["/%09/evil.example", "/%0a/evil.example", "/%0d/evil.example",
                                     "/%5cevil.example", "%2f%2fevil.example", "https:%2f%2fevil.example"])
def test_sign_in_never_redirects_off_site_nor_fails(make, client, encoded):
    make.user("ofc", Role.OFFICER)
    response = post_form(client, f"/login?next={encoded}", {"username": "ofc", "password": PASSWORD},
                         page="/login")
    assert response.status_code == 302
    assert response.location == "/"


def test_sign_in_keeps_a_local_next(make, client):
    make.user("ofc", Role.OFFICER)
    response = post_form(client, "/login?next=/cameras", {"username": "ofc", "password": PASSWORD}, page="/login")
    assert response.status_code == 302 and response.location == "/cameras"
