"""The biennial audit report: built from generated records, its figures
equal independent counts; its PDF parses back with every section and its
text set in the DejaVu fonts; the consistency proof beside it verifies and
fails against a rewritten history; bad periods are refused, naming the
field or the rule; each sending is recorded and what is late shows."""
import csv
import hashlib
import io
import json
from datetime import date, datetime, timedelta, timezone

import pytest
from pypdf import PdfReader
from sqlalchemy import select

from hub.audit import services
from hub.audit.models import AuditReportFile
from hub.cameras.bca import record_notice_sent
from hub.clock import clock, utcnow
from hub.errors import ValidationFailed
from hub.extensions import db
from hub.identity.roles import Role
from hub.ledger import signing, verifier
from hub.ledger.models import LedgerEntry
from hub.ledger.services import record
from hub.ledger.tree import seal_and_checkpoint
from hub.policy import PolicyRefused
from hub.reads.ingest import ingest_batch
from hub.retention.models import HoldKind
from hub.retention.purge import run_purge
from hub.retention.services import place_hold
from hub.search.services import search
from hub.transparency.log_of_use import aggregate_day
from tests.conftest import OPERATOR, make_camera, make_organisation, make_partner, make_user, post_form, sign_in

START = datetime(2026, 3, 1, 8, tzinfo=timezone.utc)
SECTIONS = ["1. When data were collected, and their classification", "2. Whether every read was destroyed on time",
            "3. How the data were used", "4. Notices to the Bureau of Criminal Apprehension",
            "5. Training and authorisation of everyone who touched data",
            "6. The ledger's verification and the signed checkpoints covering the period", "7. Distribution"]


def world():
    """Two readers over a month: reads every day, a hold, a search, a purge
    on time and one late, a BCA notice sent and one not."""
    clock.freeze(START - timedelta(days=2))
    agency, hoa = make_organisation(), make_partner("Rush Creek HOA")
    sergeant = make_user("sgt", Role.ALPR_ADMIN, agency, trained=True, authorised=True)
    officer = make_user("ofc", Role.OFFICER, agency, trained=True, authorised=True)
    make_user("auditor", Role.AUDITOR, agency, totp=True)
    city, gate = make_camera(agency, "CR 30"), make_camera(hoa, "Gate")
    record_notice_sent(sergeant, city, sent_on=(START - timedelta(days=2)).date())
    reads = {city.id: 0, gate.id: 0}
    for day in range(10):
        for camera, n in ((city, 3), (gate, 2)):
            at = START + timedelta(days=day)
            clock.freeze(at + timedelta(hours=1))
            ingest_batch(camera, [{"read_id": f"{camera.id}-{day}-{i}", "plate": f"ABC{i}{day}",
                                   "captured_at": (at + timedelta(minutes=i)).isoformat()} for i in range(n)])
            reads[camera.id] += n
        aggregate_day(OPERATOR, (START + timedelta(days=day)).date())
    place_hold(sergeant, kind=HoldKind.INVESTIGATION, plate="ABC09", case_number="CPD-26-000077", reason="robbery",
               review_on=(START + timedelta(days=90)).date())
    search(officer, {"plate": "ABC1*", "reason": "theft", "case_number": "CPD-26-000001", "basis": "seen",
                     "from": (START - timedelta(hours=1)).isoformat(), "to": (START + timedelta(days=5)).isoformat()})
    db.session.commit()
    # Each of the first nine days is purged half an hour after the end of its
    # 30 days (the agency's period); the last day two days late.
    midnight = START.replace(hour=0)
    for day in range(9):
        clock.freeze(midnight + timedelta(days=day + 31, minutes=30))
        run_purge(OPERATOR)
    clock.freeze(midnight + timedelta(days=9 + 33))
    run_purge(OPERATOR)
    seal_and_checkpoint()
    db.session.commit()
    clock.freeze(START + timedelta(days=75))
    return {"city": city.id, "gate": gate.id, "reads": reads}


def rows(report, name):
    content = db.session.get(AuditReportFile, (report.id, name)).content.decode()
    return list(csv.DictReader(io.StringIO(content)))


