"""Search reaches exactly the cameras its user may see at that moment:
the agency's, partner cameras in `shared` mode and, for the officer whose
case it is, cameras under a live grant to that case; `alerts_only` and
`private` cameras never without one. Every role, every grant state."""
from datetime import timedelta

import pytest
from sqlalchemy import select

from hub.errors import Forbidden
from hub.extensions import db
from hub.ledger.models import LedgerEntry
from hub.search.services import search
from tests.search.conftest import CASE, OTHER_CASE, ask, build_world, plate_of

GRANT_STATES = ("none", "active", "expired", "revoked")
SEARCHERS = ("officer", "other_officer", "sergeant", "chief")
NOT_SEARCHERS = ("records", "auditor", "owner", "requester")


def expected(role: str, grant_state: str, case_number: str) -> set[str]:
    """Written out by hand from DESIGN.md 4a."""
    seen = {"city", "shared"}
    if role == "officer" and grant_state == "active" and case_number == CASE:
        seen |= {"alerts_only", "private"}
    return seen


@pytest.fixture(params=GRANT_STATES)
def world(request, ctx, frozen_clock):
    built = build_world(request.param)
    if request.param == "expired":
        frozen_clock.advance(timedelta(hours=3))
    return {**built, "grant_state": request.param}


def last_actions(count: int) -> list[str]:
    return list(reversed(db.session.scalars(select(LedgerEntry.action).order_by(LedgerEntry.id.desc())
                                            .limit(count)).all()))


@pytest.mark.parametrize("role", SEARCHERS)
@pytest.mark.parametrize("case_number", [CASE, OTHER_CASE])
def test_search_covers_exactly_the_cameras_in_scope(world, role, case_number):
    result = search(world["users"][role], ask(case_number=case_number))
    seen = expected(role, world["grant_state"], case_number)
    assert {r.plate for r in result.reads} == {plate_of(name) for name in seen}
    assert {c.id for c in result.cameras_searched} == {world["ids"][name] for name in seen}
    assert {c.id for c in result.cameras_searched if c.granted} == \
        {world["ids"][n] for n in seen - {"city", "shared"}}
    entry = db.session.get(LedgerEntry, result.entry_id)
    assert entry.action == "reads.searched" and entry.case_number == case_number


@pytest.mark.parametrize("role", NOT_SEARCHERS)
def test_roles_without_search_are_refused_on_record(world, role):
    with pytest.raises(Forbidden) as refused:
        search(world["users"][role], ask())
    assert refused.value.refusal.action == "reads.search"


def test_naming_a_camera_outside_scope_is_refused(world):
    with pytest.raises(Exception) as refused:
        search(world["users"]["other_officer"], ask(cameras=[str(world["ids"]["private"])]))
    assert refused.value.status == 400 and "cameras" in refused.value.errors
    assert refused.value.refusal.cameras == (world["ids"]["private"],)


def test_an_untrained_officer_is_refused(world):
    with pytest.raises(Forbidden):
        search(world["users"]["untrained"], ask())
