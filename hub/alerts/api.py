"""Alerts for signed-in officers: a list, one alert, the verification, and
a Server-Sent Events stream that reads the database whenever an alert is
announced (`hub.alerts.signal`), so it works with any number of hub
instances on one PostgreSQL."""
import json
import time

from flask import Response, current_app, request
from flask.views import MethodView
from flask_login import current_user
from flask_smorest import Blueprint
from marshmallow import Schema, fields, validate

from hub.api import Boolean
from hub.alerts import services
from hub.alerts.models import AlertStatus
from hub.alerts.signal import AlertWaiter
from hub.extensions import db
from hub.identity.auth import scope_required
from hub.identity.models import User
from hub.input_guard import MAX_INT32

api_blp = Blueprint("alerts_api", __name__, url_prefix="/api/v1/alerts", description="Hotlist alerts")
KEEPALIVE_SECONDS = 15
STREAM_SECONDS = 300


class AlertSchema(Schema):
    id = fields.Int()
    plate = fields.Str()
    status = fields.Enum(AlertStatus, by_value=True)
    created_at = fields.DateTime()
    captured_at = fields.DateTime()
    camera = fields.Function(lambda a: {"id": a.camera_id, "name": a.camera.name,
                                        "location": a.camera.location_description})
    listed_because = fields.Function(lambda a: {
        "reason_category": a.entry.reason_category, "case_number": a.entry.case_number,
        "priority": a.entry.priority, "non_encounter": a.entry.non_encounter,
        "instructions": a.entry.instructions, "source": a.entry.source.value})
    actionable = fields.Function(services.actionable)
    checks = fields.Function(services.checklist, metadata={"description": "The officer's answers, once decided"})
    stale_list = fields.Bool(metadata={"description": "Matched while the state hot file was older than the rules allow"})
    kind = fields.Function(lambda a: a.kind.value, metadata={
        "description": "exact, or possible: the read differs from the listed plate by look-alike characters"})
    differing_characters = fields.Function(services.differing_characters, metadata={
        "description": "For a possible hit, each differing character; compare the image before verifying"})
    decision_reason = fields.Str(allow_none=True)


class AfterArgs(Schema):
    after = fields.Int(load_default=0, validate=validate.Range(min=0, max=MAX_INT32))


class HitChecksSchema(Schema):
    """What the officer confirmed before acting (department policies)."""

    plate_matches_image = Boolean(required=True, metadata={"description": "The plate was read correctly: image compared"})
    entry_current_in_source = Boolean(required=True, metadata={"description": "The entry is still current in the state system"})
    vehicle_description_matches = Boolean(required=True)
    driver_fits_description = Boolean(metadata={"description": "Required when the entry concerns the registered owner"})


class AlertDecisionSchema(Schema):
    verified = Boolean(required=True, metadata={"description": "true: the hit is confirmed against the source"})
    checks = fields.Nested(HitChecksSchema, required=True)
    reason = fields.Str(required=True, validate=validate.Length(min=1, max=1000))


@api_blp.route("")
class Alerts(MethodView):
    @api_blp.arguments(AfterArgs, location="query")
    @api_blp.response(200, AlertSchema(many=True))
    @scope_required("alerts:read")
    def get(self, args):
        return services.recent_alerts(current_user, after_id=args["after"])


@api_blp.route("/<bigint:alert_id>")
class AlertItem(MethodView):
    @api_blp.response(200, AlertSchema)
    @scope_required("alerts:read")
    def get(self, alert_id):
        return services.get_alert(current_user, alert_id)


@api_blp.route("/<bigint:alert_id>/decision")
class AlertDecision(MethodView):
    @api_blp.arguments(AlertDecisionSchema)
    @api_blp.response(200, AlertSchema)
    @scope_required("alerts:read")
    def post(self, data, alert_id):
        """Verified or rejected against the source, with what the source showed."""
        alert = services.get_alert(current_user, alert_id)
        return services.decide_alert(current_user, alert, verified=data["verified"], checks=data["checks"],
                                     reason=data["reason"])


class StreamArgs(Schema):
    after = fields.Int(load_default=0, validate=validate.Range(min=0, max=MAX_INT32),
                       metadata={"description": "Resume after this alert id (or send Last-Event-ID)"})
    seconds = fields.Float(load_default=STREAM_SECONDS, validate=validate.Range(min=0, max=STREAM_SECONDS))


@api_blp.route("/stream")
class AlertStream(MethodView):
    @api_blp.arguments(StreamArgs, location="query")
    @api_blp.doc(responses={"200": {"description": "An event stream: `retry`, then an `alert` event (id: the alert's "
                                                   "id; data: an Alert as JSON) per new alert, and keep-alive comments",
                                    "content": {"text/event-stream": {"schema": {"type": "string"}}}}},
                 parameters=[{"in": "header", "name": "Last-Event-ID", "required": False,
                              "description": "The last alert id received; a value that is not one is ignored",
                              "schema": {"type": "string"}}])
    @scope_required("alerts:read")
    def get(self, args):
        """Server-Sent Events: one `alert` event per new alert; reconnect with
        `Last-Event-ID` (or `?after=`) to resume. Each look at the database is
        its own app context and transaction, so the stream holds no session
        between events."""
        services.recent_alerts(current_user, after_id=2**62)  # the scope check, refusing on record now
        last = request.headers.get("Last-Event-ID", "")
        after = int(last) if last.isdigit() and int(last) <= MAX_INT32 else args["after"]
        user_id, app = current_user.id, current_app._get_current_object()
        schema = AlertSchema()

        def look(after_id: int) -> list[tuple[int, dict]]:
            with app.app_context():
                alerts = services.recent_alerts(db.session.get(User, user_id), after_id=after_id)
                found = [(alert.id, schema.dump(alert)) for alert in alerts]
                db.session.commit()
                return found

        def events():
            nonlocal after
            yield "retry: 2000\n\n"
            deadline = time.monotonic() + args["seconds"]
            with app.app_context():
                waiter = AlertWaiter()
            while time.monotonic() < deadline:
                mark = waiter.mark()
                found = look(after)
                for alert_id, data in found:
                    after = alert_id
                    yield f"id: {alert_id}\nevent: alert\ndata: {json.dumps(data)}\n\n"
                if not found:
                    waiter.wait(mark, max(0.0, min(KEEPALIVE_SECONDS, deadline - time.monotonic())))
                    yield ": keep-alive\n\n"

        return Response(events(), mimetype="text/event-stream",
                        headers={"Cache-Control": "no-store", "X-Accel-Buffering": "no"})