def test_the_report_holds_every_section_and_its_figures_equal_an_independent_count(ctx, frozen_clock):
    w = world()
    report = services.issue_report(OPERATOR, date(2026, 3, 1), date(2026, 4, 30))
    db.session.commit()
    cameras = {int(r["camera"]): r for r in rows(report, "cameras.csv")}
    assert int(cameras[w["city"]]["reads"]) == w["reads"][w["city"]] == 30
    assert int(cameras[w["gate"]]["reads"]) == 20 and int(cameras[w["gate"]]["days_collected"]) == 10
    # Every read of a day falls in its 08:00 hour: one hour and one period a day.
    assert (int(cameras[w["city"]]["hours_collecting"]), int(cameras[w["city"]]["collection_periods"])) == (10, 10)
    # The hold keeps plate ABC09 (read on the last day at both readers); the
    # rest of that day was destroyed two days late.
    city, gate = cameras[w["city"]], cameras[w["gate"]]
    assert (int(city["destroyed_on_time"]), int(city["destroyed_late"]), int(city["held"])) == (27, 2, 1)
    assert (int(gate["destroyed_on_time"]), int(gate["destroyed_late"]), int(gate["held"])) == (18, 1, 1)
    assert city["bca_status"] == "on time" and gate["bca_status"] == "overdue"
    late = rows(report, "destroyed-late.csv")
    assert {(int(r["camera"]), r["day"], int(r["reads"])) for r in late} == {
        (w["city"], "2026-03-10", 2), (w["gate"], "2026-03-10", 1)}
    assert [(r["reason"], r["total"]) for r in rows(report, "searches.csv")] == [("theft", "1")]
    people = {r["username"]: r for r in rows(report, "people.csv")}
    assert people["ofc"]["status"] == "trained and authorised" and "sgt" in people
    assert rows(report, "holds.csv")[0]["kind"] == "active investigation"

    pdf = PdfReader(io.BytesIO(db.session.get(AuditReportFile, (report.id, "report.pdf")).content))
    text = " ".join(page.extract_text() for page in pdf.pages)
    for section in SECTIONS:
        assert section in " ".join(text.split()), section
    assert "Commissioner of Administration" in text and "ABC09" not in text and "CPD-26" not in text
    fonts = {font.get_object()["/BaseFont"] for page in pdf.pages
             for font in page["/Resources"]["/Font"].values()}
    assert fonts and all("DejaVu" in str(name) for name in fonts), fonts
    assert report.ledger_intact


def test_the_consistency_proof_beside_the_report_verifies_and_a_rewritten_history_fails(ctx, frozen_clock):
    world()  # its entries are sealed under a checkpoint in April
    clock.freeze(datetime(2026, 5, 2, tzinfo=timezone.utc))
    record("test.action", actor=None)
    seal_and_checkpoint()
    clock.freeze(datetime(2026, 5, 20, tzinfo=timezone.utc))
    report = services.issue_report(OPERATOR, date(2026, 5, 1), date(2026, 5, 10))
    db.session.commit()
    files = {f.name: f.content for f in services.issued_files(report)}
    proof = json.loads(files["consistency.json"])
    keys = signing.verifier_keys()
    opening = verifier.open_checkpoint(files["opening-checkpoint.txt"].decode(), keys)[0]
    closing = verifier.open_checkpoint(files["closing-checkpoint.txt"].decode(), keys)[0]
    path = [bytes.fromhex(h) for h in proof["proof"]]
    assert (proof["first"], proof["second"]) == (opening.size, closing.size) and 0 < opening.size < closing.size
    assert verifier.verify_consistency(opening.size, closing.size, opening.root, closing.root, path)
    rewritten = hashlib.sha256(opening.root).digest()  # the opening tree as a rewritten history would give it
    assert not verifier.verify_consistency(opening.size, closing.size, rewritten, closing.root, path)


def test_bad_periods_are_refused_naming_the_field_or_the_rule(ctx, frozen_clock):
    world()
    with pytest.raises(ValidationFailed) as reversed_period:
        services.issue_report(OPERATOR, date(2026, 4, 30), date(2026, 3, 1))
    assert "period_to" in reversed_period.value.errors
    with pytest.raises(ValidationFailed):
        services.issue_report(OPERATOR, None, date(2026, 3, 1))
    with pytest.raises(PolicyRefused) as future:
        services.issue_report(OPERATOR, date(2026, 3, 1), utcnow().date())
    assert "13.824 subd. 6" in str(future.value.errors)
    officer = make_user("ofc2", Role.OFFICER)
    with pytest.raises(Exception) as refused:
        services.issue_report(officer, date(2026, 3, 1), date(2026, 3, 31))
    assert getattr(refused.value, "status", None) == 403


