"""The msgspec decoding of an ingest body (`hub.reads.wire`) accepts and
refuses reads exactly as the hand-written checks do: whatever it accepts
comes out of `check_decoded` as `check_read` would have it (the same read or
the same field-named errors), and whatever it refuses the checks refuse too
(they then answer, naming the fields)."""
import base64
import io
import json
import string
from datetime import timedelta

from hypothesis import HealthCheck, example, given, settings, strategies as st
from PIL import Image

from hub.clock import utcnow
from hub.reads.validation import check_decoded, check_read
from hub.reads.wire import decode_batch

NOW = utcnow()
OLDEST = NOW - timedelta(days=30)
LIMIT = 2 * 1024 * 1024


def _jpeg(size) -> str:
    buffer = io.BytesIO()
    Image.new("RGB", size, (40, 90, 160)).save(buffer, "JPEG")
    return base64.b64encode(buffer.getvalue()).decode()


GOOD = {"read_id": "r1", "captured_at": NOW.isoformat(), "plate": "ABC123"}
FIELDS = ["read_id", "captured_at", "plate", "plate_state", "confidence", "plate_image", "vehicle_image"]
times = st.one_of(
    st.datetimes(min_value=(NOW - timedelta(days=40)).replace(tzinfo=None),
                 max_value=(NOW + timedelta(hours=1)).replace(tzinfo=None)).flatmap(
        lambda moment: st.sampled_from([moment.isoformat() + "Z", moment.isoformat() + "+00:00",
                                        moment.isoformat() + "-05:00", moment.isoformat()])),
    st.just(NOW.isoformat()), st.text(max_size=30))
plates = st.one_of(st.text(alphabet=string.ascii_letters + string.digits + " -·.$é", max_size=14), st.text(max_size=5))
scalars = st.one_of(st.none(), st.booleans(), st.integers(min_value=-10**30, max_value=10**30),
                    st.floats(allow_nan=True, allow_infinity=True), st.text(max_size=8))
values = {
    "read_id": st.one_of(st.text(max_size=70), scalars),
    "captured_at": st.one_of(times, scalars),
    "plate": st.one_of(plates, scalars),
    "plate_state": st.one_of(st.text(alphabet="MNwiÉé1 ", min_size=0, max_size=3), scalars),
    "confidence": st.one_of(st.floats(min_value=-0.5, max_value=1.5), st.sampled_from([0, 1, 2, -1, True]), scalars),
    "plate_image": st.one_of(st.sampled_from([_jpeg((120, 40)), _jpeg((4, 4)), "%%%", "aGVsbG8="]), scalars),
    "vehicle_image": st.one_of(st.sampled_from([_jpeg((320, 200)), "bm90IGFuIGltYWdl"]), scalars),
    "latitude": scalars, "driver_name": scalars,
}


@st.composite
def raw_reads(draw):
    """A good read with a few fields changed, added or dropped, or a few
    fields of anything: both sides of every check come up."""
    read = dict(GOOD) if draw(st.integers(0, 3)) else {}
    for name in draw(st.lists(st.sampled_from(list(values)), unique=True, min_size=1, max_size=2)):
        read[name] = draw(values[name])
    for name in draw(st.lists(st.sampled_from(FIELDS), unique=True, max_size=1)):
        read.pop(name, None)
    return read


@settings(max_examples=1000, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(read=st.one_of(raw_reads(), raw_reads(), raw_reads(), scalars))
@example(read={**GOOD, "confidence": 1.2})
@example(read={**GOOD, "confidence": True})
@example(read={**GOOD, "read_id": ""})
@example(read={**GOOD, "read_id": "é" * 64})
@example(read={**GOOD, "read_id": "x" * 65})
@example(read={**GOOD, "plate_state": "éé"})
@example(read={**GOOD, "plate": None})
@example(read={**GOOD, "latitude": None})
def test_msgspec_accepts_and_refuses_as_the_checks_do(app, read):
    body = json.dumps({"reads": [read]}).encode()
    decoded = decode_batch(body)
    with app.test_request_context():
        expected = check_read(0, json.loads(body)["reads"][0], now=NOW, oldest=OLDEST, image_limit=LIMIT)
        if decoded is None:
            assert expected[0] is None and expected[1]
        else:
            assert check_decoded(0, decoded[0], now=NOW, oldest=OLDEST, image_limit=LIMIT) == expected


def test_a_body_that_is_not_a_batch_is_left_to_the_checks():
    good = {"read_id": "r1", "captured_at": NOW.isoformat(), "plate": "ABC123"}
    assert decode_batch(json.dumps({"reads": [good]}).encode())[0].read_id == "r1"
    for body in ({"reads": [good], "camera": 7}, {"reads": good}, [good], {"read": [good]}):
        assert decode_batch(json.dumps(body).encode()) is None
    assert decode_batch(b'{"reads": [') is None
    assert decode_batch(b'{"reads": [{"read_id": "r", "captured_at": "x", "confidence": NaN}]}') is None
