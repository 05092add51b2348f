"""Minn. Stat. 13.824 subd. 1, as the state pack states it: a partner's
device is a reader to the extent its data are shared with a law enforcement
agency, and every read the agency's hub holds is. Each read carries its
classification; the public log of use says what each camera's reads are."""
from sqlalchemy import select

from hub import policy
from hub.clock import utcnow
from hub.extensions import db
from hub.reads.classification import READ_CLASSIFY
from hub.reads.ingest import ingest_batch
from hub.reads.models import Read
from hub.transparency.log_of_use import aggregate_day, month_log
from tests.conftest import OPERATOR, make_camera, make_organisation, make_partner

STATUTE = ("Automated license plate reader includes a device that is owned or operated by a person who is not a "
           "government entity to the extent that data collected by the reader are shared with a law enforcement "
           "agency.")


def test_the_pack_states_subdivision_1_word_for_word(ctx):
    rules = {rule.id: rule for rule in policy.engine().rules(READ_CLASSIFY)}
    partner = rules["partner-devices-are-readers"]
    assert partner.cite == "Minn. Stat. 13.824 subd. 1"
    assert STATUTE in " ".join(partner.says.split())


def test_every_read_carries_its_classification_and_the_log_of_use_says_it(app, ctx):
    agency, hoa = make_organisation(), make_partner()
    city, gate = make_camera(agency, "CR 30"), make_camera(hoa, "Private gate")  # the gate shares nothing
    now = utcnow()
    for camera in (city, gate):
        ingest_batch(camera, [{"read_id": f"r{camera.id}", "plate": "ABC123", "captured_at": now.isoformat()}])
    stored = dict(db.session.execute(select(Read.camera_id, Read.classification)).all())
    assert stored == {city.id: "alpr_data", gate.id: "alpr_data,partner_device"}
    aggregate_day(OPERATOR, now.date())
    readers = {log.camera_id: log.reader for log in month_log(now.date())}
    assert readers[gate.id] == "ALPR data, from a partner's device, a reader under the statute (Minn. Stat. 13.824 subd. 1)"
    assert readers[city.id] == "ALPR data (Minn. Stat. 13.824 subd. 1)"
