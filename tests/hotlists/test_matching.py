"""The compact index: hashes only make candidates; the stored entry decides,
so a collision raises nothing, and an entry that expired since the index
was built no longer matches."""
from datetime import timedelta

import numpy as np

from hub.clock import utcnow
from hub.extensions import db
from hub.hotlists import matching, services
from hub.hotlists.matching import Hit, HotlistIndex
from hub.identity.roles import Role
from hub.identity.services import find_user
from tests.conftest import OPERATOR, make_user

HEADER = "plate,state,reason,case_number,priority,expires,non_encounter,instructions\n"


def colliding(texts):
    """A hash under which every plate collides with every other."""
    return np.zeros(len(texts), dtype=np.uint64)


def enter(plate, days=10):
    sergeant = find_user("sgt") or make_user("sgt", Role.ALPR_ADMIN, trained=True, authorised=True)
    return services.add_entry(sergeant, plate=plate, reason_category="stolen_vehicle", case_number="ICR-1",
                              priority="high", expires_at=utcnow() + timedelta(days=days))


def test_the_index_finds_candidates_built_a_chunk_at_a_time():
    rows = [("HOT1", 1, False), ("B8S5", 2, False), ("AB*", 3, True), ("HOT1", 4, False), ("ZZZ9", 5, False)]
    index = HotlistIndex.of(rows, chunk=2)
    assert len(index) == 5 and index.nbytes == 4 * 4 * 8
    assert index.candidates(["HOT1", "H0T1", "8B5S", "ABX", "NONE1"]) == [{1, 4}, {1, 4}, {2}, {3}, set()]


def test_a_hash_collision_is_no_hit(ctx, monkeypatch):
    monkeypatch.setattr(matching, "_index", HotlistIndex())
    monkeypatch.setattr(matching, "keyed_hasher", lambda key: colliding)
    hot, other = enter("HOT1"), enter("QRS777")
    db.session.commit()
    assert matching.index().candidates(["NONE1"]) == [{hot.id, other.id}]  # every plate collides
    none, exact, alike = matching.find(["NONE1", "HOT1", "H0T1"])
    assert none == [] and exact == [Hit(hot.id)]
    assert [(hit.entry_id, [str(d) for d in hit.differences]) for hit in alike] == [
        (hot.id, ["character 2: read 0, listed O"])]


def test_a_plate_listed_twice_hits_each_entry(ctx):
    services.import_hot_file(OPERATOR, (HEADER + "DUP123,MN,warrant,SP-1,high,,,\n").encode(), file_name="h.csv")
    manual = enter("DUP123")
    db.session.commit()
    (hits,) = matching.find(["DUP123"])
    assert len(hits) == 2 and manual.id in {hit.entry_id for hit in hits}
    assert not any(hit.possible for hit in hits)


def test_an_entry_that_expired_since_the_index_was_built_no_longer_matches(ctx, frozen_clock):
    entry = enter("EXP123", days=1)
    db.session.commit()
    assert matching.find(["EXP123"]) == [[Hit(entry.id)]]
    built = matching.index()
    frozen_clock.advance(timedelta(days=1, seconds=1))
    assert matching.index() is built  # the lists did not change, so the index was not rebuilt
    assert matching.find(["EXP123"]) == [[]]
