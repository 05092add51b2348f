"""The OpenAPI document is one a generated client can work from: valid for
a second library (openapi-spec-validator), an operationId on every
operation, every operation saying how its caller authenticates, every
integer a request may carry bounded, every free-text string saying which
characters the hub refuses, and every error described by the one error
schema the hub really sends. A new route that misses one of these fails
here, named, with what to add."""
import pytest
from openapi_spec_validator import validate

from hub.input_guard import MAX_INT64, TEXT_PATTERN

# Open to anyone, on purpose: the signed checkpoints and the proofs between
# them are how outsiders check the ledger without trusting the hub.
PUBLIC = {"get /api/v1/ledger/checkpoints/latest", "get /api/v1/ledger/checkpoints/{tree_size}",
          "get /api/v1/ledger/consistency"}
METHODS = ("get", "put", "post", "patch", "delete")


@pytest.fixture(scope="module")
def document(app):
    return app.test_client().get("/api/v1/openapi.json").get_json()


def operations(document):
    for path, item in document["paths"].items():
        for method in METHODS:
            if method in item:
                yield f"{method} {path}", item, item[method]


def resolve(document, schema):
    while "$ref" in schema:
        name = schema["$ref"].rsplit("/", 1)[1]
        schema = document["components"]["schemas"][name]
    return schema


def request_schemas(document):
    """(where, schema) for every parameter and request body, nested ones included."""
    for name, item, operation in operations(document):
        for parameter in item.get("parameters", []) + operation.get("parameters", []):
            if parameter["in"] == "header":
                continue  # read by the view alone (Last-Event-ID), never stored
            yield f"{name} {parameter['in']} parameter {parameter['name']}", parameter["schema"]
        for media, content in operation.get("requestBody", {}).get("content", {}).items():
            yield f"{name} {media} body", content["schema"]


def walk(document, where, schema, seen=()):
    schema = resolve(document, schema)
    if id(schema) in seen or schema.get("readOnly"):  # in a response only
        return
    yield where, schema
    for key, child in schema.get("properties", {}).items():
        yield from walk(document, f"{where}.{key}", child, (*seen, id(schema)))
    if isinstance(schema.get("items"), dict):
        yield from walk(document, f"{where}[]", schema["items"], (*seen, id(schema)))
    for branch in schema.get("anyOf", []) + schema.get("oneOf", []) + schema.get("allOf", []):
        yield from walk(document, where, branch, (*seen, id(schema)))


def test_a_second_library_finds_the_document_valid(document):
    validate(document)


def test_every_operation_has_a_unique_operation_id(document):
    ids = [operation.get("operationId") for _, _, operation in operations(document)]
    missing = [name for name, _, operation in operations(document) if not operation.get("operationId")]
    assert not missing, f"operations without an operationId: {missing}"
    assert len(ids) == len(set(ids)), "operationIds repeat"


def test_every_operation_says_how_its_caller_authenticates(document):
    schemes = set(document["components"]["securitySchemes"])
    undeclared = [name for name, _, operation in operations(document)
                  if not operation.get("security") and name not in PUBLIC]
    assert not undeclared, (f"operations that do not say how a caller authenticates: {undeclared}. Guard the view "
                            "with @scope_required(...) or @authenticated_by(...) (hub/api.py), or, if it is "
                            "public on purpose, add it to PUBLIC here with the reason")
    used = {scheme for _, _, operation in operations(document) for requirement in operation.get("security", [])
            for scheme in requirement}
    assert used <= schemes and {"bearerToken", "cameraCredential", "clientBasic", "grantToken"} <= used


def test_every_integer_a_request_carries_is_bounded(document):
    unbounded = [where for top, schema in request_schemas(document) for where, part in walk(document, top, schema)
                 if part.get("type") == "integer" and not (
                     "minimum" in part and "maximum" in part and part["maximum"] <= MAX_INT64)]
    assert not unbounded, (f"integers without bounds: {unbounded}. Use hub.api.Id() for a record's id, "
                           "hub.api.Count() for an amount, or validate.Range(min=..., max=...)")


def test_every_free_text_string_says_what_the_edge_refuses(document):
    loose = [where for top, schema in request_schemas(document) for where, part in walk(document, top, schema)
             if part.get("type") == "string" and not {"pattern", "enum", "format"} & set(part)]
    assert not loose, f"strings without a pattern: {loose}"
    patterns = {part.get("pattern") for top, schema in request_schemas(document)
                for _, part in walk(document, top, schema)}
    assert TEXT_PATTERN in patterns


def test_errors_are_described_by_the_error_schema_the_hub_sends(document, client):
    error = resolve(document, {"$ref": "#/components/schemas/Error"})
    assert error["properties"]["code"]["type"] == "string" and set(error["required"]) == {"code", "message", "errors"}
    sent = client.get("/api/v1/cameras/1").get_json()
    assert isinstance(sent["code"], str) and isinstance(sent["errors"], dict)
    for name, _, operation in operations(document):
        assert operation["responses"].get("default") == {"$ref": "#/components/responses/DEFAULT_ERROR"}, name


def test_bodies_and_media_types_that_are_not_plain_json_are_described(document):
    paths = document["paths"]
    assert "text/event-stream" in paths["/api/v1/alerts/stream"]["get"]["responses"]["200"]["content"]
    assert {"application/json", "multipart/form-data"} <= set(paths["/api/v1/reads"]["post"]["requestBody"]["content"])
    imports = paths["/api/v1/hotlists/imports"]["post"]["requestBody"]["content"]["multipart/form-data"]["schema"]
    assert imports["required"] == ["file"] and imports["properties"]["file"]["format"] == "binary"
