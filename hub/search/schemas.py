"""The search API's arguments and answers."""
from marshmallow import EXCLUDE, Schema, fields

_TEXT = {
    "plate": "Full plate, or partial with ? (one character) and * (any run); at least 3 known characters",
    "state": "The plate's state (two letters), optional",
    "from": "Start of the window (ISO 8601, UTC when no offset is given); default: a day before `to`",
    "to": "End of the window; default: now",
    "area": "south,west,north,east in degrees: only reads taken inside",
    "reason": "The id of one of the agency's reasons (GET /api/v1/search/reasons)",
    "case_number": "The case or incident number, in the agency's format",
    "basis": "The factual basis: why the data are pertinent to the investigation",
    "look_alikes": "1 to include readings that differ only by O/0, I/1, B/8, S/5, Z/2",
    "warrant": "The warrant's reference, when a warrant covers the search",
    "exigent": "1 when exigent circumstances are recorded in the basis",
    "page": "Page of results (50 a page), from 1",
}


class _Lenient(Schema):
    """Every argument arrives as text: the service checks each and names the
    ones that are wrong, and ledgers the refused attempt."""

    class Meta:
        unknown = EXCLUDE


SearchArgsSchema = _Lenient.from_dict({
    **{name: fields.Str(metadata={"description": text}) for name, text in _TEXT.items()},
    "cameras": fields.List(fields.Str(), metadata={
        "description": "Camera ids (repeat or comma-separate); default: every camera you may search"}),
}, name="SearchArgs")


class SearchReasonSchema(Schema):
    id = fields.Str()
    label = fields.Str()


class SearchedCameraSchema(Schema):
    id = fields.Int()
    name = fields.Str()
    owner = fields.Str()
    granted = fields.Bool(metadata={"description": "Searched under a grant to this case"})


def _items(result) -> list[dict]:
    return [{"id": r.id, "plate": r.plate, "plate_state": r.plate_state, "camera_id": r.camera_id,
             "captured_at": r.captured_at.isoformat(), "latitude": r.latitude, "longitude": r.longitude,
             "confidence": r.confidence, "look_alike": result.is_look_alike(r),
             "has_image": bool(r.plate_image or r.vehicle_image)} for r in result.reads]


class SearchResultSchema(Schema):
    search_entry_id = fields.Int(attribute="entry_id", metadata={"description": "The search's ledger entry"})
    items = fields.Function(_items)
    total = fields.Int()
    page = fields.Function(lambda r: r.query.page)
    pages = fields.Int()
    page_size = fields.Int()
    cameras_searched = fields.List(fields.Nested(SearchedCameraSchema))
    cameras_hit = fields.List(fields.Int())
