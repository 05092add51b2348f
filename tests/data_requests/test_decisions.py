"""The chief's decision on a prepared request: approve (the package is made
at once), approve in part, deny; a written finding on reasonable suspicion;
whoever prepared the search does not decide; the decided request stays on
file with its history."""
import json

import pytest
from sqlalchemy import select

from hub.data_requests import package
from hub.data_requests.decisions import close, decide, prepare
from hub.data_requests.history import of as history_of
from hub.data_requests.models import Decision, RequestStatus
from hub.data_requests.services import submit
from hub.errors import HubError
from hub.extensions import db
from hub.identity.roles import OrganisationKind
from hub.ledger import signing
from hub.ledger.models import LedgerEntry
from hub.policy import PolicyRefused
from hub.reads import images
from tests.data_requests.conftest import agency_world, asked, make_requester, prepared, terms


@pytest.fixture
def world(ctx):
    return agency_world()


def actions_of(request) -> list[str]:
    return list(db.session.scalars(select(LedgerEntry.action).where(
        LedgerEntry.subject_type == "data_request", LedgerEntry.subject_id == str(request.id))
        .order_by(LedgerEntry.id)))


def test_an_approval_releases_the_agencys_and_shared_reads_in_a_signed_package(world):
    request = prepared(world)
    assert request.status is RequestStatus.AWAITING_DECISION
    decide(world["chief"], request, decision=Decision.APPROVED, reasonable_suspicion=True,
           finding="The vehicle is tied to the burglary under investigation.")
    db.session.commit()
    assert request.status is RequestStatus.RELEASED and request.reads_released == 2
    assert actions_of(request) == ["data_request.submitted", "data_request.prepared", "data_request.approved",
                                   "data_request.released"]
    verified = package.verify(images.get(request.package_sha256), signing.verifier_keys(), signing.origin())
    manifest = verified.manifest
    assert package.sha256(images.get(request.package_sha256)) == request.package_sha256
    assert manifest["classification"] == {"class": "private data on individuals", "cite": "Minn. Stat. 13.824 subd. 2(b)"}
    assert manifest["destruction"]["retention_days"] == 60 and "subd. 4(b)" in manifest["destruction"]["obligation"]
    assert [e["action"] for e in manifest["ledger"]["entries"]] == actions_of(request)
    rows = json.loads(verified.files["reads.json"])
    assert {r["camera_id"] for r in rows} == {world["cameras"]["city"], world["cameras"]["shared"]}
    assert all(r["plate"] == "ABC123" and r["plate_image"].startswith("images/") for r in rows)
    assert verified.files["reads.csv"].startswith(b"read_id,captured_at_utc,plate")
    released = db.session.get(LedgerEntry, request.release_entry_id)
    assert json.loads(released.details)["cameras"] == sorted([world["cameras"]["city"], world["cameras"]["shared"]])
    assert released.position is not None  # sealed before the package was made: its proof is in the package


def test_a_modified_file_or_a_foreign_key_fails_verification(world):
    import io
    import zipfile
    request = prepared(world)
    decide(world["chief"], request, decision=Decision.APPROVED, reasonable_suspicion=True, finding="Pertinent.")
    made = images.get(request.package_sha256)
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(made)) as original, zipfile.ZipFile(out, "w") as modified:
        for item in original.infolist():
            data = original.read(item.filename)
            modified.writestr(item.filename, data.replace(b"ABC123", b"ABC124") if item.filename == "reads.csv" else data)
    with pytest.raises(package.PackageInvalid, match="reads.csv: its SHA-256 does not match"):
        package.verify(out.getvalue(), signing.verifier_keys())
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
    from hub.ledger import verifier
    stranger = verifier.verifier_key(signing.origin(), Ed25519PrivateKey.generate().public_key())
    with pytest.raises(package.PackageInvalid, match="signature does not verify"):
        package.verify(made, [stranger])


def test_whoever_prepared_the_search_does_not_decide_it(world):
    request = submit(world["requester"], asked())
    prepare(world["chief"], request, terms(request))
    db.session.commit()
    with pytest.raises(HubError) as refused:
        decide(world["chief"], request, decision=Decision.APPROVED, reasonable_suspicion=True, finding="Mine.")
    assert refused.value.code == "separation_of_duties" and refused.value.status == 403
    db.session.rollback()
    decide(world["deputy"], request, decision=Decision.DENIED, reasonable_suspicion=False,
           finding="No link to an active investigation is shown.")
    assert request.status is RequestStatus.DENIED and request.package_sha256 is None


def test_an_approval_in_part_narrows_and_never_widens(world):
    request = prepared(world, plates=["ABC123", "XYZ789"])
    with pytest.raises(HubError) as whole:
        decide(world["chief"], request, decision=Decision.APPROVED_IN_PART, reasonable_suspicion=True,
               finding="Only one plate.", terms=terms(request, plates=("ABC123", "XYZ789")))
    assert "plates" in whole.value.errors
    with pytest.raises(HubError) as wider:
        decide(world["chief"], request, decision=Decision.APPROVED_IN_PART, reasonable_suspicion=True,
               finding="Only one plate.", terms=terms(request, plates=("ABC123", "QQQ111")))
    assert "plates" in wider.value.errors
    decide(world["chief"], request, decision=Decision.APPROVED_IN_PART, reasonable_suspicion=True,
           finding="Only the plate seen at the scene.", terms=terms(request, plates=("ABC123",),
                                                                    cameras=(world["cameras"]["city"],)))
    assert request.status_words == "approved in part: release package ready" and request.reads_released == 1
    assert request.approved_plate_list == ["ABC123"] and request.search_plate_list == ["ABC123", "XYZ789"]


def test_no_approval_without_reasonable_suspicion_and_nothing_half_done(world):
    request = prepared(world)
    db.session.commit()
    with pytest.raises(PolicyRefused) as refused:
        decide(world["chief"], request, decision=Decision.APPROVED, reasonable_suspicion=False, finding="Why not.")
    assert {e["rule"] for e in refused.value.errors["rules"]} == {"share-approved-on-reasonable-suspicion"}
    db.session.rollback()
    assert request.status is RequestStatus.AWAITING_DECISION and request.package_sha256 is None
    assert "data_request.released" not in actions_of(request)


def test_a_partners_private_camera_is_never_released(world):
    request = submit(world["requester"], asked())
    with pytest.raises(HubError) as refused:
        prepare(world["officer"], request, terms(request, cameras=(world["cameras"]["private"],)))
    assert "cameras" in refused.value.errors and refused.value.status == 422


def test_records_staff_close_what_is_not_a_law_enforcement_request(world):
    insurer = make_requester("claims", "Acme Insurance claims office", OrganisationKind.OUTSIDE_BODY)
    request = submit(insurer, asked(agency_name="Acme Insurance"))
    db.session.commit()
    with pytest.raises(HubError):
        prepare(world["officer"], request, terms(request))
    db.session.rollback()
    close(world["records"], request, note="Answered under Minn. Stat. 13.03: the data are private; nothing released.")
    assert request.status is RequestStatus.CLOSED
    staff, outside = history_of(request, staff=True), history_of(request, staff=False)
    assert [e.what for e in staff] == ["Written data request received", "Request closed by records staff"]
    assert outside[1].who == "" and staff[1].who == "rec"
