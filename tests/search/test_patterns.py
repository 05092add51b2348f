"""Partial plates and look-alikes, checked against a brute-force scan: for
generated patterns over generated plates, the pattern and the search
service (exact plates looked up by hash, partial ones compared once opened)
return exactly the reads that a plain scan of every read (Python's fnmatch,
a matcher written independently of the hub's) says match."""
import fnmatch
import random
from datetime import timedelta

import pytest
from hypothesis import HealthCheck, assume, given, settings, strategies as st
from sqlalchemy import select

from hub.clock import utcnow
from hub.extensions import db
from hub.reads.ingest import ingest_batch
from hub.search.patterns import PatternError, PlatePattern, canonical
from hub.search.services import search
from tests.conftest import make_camera, make_organisation, make_user
from hub.identity.roles import Role

# A small alphabet, heavy in look-alike characters, so that patterns hit.
ALPHABET = "AB8OS50IZ21"
plates = st.text(alphabet=ALPHABET, min_size=4, max_size=7)
patterns = st.text(alphabet=ALPHABET + "??**", min_size=3, max_size=8)


@pytest.fixture
def stored(app):
    """Reads with random plates, made once for each test; Hypothesis's examples
    only read them."""
    rnd = random.Random(12)
    generated = sorted({"".join(rnd.choice(ALPHABET) for _ in range(rnd.randint(4, 7))) for _ in range(400)})
    with app.app_context():
        agency = make_organisation()
        camera = make_camera(agency, "CR 30")
        make_user("officer", Role.OFFICER, agency, trained=True, authorised=True)
        now = utcnow()
        ingest_batch(camera, [{"read_id": f"g{n}", "plate": p, "captured_at": (now - timedelta(hours=2)).isoformat()}
                              for n, p in enumerate(generated)])
        db.session.commit()
    return generated


def brute_force(plates_stored: list[str], pattern: str, look_alikes: bool) -> set[str]:
    if look_alikes:
        return {p for p in plates_stored if fnmatch.fnmatchcase(canonical(p), canonical(pattern))}
    return {p for p in plates_stored if fnmatch.fnmatchcase(p, pattern)}


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(typed=patterns, look_alikes=st.booleans())
def test_the_pattern_matches_brute_force(stored, typed, look_alikes):
    try:
        pattern = PlatePattern.parse(typed)
    except PatternError:
        assume(False)
    assert {p for p in stored if pattern.matches(p, look_alikes=look_alikes)} == \
        brute_force(stored, pattern.text, look_alikes)


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(plate=st.sampled_from(["AB8OS", "S50IZ", "ZZ21A", "B8B8B8"]), look_alikes=st.booleans(),
       exact=st.booleans())
def test_the_search_service_agrees_with_brute_force(app, stored, plate, look_alikes, exact):
    with app.app_context():
        from hub.identity.models import User
        officer = db.session.scalar(select(User).where(User.username == "officer"))
        typed = plate if exact else plate[:3] + "*"
        result = search(officer, {"plate": typed, "reason": "theft", "case_number": "CPD-26-000001",
                                  "basis": "test", "look_alikes": "1" if look_alikes else "", "exigent": "1"})
        shown = [(r.plate, result.is_look_alike(r)) for r in result.reads]
        db.session.rollback()
    expected = brute_force(stored, typed, look_alikes)
    assert result.total == len(expected)
    assert {p for p, _ in shown} == expected if len(expected) <= 50 else {p for p, _ in shown} <= expected
    assert all(marked == (not fnmatch.fnmatchcase(p, typed)) for p, marked in shown)


@pytest.mark.parametrize("typed, problem", [("AB", "at least 3"), ("A?B", "at least 3"), ("AB-1#", "not #"),
                                             ("", "Type a plate"), ("ABCDEFGHIJK", "at most 10")])
def test_malformed_patterns_say_what_is_wrong(typed, problem):
    with pytest.raises(PatternError, match=problem):
        PlatePattern.parse(typed)


def test_spellings_of_an_exact_plate_under_look_alikes():
    assert sorted(PlatePattern.parse("B0S").spellings()) == sorted(
        a + b + c for a in "B8" for b in "O0" for c in "S5")
    assert PlatePattern.parse("8888888888").spellings() is None  # 1,024: the pattern is used instead
