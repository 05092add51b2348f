"""The REST API under /api/v1: flask-smorest with the hub's error format, and
an OpenAPI document complete enough that a generated client works: one true
error schema, the ways a caller authenticates (declared per operation by the
decorators that check them), and an operationId for every operation."""
from __future__ import annotations

import re

from apispec import BasePlugin
from flask import current_app, request
from flask_smorest import Api, Blueprint
from marshmallow import Schema, fields, validate

from hub.input_guard import MAX_INT32, TEXT_PATTERN

# `errors` of every error body: by field (a dotted path for nested fields and
# list items), the field's messages or the facts of the refusal; a nested
# field may hold an object of the same form.
FIELD_ERRORS = {
    "type": "object",
    "description": "By field: its messages (or the facts of a refusal: the rules that refused, the scope "
                   "required), or for a nested field an object of the same form.",
    "additionalProperties": {"anyOf": [
        {"type": "array", "items": {"anyOf": [{"type": "string"}, {"type": "integer"}, {"type": "object"}]}},
        {"$ref": "#/components/schemas/FieldErrors"},
    ]},
}

SECURITY_SCHEMES = {
    "bearerToken": {"type": "http", "scheme": "bearer",
                    "description": "A personal API token (`hub tokens create`), carrying scopes."},
    "sessionCookie": {"type": "apiKey", "in": "cookie", "name": "session",
                      "description": "The browser session; unsafe methods also send the `X-CSRFToken` header."},
    "cameraCredential": {"type": "http", "scheme": "bearer",
                         "description": "A camera's ingest credential (`hub cameras credential CAMERA`)."},
    "clientBasic": {"type": "http", "scheme": "basic",
                    "description": "A registered OAuth client's id and secret (`hub clients create`)."},
    "grantToken": {"type": "oauth2", "description": "The access token of a partner's grant, valid only for the "
                   "grant's cameras and window, until its expiry.",
                   "flows": {"authorizationCode": {"authorizationUrl": "/oauth/authorize", "tokenUrl": "/oauth/token",
                                                   "refreshUrl": "/oauth/token", "scopes": {}}}},
    "clientToken": {"type": "oauth2", "description": "An outside agency's registered client's access token "
                    "(client-credentials grant, scope `requests:submit`).",
                    "flows": {"clientCredentials": {"tokenUrl": "/oauth/token",
                                                    "scopes": {"requests:submit": "submit and follow data requests"}}}},
    "hubSignature": {"type": "apiKey", "in": "header", "name": "X-Hub-Signature-256",
                     "description": "A neighbouring hub's HMAC-SHA256 over the body, with the key this hub gave it."},
}
# The user's ways: a personal API token, or the browser session.
USER = [{"bearerToken": []}, {"sessionCookie": []}]
# How each scheme's credential arrives (a session comes with its cookie).
_AUTHORIZATION = {"bearerToken": "bearer ", "cameraCredential": "bearer ", "grantToken": "bearer ",
                  "clientBasic": "basic ", "clientToken": "bearer "}


def authenticated_by(*schemes: str):
    """Declare in the document how an operation's caller authenticates. For
    the views that check a credential themselves (a camera's, a client's, a
    grant's), a request without one is refused before its body is read
    (`init_app`); the view still checks the credential it gets."""
    unknown = set(schemes) - set(SECURITY_SCHEMES)
    if unknown:
        raise ValueError(f"unknown security schemes: {sorted(unknown)}")

    def decorator(view):
        documented = Blueprint.doc(security=[{scheme: []} for scheme in schemes])(view)
        if "sessionCookie" not in schemes and all(scheme in _AUTHORIZATION for scheme in schemes):
            documented.credential_prefixes = tuple({_AUTHORIZATION[scheme] for scheme in schemes})
        return documented
    return decorator


class ErrorSchema(Schema):
    code = fields.Str(required=True, metadata={"description": "A word clients branch on, such as `not_found`"})
    message = fields.Str(required=True, metadata={"description": "What went wrong, for a person"})
    errors = fields.Dict(required=True, metadata={"allOf": [{"$ref": "#/components/schemas/FieldErrors"}]})


def view_function():
    """The function that will answer this request: for a MethodView, the
    method's (with the attributes its decorators left on it)."""
    view = current_app.view_functions.get(request.endpoint) if request.endpoint else None
    return getattr(getattr(view, "view_class", None), request.method.lower(), view)


