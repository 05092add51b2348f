"""Camera images the hub reads itself: bad images are refused one read at a
time, with a clear reason, never crashing the worker (the decompression-bomb
guard on); a whole vehicle photo is searched for its plate, whose crop is
stored as the read's plate image."""
import base64
import io
import zlib
import struct

import pytest
from PIL import Image
from sqlalchemy import select

from hub.clock import utcnow
from hub.extensions import db
from hub.reads import devset
from hub.reads.decoding import ImageRefused, check, decode
from hub.reads.models import Read
from tests.conftest import stored_image, stored_plates


def post(client, credential, reads):
    return client.post("/api/v1/reads", json={"reads": reads}, headers={"Authorization": f"Bearer {credential}"})


def encoded(image: Image.Image, fmt: str = "PNG", **options) -> bytes:
    buffer = io.BytesIO()
    image.save(buffer, fmt, **options)
    return buffer.getvalue()


def png_bomb(width: int, height: int) -> bytes:
    """A small PNG that claims and holds width×height pixels of zeros."""
    raw = zlib.compress(b"\x00" * ((width + 1) * height), 9)

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", width, height, 8, 0, 0, 0, 0))
            + chunk(b"IDAT", raw) + chunk(b"IEND", b""))


GOOD = devset.crop_sample(devset.HOLDOUT_SEED + 7000).image
PHOTO = devset.photo_sample(devset.HOLDOUT_SEED + 7000).image  # a whole 1080p vehicle photo, JPEG
PNG = encoded(Image.new("RGB", (300, 200), (200, 120, 40)))
BAD = {
    "truncated": (GOOD[:len(GOOD) // 2], "truncated"),
    "truncated_png": (PNG[:len(PNG) - 40], "truncated"),
    "photo_cut_short": (PHOTO[:len(PHOTO) * 19 // 20], "truncated"),
    "one_pixel": (encoded(Image.new("RGB", (1, 1))), "too small"),
    "very_wide": (encoded(Image.new("L", (20000, 10))), "limit"),
    "twenty_thousand_square": (png_bomb(20000, 20000), "pixels"),
    "png_bomb": (png_bomb(12000, 12000), "pixels"),
    "cmyk": (encoded(Image.new("CMYK", (80, 40)), "JPEG"), "CMYK"),
    "sixteen_bit": (encoded(Image.new("I;16", (80, 40))), "16-bit"),
    "not_an_image": (b"%PDF-1.4 this is not a picture", "Not a JPEG"),
    "empty": (b"", "Not a JPEG"),
}


@pytest.mark.parametrize("name", sorted(BAD))
def test_decoding_refuses_bad_images_with_a_reason(name):
    data, words = BAD[name]
    with pytest.raises(ImageRefused, match=words):
        decode(data)
    with pytest.raises(ImageRefused, match=words):
        check(data)  # ingest's quicker check of an image it stores unread refuses the same


def test_the_quick_check_passes_what_decoding_passes():
    for data in (GOOD, PNG, PHOTO):
        check(data)
        decode(data)


def test_bad_images_are_refused_one_read_at_a_time(app, client, camera_world):
    now = utcnow().isoformat()
    reads = [{"read_id": name, "captured_at": now, "plate_image": base64.b64encode(data).decode()}
             for name, (data, _) in sorted(BAD.items())]
    reads.append({"read_id": "good", "captured_at": now, "plate_image": base64.b64encode(GOOD).decode()})
    response = post(client, camera_world["city"]["credential"], reads)
    assert response.status_code == 200, response.get_json()
    body = response.get_json()
    assert body["accepted"] == ["good"]
    reasons = {r["read_id"]: r["errors"]["plate_image"][0] for r in body["rejected"]}
    assert sorted(reasons) == sorted(BAD)
    for name, (_, words) in BAD.items():
        assert words in reasons[name], (name, reasons[name])


def test_a_vehicle_photo_alone_is_read_and_its_plate_crop_stored(app, client, camera_world):
    photos = [s for s in devset.photos(4, devset.HOLDOUT_SEED + 7000)]
    now = utcnow().isoformat()
    response = post(client, camera_world["city"]["credential"], [
        {"read_id": f"p{i}", "captured_at": now, "vehicle_image": base64.b64encode(s.image).decode()}
        for i, s in enumerate(photos)])
    assert response.status_code in (200, 422), response.get_json()
    with app.app_context():
        reads = db.session.scalars(select(Read)).all()
        for read, plate in zip(reads, stored_plates(reads)):
            read.put_opened_plate(plate)
        rows = {r.camera_read_id: r for r in reads}
        assert len(rows) >= 3
        for i, sample in enumerate(photos):
            read = rows.get(f"p{i}")
            if read is None or read.plate.replace("O", "0") != sample.plate.replace("O", "0"):
                continue
            assert read.recognised_by == "ocr" and read.vehicle_image and read.plate_image
            crop = Image.open(io.BytesIO(stored_image(read, read.plate_image)))
            assert crop.width < 600 and crop.height < 300  # the plate, not the photo
        assert sum(r.plate.replace("O", "0") == s.plate.replace("O", "0")
                   for r, s in ((rows.get(f"p{i}"), s) for i, s in enumerate(photos)) if r) >= 3


def test_a_non_image_with_an_image_name_is_refused_in_an_upload(app, client, camera_world):
    response = client.post("/api/v1/reads", data={
        "read_id": "named", "captured_at": utcnow().isoformat(),
        "plate_image": (io.BytesIO(b"GIF89a? no: a text file named like a picture"), "plate.jpg")},
        headers={"Authorization": f"Bearer {camera_world['city']['credential']}"}, content_type="multipart/form-data")
    assert response.status_code in (200, 422), response.get_json()
    assert "Not a JPEG" in str(response.get_json())
    with app.app_context():
        assert db.session.scalar(select(Read).where(Read.camera_read_id == "named")) is None


@pytest.mark.parametrize("size", [(8, 8), (8, 8000), (8000, 8), (40, 4000)])
def test_the_reader_survives_extreme_shapes_the_decoder_lets_through(size):
    """Within the decoder's limits an image can still be odd: the reader
    gives a reading (most likely none), never an exception."""
    from hub.reads import plate_reader
    image = decode(encoded(Image.effect_noise(size, 60).convert("RGB")))
    for read in (plate_reader.read_plate_image, plate_reader.read_photo_image):
        reading = read(image)
        assert isinstance(reading.plate, str) and 0.0 <= reading.confidence <= 1.0
