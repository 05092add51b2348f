"""Reading scanned letters end to end: files the tests draw themselves go
through type detection, rasterising, Tesseract and field extraction, and
the five elements of a written request come out (or are listed missing)."""
from __future__ import annotations

import hashlib
import io
import threading

import numpy
import pytest
from PIL import Image

from hub.data_requests.letter_errors import OcrUnavailable
from hub.data_requests.letter_ocr import has_ink, tessdata_path, text_angle, turned, without_grain
from hub.data_requests.letter_pages import MAX_BYTES, open_letter
from hub.data_requests.letters import FIELD_NAMES, LetterRejected, read_letter
from tests.data_requests import letter_samples as samples

LETTER = samples.Letter()
PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"


@pytest.fixture(scope="module")
def clean_form():
    data = samples.png(samples.render(samples.form_lines(LETTER)))
    return data, read_letter(data, "rogers-request.png")


@pytest.fixture(scope="module")
def noisy_prose():
    return read_letter(samples.scanned(samples.render(samples.prose_lines(LETTER)), degrees=3.5), "scan.jpg")


def two_page_pdf(letter: samples.Letter) -> bytes:
    """The prose letter with its closing (authorisation and signature) on a second page."""
    lines = samples.prose_lines(letter)
    split = next(index for index, (text, _) in enumerate(lines) if text.startswith("The purpose")) + 2
    return samples.pdf(samples.render(lines[:split]), samples.render(lines[split:]))


def assert_letter_fields(reading, *, requester: str) -> None:
    fields = reading.fields
    assert set(fields) == set(FIELD_NAMES)
    assert fields["agency_name"].value == "Rogers Police Department"
    assert fields["requester_name"].value == requester
    assert "identify vehicles that passed the Corcoran cameras" in fields["purpose"].value
    assert "burglary" in fields["factual_basis"].value and "Fletcher Lane" in fields["factual_basis"].value
    assert fields["case_number"].value == "RPD-25-004417"
    assert "authorized by Chief Matthew Lenz" in fields["authorization_statement"].value
    assert reading.missing == ()
    for field in fields.values():
        assert field.found and field.page is not None and field.value in field.evidence.replace("\n", " ")


def test_clean_form_letter_fills_every_field_from_its_labelled_lines(clean_form):
    data, reading = clean_form
    assert_letter_fields(reading, requester="Detective Dana Whitfield")
    assert reading.sha256 == hashlib.sha256(data).hexdigest()
    assert reading.media_type == "image/png" and reading.page_count == 1
    assert reading.fields["case_number"].evidence == "Case number: RPD-25-004417"
    assert reading.fields["agency_name"].evidence == "Requesting agency: Rogers Police Department"
    assert "Requesting agency: Rogers Police Department" in reading.text


def test_page_images_are_downscaled_pngs(clean_form):
    _, reading = clean_form
    (image,) = reading.page_images
    assert image.startswith(PNG_SIGNATURE)
    page = Image.open(io.BytesIO(image))
    assert page.width == 1100 and page.height > page.width


def test_noisy_turned_scan_of_a_prose_letter_is_read(noisy_prose):
    assert_letter_fields(noisy_prose, requester="Dana Whitfield")
    assert noisy_prose.media_type == "image/jpeg"
    # the agency came from the signature block, not from the addressee (Corcoran) above it
    assert noisy_prose.fields["agency_name"].page == 1


def test_sideways_scan_is_turned_upright():
    reading = read_letter(samples.scanned(samples.render(samples.form_lines(LETTER)), degrees=-92, seed=8),
                          "sideways.jpeg")
    assert_letter_fields(reading, requester="Detective Dana Whitfield")
    page = Image.open(io.BytesIO(reading.page_images[0]))
    assert page.height > page.width  # shown upright, as it was read


def test_pdf_pages_are_read_in_order_and_fields_name_their_page():
    data = two_page_pdf(LETTER)
    reading = read_letter(data, "Request.PDF")
    assert reading.media_type == "application/pdf" and reading.page_count == 2
    assert len(reading.page_images) == 2 and reading.text.count("\f") == 1
    assert_letter_fields(reading, requester="Dana Whitfield")
    assert reading.fields["purpose"].page == 1 and reading.fields["case_number"].page == 1
    assert reading.fields["authorization_statement"].page == 2 and reading.fields["requester_name"].page == 2
    assert reading.text.index("purpose of this request") < reading.text.index("\f") < reading.text.index("Sincerely")


def test_a_missing_element_is_listed_and_not_guessed():
    reading = read_letter(samples.png(samples.render(samples.prose_lines(LETTER.without("authorization_statement")))),
                          "letter.png")
    assert reading.missing == ("authorization_statement",)
    missing = reading.fields["authorization_statement"]
    assert (missing.found, missing.value, missing.evidence, missing.page) == (False, None, None, None)
    assert reading.fields["requester_name"].found