def _requires_json_body(view) -> bool:
    parameters = (getattr(view, "_apidoc", None) or {}).get("arguments", {}).get("parameters", [])
    return any(parameter["in"] == "json" and parameter.get("required") for parameter in parameters)


def init_app(app) -> None:
    """After authentication (a caller who may not call the route hears that
    first): a route that takes its own credential refuses a request without
    one, and a route whose document says its JSON body is required refuses a
    request without one, rather than reading it as an empty object."""
    from hub.errors import Unauthenticated, ValidationFailed

    @app.before_request
    def refuse_missing_credentials():
        prefixes = getattr(view_function(), "credential_prefixes", None)
        if prefixes and not request.headers.get("Authorization", "").lower().startswith(prefixes):
            error = Unauthenticated("Present the credential this route takes.")
            if prefixes == ("basic ",):  # a registered OAuth client's, as RFC 6749 section 5.2 words it
                error.code = "invalid_client"
                error.headers = {"WWW-Authenticate": 'Basic realm="oauth", charset="UTF-8"'}
            raise error

    @app.before_request
    def check_caller_first():
        """A view that knows its caller its own way (`caller_check`) asks
        before the body is looked at."""
        check = getattr(view_function(), "caller_check", None)
        if check is not None:
            check()

    @app.before_request
    def refuse_missing_body():
        if _requires_json_body(view_function()) and not request.get_data(cache=True).strip():
            raise ValidationFailed("The request needs a JSON body.", errors={"body": ["Send the JSON body."]})


def _operation_id(endpoint: str, method: str) -> str:
    """`cameras_api.CameraItem` and `patch` → `cameras.patchCameraItem`."""
    blueprint, _, view = endpoint.rpartition(".")
    name = re.sub(r"_(\w)", lambda m: m.group(1).upper(), view)
    return f"{blueprint.removesuffix('_api')}.{method}{name[:1].upper()}{name[1:]}"


class OperationIds(BasePlugin):
    def operation_helper(self, path=None, operations=None, **kwargs):
        rule = kwargs.get("rule")
        for method, operation in (operations or {}).items():
            if rule is not None and isinstance(operation, dict):
                operation.setdefault("operationId", _operation_id(rule.endpoint, method))


def text_pattern(self, field, ret=None, **kwargs) -> dict:
    """Every free-text string a request may carry says what the edge refuses
    (hub.input_guard): no NUL or other control character."""
    ret = ret or {}
    if ret.get("type") == "string" and not field.dump_only and not {"format", "enum", "pattern"} & set(ret):
        return {"pattern": TEXT_PATTERN}
    return {}


class HubApi(Api):
    """flask-smorest's Api, answering errors as `{"code", "message", "errors"}`
    with a word for `code` that clients can branch on."""

    ERROR_SCHEMA = ErrorSchema

    def _init_spec(self, *, extra_plugins=None, **options):
        super()._init_spec(extra_plugins=[OperationIds(), *(extra_plugins or ())], **options)
        self.ma_plugin.converter.add_attribute_function(text_pattern)
        self.spec.components.schema("FieldErrors", FIELD_ERRORS)
        for name, scheme in SECURITY_SCHEMES.items():
            self.spec.components.security_scheme(name, scheme)

    def handle_http_exception(self, error):
        from hub.errors import handle_http_exception

        return handle_http_exception(error)


def Id(**kwargs) -> fields.Integer:
    """A record's id in a request: a 32-bit integer from 1 (PostgreSQL's
    `integer` columns), so a larger one is refused before a query sees it."""
    return fields.Integer(validate=validate.Range(min=1, max=MAX_INT32), **kwargs)


def Count(*, maximum: int = MAX_INT32, minimum: int = 0, **kwargs) -> fields.Integer:
    """A count or an amount in a request, bounded like every integer the API takes."""
    return fields.Integer(validate=validate.Range(min=minimum, max=maximum), **kwargs)


class Boolean(fields.Boolean):
    """A JSON `true` or `false`, and nothing that merely looks like one: a
    body field documented as a boolean refuses 1, "yes" and "true"."""

    def _deserialize(self, value, attr, data, **kwargs):
        if not isinstance(value, bool):
            raise self.make_error("invalid", input=value)
        return value