def test_each_sending_is_recorded_and_what_is_late_shows(ctx, frozen_clock):
    world()
    report = services.issue_report(OPERATOR, date(2026, 3, 1), date(2026, 3, 31))
    db.session.commit()
    everyone = services.recipients()
    assert len(everyone) == 10 and report.due_on == utcnow().date() + timedelta(days=30)
    with pytest.raises(ValidationFailed) as wrong:
        services.record_sending(OPERATOR, report, recipient="My cousin", sent_on=utcnow().date() + timedelta(days=1),
                                method="", reference="x")
    assert set(wrong.value.errors) == {"recipient", "sent_on", "method"}
    services.record_sending(OPERATOR, report, recipient=everyone[0], sent_on=utcnow().date(), method="e-mail",
                            reference="Letter 1")
    db.session.commit()
    assert services.overdue() == []
    clock.advance(timedelta(days=31))
    late = services.overdue()
    assert [o.recipient for o in late] == everyone[1:] and all(o.overdue for o in late)
    actions = list(db.session.scalars(select(LedgerEntry.action).where(LedgerEntry.action.like("audit.%"))))
    assert actions == ["audit.report_issued", "audit.report_sent"]


def test_the_auditor_issues_downloads_and_records_a_sending_on_the_pages(app, client, run, frozen_clock):
    secret = run(lambda: (world(), __import__("hub.identity.services", fromlist=["find_user"])
                          .find_user("auditor").totp_secret)[1])
    sign_in(client, "auditor", totp_secret=secret)
    future = post_form(client, "/audit", {"period_from": "2026-03-01", "period_to": "2099-01-01"})
    assert future.status_code == 422 and "13.824 subd. 6" in future.get_data(as_text=True)
    reversed_period = post_form(client, "/audit", {"period_from": "2026-04-01", "period_to": "2026-03-01"})
    assert reversed_period.status_code == 422 and 'id="error-summary"' in reversed_period.get_data(as_text=True)
    issued = post_form(client, "/audit", {"period_from": "2026-03-01", "period_to": "2026-03-31"})
    assert issued.status_code == 302
    page = client.get(issued.location).get_data(as_text=True)
    assert "Still to send" in page and "report.pdf" in page
    pdf = client.get(issued.location + "/files/report.pdf")
    assert pdf.status_code == 200 and pdf.data.startswith(b"%PDF")
    assert client.get(issued.location + "/files/nothing.txt").status_code == 404
    assert client.get("/audit/999999").status_code == 404
    sent = post_form(client, issued.location, {"recipient": "Commissioner of Administration",
                                               "sent_on": utcnow().date().isoformat(), "method": "e-mail",
                                               "reference": "Letter 1"})
    assert sent.status_code == 302
    assert "Commissioner of Administration" in client.get(issued.location).get_data(as_text=True)


def test_the_command_issues_the_report_and_writes_its_files(app, runner, run, tmp_path, frozen_clock):
    run(world)
    result = runner.invoke(args=["audit", "report", "--from", "2026-03-01", "--to", "2026-03-31",
                                 "--out", str(tmp_path / "out")])
    assert result.exit_code == 0, result.output
    assert (tmp_path / "out" / "report.pdf").read_bytes().startswith(b"%PDF")
    assert (tmp_path / "out" / "cameras.csv").exists()
    refused = runner.invoke(args=["audit", "report", "--from", "2026-03-31", "--to", "2026-03-01"])
    assert refused.exit_code == 2 and "wrong way round" in refused.output


def test_printing_a_report_leaves_truncated_images_refused(ctx, frozen_clock):
    """WeasyPrint turns on Pillow's LOAD_TRUNCATED_IMAGES when imported; the
    hub's image decoding must still refuse a truncated file afterwards."""
    from hub.audit import render
    from hub.reads import decoding, devset
    render.pdf("<p>report</p>")
    photo = devset.crop_sample(devset.HOLDOUT_SEED + 7000).image
    with pytest.raises(decoding.ImageRefused):
        decoding.decode(photo[:len(photo) // 2])