def test_form_letter_without_purpose_or_case_number_lists_both():
    letter = LETTER.without("purpose").without("case_number")
    reading = read_letter(samples.png(samples.render(samples.form_lines(letter))), "letter.png")
    assert reading.missing == ("purpose", "case_number")


def test_readers_in_parallel_share_the_engine_and_agree(clean_form):
    data, expected = clean_form
    results, errors = [], []

    def read():
        try:
            results.append(read_letter(data, "letter.png"))
        except Exception as error:  # surfaced below
            errors.append(error)

    threads = [threading.Thread(target=read) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    assert [result.fields for result in results] == [expected.fields, expected.fields]


@pytest.mark.parametrize("degrees", [-4.0, 2.5, 93.0, 180.0])
def test_text_angle_lays_lines_flat(degrees):
    page = samples.render(samples.prose_lines(LETTER))
    tilted = turned(page, degrees)
    angle = text_angle(tilted)
    remaining = (degrees + angle) % 180
    assert min(remaining, 180 - remaining) < 0.5


# --- files refused as a whole -----------------------------------------------------------

def refused(data: bytes, filename: str) -> LetterRejected:
    with pytest.raises(LetterRejected) as caught:
        read_letter(data, filename)
    assert isinstance(caught.value, ValueError) and caught.value.message
    return caught.value


def test_blank_scan_is_unreadable():
    assert refused(samples.blank_scan(), "blank.jpg").code == "letter_unreadable"


def test_empty_file_is_refused():
    assert refused(b"", "letter.pdf").code == "letter_empty"


def test_two_hundred_page_pdf_is_refused_by_its_count():
    error = refused(samples.many_pages_pdf(200), "letter.pdf")
    assert error.code == "letter_too_many_pages" and "200 pages" in error.message


def test_password_protected_pdf_is_refused_with_its_own_code():
    error = refused(samples.password_pdf(samples.pdf(samples.render(samples.form_lines(LETTER)))), "letter.pdf")
    assert error.code == "letter_encrypted" and "password" in error.message


@pytest.mark.parametrize("make, filename", [
    (lambda: samples.png(samples.render([("Hello", False)])), "letter.pdf"),
    (lambda: samples.pdf(samples.render([("Hello", False)])), "letter.jpg"),
    (lambda: samples.png(samples.render([("Hello", False)])), "letter.docx"),
])
def test_file_whose_name_lies_about_its_type_is_refused(make, filename):
    error = refused(make(), filename)
    assert error.code == "letter_type_mismatch" and error.status == 415 and filename in error.message


def test_file_of_no_accepted_type_is_refused():
    assert refused(samples.shuffled_bytes(), "letter.png").code == "letter_type_unsupported"
    assert refused(b"Dear Chief, please send the data.", "letter").code == "letter_type_unsupported"


@pytest.mark.parametrize("make, filename", [
    (lambda: samples.png(samples.render(samples.form_lines(LETTER))), "letter.png"),
    (lambda: samples.scanned(samples.render(samples.form_lines(LETTER))), "letter.jpg"),
    (lambda: samples.pdf(samples.render(samples.form_lines(LETTER))), "letter.pdf"),
])
def test_truncated_file_is_refused_as_damaged(make, filename):
    assert refused(samples.truncated(make()), filename).code == "letter_damaged"


def test_file_over_the_size_limit_is_refused_before_it_is_opened():
    error = refused(b"%PDF-1.7\n" + b"0" * MAX_BYTES, "letter.pdf")
    assert error.code == "letter_too_large" and error.status == 413


def test_decompression_bomb_is_refused():
    bomb = io.BytesIO()
    Image.new("1", (12_000, 12_000), 1).save(bomb, format="PNG")
    assert len(bomb.getvalue()) < 100_000
    assert refused(bomb.getvalue(), "letter.png").code == "letter_page_too_large"


def test_pdf_page_too_large_to_draw_is_refused():
    huge_page = io.BytesIO()
    Image.new("L", (600, 600), 255).save(huge_page, format="PDF", resolution=3)  # a 200-inch square page
    assert refused(huge_page.getvalue(), "letter.pdf").code == "letter_page_too_large"


def test_missing_language_data_names_the_package(monkeypatch):
    monkeypatch.setenv("HUB_TESSDATA", "/nonexistent")
    with pytest.raises(OcrUnavailable, match="tesseract-ocr-eng"):
        tessdata_path()


def test_blank_page_is_not_given_to_tesseract_but_a_short_line_is():
    blank = Image.open(io.BytesIO(samples.blank_scan())).convert("L")
    assert not has_ink(without_grain(blank))
    assert has_ink(samples.render([("Case number: 25-118", False)]))


def test_sixteen_bit_scan_keeps_its_greys():
    page = samples.render(samples.form_lines(LETTER))
    deep = io.BytesIO()
    Image.fromarray(numpy.asarray(page, dtype=numpy.uint16) * 257).save(deep, format="PNG")
    (opened,) = open_letter(deep.getvalue(), "deep-scan.png").pages
    assert numpy.array_equal(numpy.asarray(opened), numpy.asarray(page))
