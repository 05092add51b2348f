"""A password the hub accepts is long enough and not one that leaked lists
show most often, in any of the usual disguises; the account services and
the partner sign-up both ask."""
import pytest

from hub.identity.errors import IdentityInvalid
from hub.identity.passwords import MIN_PASSWORD_LENGTH, banned_passwords, password_problem
from hub.identity.roles import Role
from hub.identity import services
from tests.conftest import OPERATOR, PASSWORD, make_organisation, post_form


def test_the_list_is_the_shipped_one():
    assert len(banned_passwords()) >= 30000 and {"password", "qwerty", "iloveyou"} <= banned_passwords()


@pytest.mark.parametrize("password", ["qwerty123456", "LeaveMeAlone", "Password2024!", "passwordpassword",
                                      "ILOVEYOU!!!!!!!!", "1qaz2wsx3edc"])
def test_common_passwords_are_refused_whatever_their_disguise(password):
    assert "common" in password_problem(password)


@pytest.mark.parametrize("password", ["x" * (MIN_PASSWORD_LENGTH - 1), "short"])
def test_short_passwords_are_refused(password):
    assert f"at least {MIN_PASSWORD_LENGTH}" in password_problem(password)


@pytest.mark.parametrize("password", [PASSWORD, "plover-minnow-kettle", "Tamarack Bay 1979 dock"])
def test_long_uncommon_passwords_are_accepted(password):
    assert password_problem(password) is None


def test_creating_an_account_with_a_common_password_is_refused(ctx):
    with pytest.raises(IdentityInvalid) as refused:
        services.create_user(OPERATOR, organisation=make_organisation(), username="weak", display_name="Weak",
                             role=Role.OFFICER, password="Password2024!")
    assert "common" in refused.value.errors["password"][0]


def test_the_partner_sign_up_refuses_a_common_password(client):
    response = post_form(client, "/partners/sign-up", {
        "organisation_name": "Maple HOA", "kind": "hoa", "contact_name": "Ann Maple",
        "contact_email": "board@maple.example", "display_name": "Ann Maple", "username": "maple",
        "password": "qwerty123456", "accept_terms": "y"})
    assert response.status_code == 422 and "common" in response.get_data(as_text=True)
