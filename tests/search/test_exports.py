"""Exports carry the ledger reference: the search's entry, the export's own
entry and the latest signed checkpoint, in the CSV and on the evidence
sheet; each export is a dissemination on record, against the search it
repeats, in the scope of the moment it is made."""
import csv
import io
import json
import re
import zlib

import pytest
from sqlalchemy import select

from hub.extensions import db
from hub.grants.models import Grant
from hub.grants.revocation import revoke_grant
from hub.identity.models import User
from hub.ledger.models import LedgerEntry, LedgerEntryCamera
from hub.ledger.services import erase_private_details
from hub.ledger.tree import seal_and_checkpoint
from tests.conftest import OPERATOR, sign_in
from tests.search.conftest import CASE, ask, build_world, plate_of


@pytest.fixture
def world(app, frozen_clock):
    with app.app_context():
        built = build_world("active")
        built["grant_id"] = built["grant"].id
        seal_and_checkpoint()
        db.session.commit()
        return built


@pytest.fixture
def officer(app, world):
    client = app.test_client()
    sign_in(client, "officer")
    return client


def searched(client) -> int:
    response = client.get("/api/v1/search", query_string=ask())
    assert response.status_code == 200
    return response.get_json()["search_entry_id"]


def pdf_text(data: bytes) -> str:
    chunks = []
    for stream in re.findall(rb"stream\r?\n(.*?)\r?\nendstream", data, re.S):
        try:
            chunks.append(zlib.decompress(stream).decode("latin-1"))
        except zlib.error:
            chunks.append(stream.decode("latin-1"))
    return "".join(chunks)


def test_csv_export_carries_both_entries_and_the_checkpoint(app, officer, world):
    search_id = searched(officer)
    response = officer.get(f"/search/{search_id}/export.csv")
    assert response.status_code == 200 and response.mimetype == "text/csv"
    rows = list(csv.DictReader(io.StringIO(response.get_data(as_text=True))))
    assert {r["plate"] for r in rows} == {plate_of(n) for n in ("city", "shared", "alerts_only", "private")}
    export_id = int(response.headers["X-Ledger-Entry"])
    assert {(r["search_entry_id"], r["export_entry_id"]) for r in rows} == {(str(search_id), str(export_id))}
    assert all(r["checkpoint_tree_size"] and len(r["checkpoint_root_hash"]) == 64 for r in rows)
    with app.app_context():
        entry = db.session.get(LedgerEntry, export_id)
        assert entry.action == "reads.exported" and entry.case_number == CASE
        assert (entry.subject_type, entry.subject_id) == ("ledger_entry", str(search_id))
        details = json.loads(entry.details)
        assert details["search_entry_id"] == search_id and details["exported"] == 4
        touched = set(db.session.scalars(select(LedgerEntryCamera.camera_id)
                                         .where(LedgerEntryCamera.entry_id == export_id)))
    assert touched == set(world["ids"].values())


def test_pdf_evidence_sheet_names_the_entries_and_the_checkpoint(app, officer, world):
    search_id = searched(officer)
    response = officer.get(f"/api/v1/search/{search_id}/export", query_string={"format": "pdf"})
    assert response.status_code == 200 and response.data.startswith(b"%PDF")
    text = pdf_text(response.data)
    export_id = response.headers["X-Ledger-Entry"]
    assert f"#{search_id}" in text and f"#{export_id}" in text
    with app.app_context():
        from hub.ledger.tree import latest_checkpoint
        checkpoint = latest_checkpoint()
        assert checkpoint.root_hash in text and f"tree size {checkpoint.tree_size}" in text
    assert CASE in text and plate_of("private") in text


def test_export_format_is_checked(officer, world):
    search_id = searched(officer)
    response = officer.get(f"/api/v1/search/{search_id}/export", query_string={"format": "xlsx"})
    assert response.status_code == 400 and "format" in response.get_json()["errors"]


def test_only_the_searching_officer_exports_a_search(app, officer, world):
    search_id = searched(officer)
    other = app.test_client()
    sign_in(other, "other")
    response = other.get(f"/api/v1/search/{search_id}/export")
    assert response.status_code == 404
    with app.app_context():
        last = db.session.scalars(select(LedgerEntry).order_by(LedgerEntry.id.desc()).limit(1)).one()
    assert last.action == "reads.export.refused"
    assert officer.get(f"/api/v1/search/{search_id + 999}/export").status_code == 404


def test_an_export_after_revocation_leaves_the_partners_reads_out(app, officer, world):
    search_id = searched(officer)
    with app.app_context():
        owner = db.session.scalar(select(User).where(User.username == "owner"))
        revoke_grant(owner, db.session.get(Grant, world["grant_id"]), reason="Board decision")
        db.session.commit()
    rows = list(csv.DictReader(io.StringIO(officer.get(f"/search/{search_id}/export.csv").get_data(as_text=True))))
    assert {r["plate"] for r in rows} == {plate_of("city"), plate_of("shared")}


def test_a_search_whose_plate_was_destroyed_cannot_be_exported(app, officer, world):
    search_id = searched(officer)
    with app.app_context():
        erase_private_details(OPERATOR, [search_id], reason="lawful destruction")
        db.session.commit()
    response = officer.get(f"/api/v1/search/{search_id}/export")
    assert response.status_code == 409 and response.get_json()["code"] == "search_details_erased"
