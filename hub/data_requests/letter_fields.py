"""The five elements of a written request, found in a letter's text.

Minn. Stat. 13.824 subd. 4 and every sample policy in the council packet
(e.g. "Releasing ALPR data", Rogers and Robbinsdale) require the requesting
agency's letter to contain: (1) the name of the agency; (2) the name of the
person requesting; (3) the intended purpose; (4) a record of the factual
basis for the access and any associated case, complaint or incident number;
(5) a statement that the head of the requesting agency or a designee
authorised the request. The case number is kept apart from the factual
basis because the hub files and searches by it.

Two kinds of letter are read: forms with labelled lines ("Requesting
agency: …", "Case number: …"), and letters in prose, whose agency is in the
letterhead or the signature block, whose requester signs below
"Sincerely,", and whose purpose, basis and authorisation are sentences.
Labels are matched loosely (a scan may read "Requestlng agency"). What is
not found stays not found: a records clerk confirms every field against
the image, and a guess shown as found would be confirmed by habit."""
from __future__ import annotations

import re
from dataclasses import dataclass
from difflib import SequenceMatcher

FIELD_NAMES = ("agency_name", "requester_name", "purpose", "factual_basis", "case_number",
               "authorization_statement")

LABELS = {
    "agency_name": ("requesting agency", "agency", "agency name", "name of agency", "name of the agency",
                    "name of requesting agency", "requesting law enforcement agency", "law enforcement agency"),
    "requester_name": ("requester", "requestor", "requested by", "requester name", "requester's name",
                       "name of requester", "name of person requesting", "name of the person requesting",
                       "requesting officer", "requesting investigator", "submitted by"),
    "purpose": ("purpose", "intended purpose", "purpose of request", "purpose of the request",
                "intended purpose of obtaining the information", "intended use"),
    "factual_basis": ("factual basis", "basis", "basis for request", "basis for the request", "basis for access",
                      "factual basis for access", "facts", "record of the factual basis"),
    "case_number": ("case number", "case no", "case #", "case", "case id", "icr", "icr number",
                    "complaint number", "incident number", "case/incident number", "case or incident number",
                    "report number", "cn"),
    "authorization_statement": ("authorization", "authorisation", "authorized by", "authorised by",
                                "authorization statement", "statement of authorization", "approved by"),
}
_LABEL_MATCH = 0.85  # similarity (0–1) at which a line's label is taken for one of ours

_LABEL_LINE = re.compile(r"^\s*([A-Za-z][A-Za-z'’/# .-]{0,48}?)\s*[:;]\s*(.*)$")
_CASE_TOKEN = re.compile(r"(?<![\w-])([A-Z]{0,6}[-#]?\d[A-Z0-9]*(?:[-/.][A-Z0-9]+)*)(?![\w-])", re.IGNORECASE)
_CASE_IN_PROSE = re.compile(r"\b(?:case|complaint|incident|report|icr)\s*(?:number|no\.?|num\.?|#)?\s*[:#]?\s*"
                            r"(?=[A-Z0-9#-]{3,})([A-Z]{0,6}[-#]?\d[A-Z0-9]*(?:[-/][A-Z0-9]+)*)", re.IGNORECASE)
# An agency's name: capitalised words before a kind of law-enforcement or prosecutorial body
# ("Rogers Police Department", "Hennepin County Sheriff's Office"), never the bare kind
# ("Chief of Police" names a rank).
_AGENCY = re.compile(r"((?:[A-Z][\w.'’&-]*\s+){1,5}(?i:police department|police dept\.?|police|"
                     r"sheriff['’]?s office|sheriff['’]?s department|county attorney['’]?s office|"
                     r"county attorney|attorney['’]?s office|state patrol|department of public safety|"
                     r"public safety department|task force|marshal['’]?s office|prosecutor['’]?s office)|"
                     r"(?i:bureau of criminal apprehension))\b")
_VALEDICTION = re.compile(r"^(sincerely|respectfully|respectfully submitted|regards|best regards|kind regards|"
                          r"yours truly|very truly yours|yours sincerely|thank you)\b[,.]?\s*$", re.IGNORECASE)
_NAME = re.compile(r"^(?:/s/\s*)?([A-Z][A-Za-z.'’-]+(?:\s+[A-Z][A-Za-z.'’-]*){1,4})\s*$")
_DATE = re.compile(r"\b(january|february|march|april|may|june|july|august|september|october|november|december)"
                   r"\s+\d{1,2},?\s+\d{4}\b|\b\d{1,2}/\d{1,2}/\d{2,4}\b", re.IGNORECASE)
