"""Finding the five elements of a written request in a letter's text, as
OCR gives it back: labelled lines (read loosely), letters in prose, and
what must stay not found."""
from __future__ import annotations

import pytest

from hub.data_requests.letter_fields import FIELD_NAMES, extract_fields, label_of

PROSE = """HENNEPIN COUNTY SHERIFF'S OFFICE
350 South 5th Street, Minneapolis, MN 55415

April 2, 2025

Chief of Police
Corcoran Police Department

Dear Chief,

Our office is investigating an armed robbery that occurred on March 30, 2025 at the Maple Grove
Transit Station. A witness saw the suspect leave in a silver sedan. The report is ICR #2025-00731.

We ask that you authorize the release of reads from your cameras on County Road 10.
The data will be used to identify the sedan and its registered owner.

This request has been approved by Sheriff Dawanna Witt, head of this agency.

Respectfully,

/s/ Marcus T. Olafson
Investigator
Hennepin County Sheriff's Office
"""


def test_prose_letter_gives_every_field_with_its_sentence():
    fields = extract_fields([PROSE])
    assert fields["agency_name"].value == "Hennepin County Sheriff's Office"
    assert fields["agency_name"].evidence == "Hennepin County Sheriff's Office"  # the signature, not the addressee
    assert fields["requester_name"].value == "Marcus T. Olafson"
    assert fields["purpose"].value == "The data will be used to identify the sedan and its registered owner."
    assert fields["factual_basis"].value.startswith("Our office is investigating an armed robbery")
    assert fields["factual_basis"].value.endswith("The report is ICR #2025-00731.")  # the paragraph, joined
    assert fields["case_number"].value == "2025-00731"
    # the request to the addressee ("that you authorize") is not the statement; the past tense is
    assert fields["authorization_statement"].value == \
        "This request has been approved by Sheriff Dawanna Witt, head of this agency."
    assert all(field.found and field.page == 1 for field in fields.values())


def test_letterhead_gives_the_agency_when_the_signature_does_not():
    text = PROSE.replace("Hennepin County Sheriff's Office\n", "")
    agency = extract_fields([text])["agency_name"]
    assert agency.value == "HENNEPIN COUNTY SHERIFF'S OFFICE" and agency.evidence == agency.value


def test_addressee_is_never_taken_for_the_sender():
    text = "\n".join(line for line in PROSE.splitlines() if "SHERIFF" not in line.upper())
    fields = extract_fields([text])
    assert not fields["agency_name"].found  # only "Corcoran Police Department", the addressee, is left


@pytest.mark.parametrize("line, field, value", [
    ("Requesting agency: Rogers Police Department", "agency_name", "Rogers Police Department"),
    ("Requestlng agency; Rogers Police Department", "agency_name", "Rogers Police Department"),  # OCR's misreading
    ("Name of requester: Sgt. Ana Ruiz", "requester_name", "Sgt. Ana Ruiz"),
    ("Intended purpose: locate a stolen trailer", "purpose", "locate a stolen trailer"),
    ("Factual basis: theft reported 3/1", "factual_basis", "theft reported 3/1"),
    ("Case No.: 25-118 (stolen trailer)", "case_number", "25-118"),
    ("ICR #: RPD-2025-0042", "case_number", "RPD-2025-0042"),
    ("Incident number: 2025/114", "case_number", "2025/114"),
    ("Authorized by: Chief Matthew Lenz", "authorization_statement", "Chief Matthew Lenz"),
])
def test_labelled_line(line, field, value):
    fields = extract_fields([line])
    assert fields[field].value == value and fields[field].evidence == line


@pytest.mark.parametrize("line", ["Date: March 3, 2025", "To: Chief of Police", "Re: ALPR data", "Cause: unknown",
                                  "Phone: 763-428-2261"])
def test_other_labels_name_no_field(line):
    assert label_of(line)[0] is None


def test_labelled_value_continues_on_the_lines_below_until_the_next_label():
    text = ("Factual basis: A burglary was reported on February 28\n\n"
            "at 14000 Fletcher Lane; a pickup truck was seen.\n"
            "Case number: RPD-25-004417")
    fields = extract_fields([text])
    assert fields["factual_basis"].value == ("A burglary was reported on February 28 at 14000 Fletcher Lane; "
                                             "a pickup truck was seen.")
    assert fields["factual_basis"].evidence.count("\n") == 1
    assert fields["case_number"].value == "RPD-25-004417"


def test_fields_name_the_page_they_were_found_on():
    fields = extract_fields(["Requesting agency: Rogers Police Department", "Case number: 25-004417"])
    assert fields["agency_name"].page == 1 and fields["case_number"].page == 2


def test_a_case_label_without_a_number_finds_no_case_number():
    fields = extract_fields(["Case number: pending\nIn case two vehicles match, send both."])
    assert not fields["case_number"].found


def test_nothing_found_in_text_that_is_no_request():
    fields = extract_fields(["Minutes of the park board, March 3.\n\nThe board met and adjourned."])
    assert set(fields) == set(FIELD_NAMES)
    assert all(not field.found and field.value is None and field.evidence is None and field.page is None
               for field in fields.values())
