"""Hotlist entries, atomic imports, and matching full and partial plates."""
from datetime import timedelta

import pytest

from hub.clock import utcnow
from hub.extensions import db
from hub.hotlists import matching, services
from hub.hotlists.errors import HotFileInvalid, HotlistEntryInvalid
from hub.identity.roles import Role
from hub.policy import PolicyRefused
from tests.conftest import make_user
from tests.conftest import OPERATOR

HEADER = "plate,state,reason,case_number,priority,expires,non_encounter,instructions\n"


def soon(days=10):
    return utcnow() + timedelta(days=days)


def test_manual_entries_need_an_administrator_and_the_fields(ctx):
    sergeant = make_user("sgt", Role.ALPR_ADMIN, trained=True, authorised=True)
    officer = make_user("ofc", Role.OFFICER)
    entry = services.add_entry(sergeant, plate="abc 123", reason_category="stolen_vehicle", case_number="ICR-1",
                               priority="high", expires_at=soon())
    assert entry.plate == "ABC123" and not entry.partial
    with pytest.raises(PolicyRefused):
        services.add_entry(officer, plate="XYZ1", reason_category="warrant", case_number="2", priority="low",
                           expires_at=soon())
    with pytest.raises(PolicyRefused):
        services.add_entry(sergeant, plate="XYZ1", reason_category="unpaid_parking", case_number="2",
                           priority="low", expires_at=soon())
    with pytest.raises(PolicyRefused):  # the agency pack: at most 90 days
        services.add_entry(sergeant, plate="XYZ1", reason_category="warrant", case_number="2", priority="low",
                           expires_at=soon(120))
    with pytest.raises(HotlistEntryInvalid) as invalid:
        services.add_entry(sergeant, plate="XYZ1", reason_category="warrant", case_number=" ", priority="urgent",
                           expires_at=None, non_encounter=True)
    assert set(invalid.value.errors) == {"case_number", "priority", "expires_at", "instructions"}


def test_matching_full_and_partial_and_refreshes_on_change(ctx):
    sergeant = make_user("sgt", Role.ALPR_ADMIN, trained=True, authorised=True)
    full = services.add_entry(sergeant, plate="ABC123", reason_category="warrant", case_number="1",
                              priority="high", expires_at=soon())
    partial = services.add_entry(sergeant, plate="XY?1*", reason_category="vehicle_used_in_crime",
                                 case_number="2", priority="medium", expires_at=soon())
    db.session.commit()
    index = matching.index()
    assert index.match("ABC123") == [full.id]
    assert index.match("XYZ1") == [partial.id] and index.match("XYQ1789") == [partial.id]
    assert index.match("XY1") == [] and index.match("ABC124") == []
    services.remove_entry(sergeant, full, reason="recovered")
    db.session.commit()
    assert matching.index().match("ABC123") == []


def test_import_replaces_the_batch_atomically_and_refuses_broken_files(ctx):
    first = HEADER + "AAA111,MN,stolen_vehicle,SP-1,high,2027-01-01,no,\nBBB222,MN,warrant,SP-2,medium,,,\n"
    services.import_hot_file(OPERATOR, first.encode(), file_name="hot1.csv")
    db.session.commit()
    assert matching.index().plates() == ["AAA111", "BBB222"]
    broken = HEADER + "CCC333,MN,stolen_vehicle,SP-3,high,,,\nDDD444,MN,shoplifting,SP-4,high,,,\n"
    with pytest.raises(HotFileInvalid) as refused:
        services.import_hot_file(OPERATOR, broken.encode(), file_name="hot2.csv")
    assert "Line 3" in refused.value.message and "shoplifting" in refused.value.message
    db.session.rollback()
    assert matching.index().plates() == ["AAA111", "BBB222"]
    services.import_hot_file(OPERATOR, (HEADER + "CCC333,MN,stolen_plate,SP-3,low,,,\n").encode(), file_name="hot3.csv")
    db.session.commit()
    assert matching.index().plates() == ["CCC333"]
    with pytest.raises(HotFileInvalid, match="header"):
        services.import_hot_file(OPERATOR, b"plate,reason\nA,B\n", file_name="bad.csv")


def test_cli_import(app, runner, tmp_path):
    path = tmp_path / "hot.csv"
    path.write_text(HEADER + "EEE555,MN,missing_person,SP-5,high,,yes,Call dispatch; do not stop\n")
    result = runner.invoke(args=["hotlists", "import", str(path)])
    assert result.exit_code == 0 and "imported 1 entries" in result.output
    path.write_text(HEADER + "E,MN,nope,,,,,\n")
    bad = runner.invoke(args=["hotlists", "import", str(path)])
    assert bad.exit_code != 0 and "Line 2" in bad.output