_ADDRESS_START = re.compile(r"^(to\b|dear\b|re\b|subject\b|attn\b|attention\b)", re.IGNORECASE)
# A sentence that says what the data is for; failing one, a sentence with a goal in it.
_PURPOSE = (re.compile(r"\bpurpose\b|\bintend|\bwill be used\b|\bin order to\b", re.IGNORECASE),
            re.compile(r"\bto (?:identify|locate|find|determine|establish|confirm)\b", re.IGNORECASE))
# Past tense only: "authorized by Chief Lenz" states an authorisation; "we ask that the Chief
# authorize the release" asks the addressee for one.
_HEAD = r"(chief|sheriff|head|designee|director|commander|captain|attorney|superintendent|commissioner)"
_AUTHORIZATION = re.compile(rf"\b(authori[sz]ed|authori[sz]ation|approved)\b.*\b{_HEAD}\b|"
                            rf"\b{_HEAD}\b.*\b(authori[sz]ed|approved)\b", re.IGNORECASE)
_FACTS = re.compile(r"\b(investigat\w*|reported|occurred|burglar\w*|robber\w*|theft|stolen|assault\w*|"
                    r"homicide|shooting|suspect\w*|victim\w*|fled|pursuit|kidnap\w*|missing)\b", re.IGNORECASE)
_SENTENCE_END = re.compile(r"(?<=[.!?])\s+(?=[A-Z])")


@dataclass(frozen=True)
class LetterField:
    """One element as read: its value, whether it was found, and the text
    it was read from (the line or sentence) and on which page (from 1)."""

    name: str
    value: str | None
    found: bool
    evidence: str | None
    page: int | None


@dataclass(frozen=True)
class _Line:
    page: int
    text: str


def extract_fields(page_texts: list[str]) -> dict[str, LetterField]:
    """The six fields (the five elements, the case number apart) found in the
    pages' text, each either found with its evidence or marked not found."""
    lines = [_Line(number, _clean(text)) for number, page in enumerate(page_texts, 1) for text in page.splitlines()]
    found = _labelled(lines)
    for name, finder in _PROSE_FINDERS.items():
        if name not in found:
            result = finder(lines, found)
            if result is not None:
                found[name] = result
    return {name: found.get(name, LetterField(name, None, False, None, None)) for name in FIELD_NAMES}


def _clean(text: str) -> str:
    text = text.replace("’", "'").replace("‘", "'").replace("“", '"').replace("”", '"').replace("—", "-")
    return re.sub(r"\s+", " ", text).strip()


def _normal_label(label: str) -> str:
    return re.sub(r"\s+", " ", re.sub(r"[^a-z# /']", " ", label.lower())).strip()


def label_of(line: str) -> tuple[str | None, str]:
    """Which field a labelled line names (None for a label of no field, or no
    label), and the text after the label."""
    match = _LABEL_LINE.match(line)
    if match is None:
        return None, line
    label = _normal_label(match.group(1))
    best, best_score = None, 0.0
    for name, labels in LABELS.items():
        for candidate in labels:
            if len(candidate) < 6:  # "case" is one letter from "cause": short labels are matched exactly
                score = float(label == candidate)
            else:
                score = SequenceMatcher(None, label, candidate).ratio()
            if score > best_score:
                best, best_score = name, score
    return (best if best_score >= _LABEL_MATCH else None), match.group(2).strip()


def _is_any_label(line: str) -> bool:
    """A line that starts a labelled entry of some kind (ours or another, such
    as "Date:"), which ends the lines continuing the entry before it."""
    match = re.match(r"^([A-Z][A-Za-z'/# .-]{0,40}):", line)
    return match is not None and len(match.group(1).split()) <= 5


def _paragraphs(lines: list[_Line]) -> list[list[_Line]]:
    """Runs of lines that belong together. OCR sometimes puts a blank line
    inside a paragraph; a line that starts in lower case continues the one
    before it all the same."""
    paragraphs: list[list[_Line]] = []
    gap = True
    for line in lines:
        if not line.text:
            gap = True
            continue
        joins = paragraphs and paragraphs[-1][-1].page == line.page and (
            not gap or line.text[0].islower())
        if joins:
            paragraphs[-1].append(line)
        else:
            paragraphs.append([line])
        gap = False
    return paragraphs


def _labelled(lines: list[_Line]) -> dict[str, LetterField]:
    found: dict[str, LetterField] = {}
    for paragraph in _paragraphs(lines):
        for index, line in enumerate(paragraph):
            name, value = label_of(line.text)
            if name is None or name in found:
                continue
            evidence = [line.text]
            for following in paragraph[index + 1:]:
                if _is_any_label(following.text):
                    break
                evidence.append(following.text)
                value = f"{value} {following.text}".strip()
            if name == "case_number":
                token = _CASE_TOKEN.search(value)
                value = token.group(1) if token else ""
            if value:
                found[name] = LetterField(name, value, True, "\n".join(evidence), line.page)
    return found


def _top_lines(lines: list[_Line]) -> list[_Line]:
    """The letterhead: the first page's lines before the date, the address
    block or the salutation (so the addressee's agency is not taken for the
    sender's)."""
    top = []
    for line in lines:
        if line.page != 1 or _DATE.search(line.text) or _ADDRESS_START.match(line.text):
            break
        top.append(line)
    return top


def _signature_block(lines: list[_Line]) -> list[_Line]:
    """The first lines after the last valediction ("Sincerely,"): a name,
    a rank or title, an agency."""
    for index in range(len(lines) - 1, -1, -1):
        if _VALEDICTION.match(lines[index].text):
            return [line for line in lines[index + 1:] if line.text][:5]
    return []


def _agency_name(lines: list[_Line], found: dict) -> LetterField | None:
    """The sender's agency: in the signature block, else in the letterhead."""
    for line in _signature_block(lines) + _top_lines(lines):
        match = _AGENCY.search(line.text)
        if match and not _LABEL_LINE.match(line.text):
            return LetterField("agency_name", match.group(1).strip(), True, line.text, line.page)
    return None


def _requester_name(lines: list[_Line], found: dict) -> LetterField | None:
    """The person who signs, else one who introduces themself."""
    for line in _signature_block(lines):
        match = _NAME.match(line.text)
        if match and not _AGENCY.search(line.text):
            return LetterField("requester_name", match.group(1), True, line.text, line.page)
    for page, sentences in _paragraph_sentences(lines):
        for sentence in sentences:
            match = re.search(r"\bmy name is ((?:[A-Z][A-Za-z.'-]+\s?){2,5})", sentence)
            if match:
                return LetterField("requester_name", match.group(1).strip(" ,."), True, sentence, page)
    return None


def _paragraph_sentences(lines: list[_Line]) -> list[tuple[int, list[str]]]:
    """Each paragraph's page and sentences: its lines joined, then split at
    sentence ends."""
    return [(paragraph[0].page, [sentence.strip() for sentence in
                                 _SENTENCE_END.split(" ".join(line.text for line in paragraph))])
            for paragraph in _paragraphs(lines)]


def _sentence_finder(name: str, *patterns: re.Pattern, unless: tuple[str, ...] = (), running: bool = False):
    """A finder of the first sentence that matches the first pattern (else
    the next) and is not already another field's; with `running`, the
    sentences after it in its paragraph come along (a factual basis is told
    over several), up to one that is another field's."""
    def find(lines: list[_Line], found: dict) -> LetterField | None:
        taken = {found[other].value for other in unless if other in found}
        paragraphs = _paragraph_sentences(lines)
        for pattern in patterns:
            for page, sentences in paragraphs:
                for index, sentence in enumerate(sentences):
                    if not pattern.search(sentence) or sentence in taken or _LABEL_LINE.match(sentence):
                        continue
                    chosen = [sentence]
                    for following in sentences[index + 1:] if running else ():
                        if following in taken:
                            break
                        chosen.append(following)
                    value = " ".join(chosen)
                    return LetterField(name, value, True, value, page)
        return None
    return find


def _case_number(lines: list[_Line], found: dict) -> LetterField | None:
    """A number named as a case's, a complaint's, an incident's or a report's,
    wherever it stands (a wrapped line is joined first)."""
    for page, sentences in _paragraph_sentences(lines):
        for sentence in sentences:
            match = _CASE_IN_PROSE.search(sentence)
            if match:
                return LetterField("case_number", match.group(1), True, sentence, page)
    return None


_PROSE_FINDERS = {
    "agency_name": _agency_name,
    "requester_name": _requester_name,
    "authorization_statement": _sentence_finder("authorization_statement", _AUTHORIZATION),
    "purpose": _sentence_finder("purpose", *_PURPOSE, unless=("authorization_statement",)),
    "factual_basis": _sentence_finder("factual_basis", _FACTS, unless=("authorization_statement", "purpose"),
                                      running=True),
    "case_number": _case_number,
}
