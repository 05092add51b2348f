"""`/api/v1/cameras`: the registry and the sharing modes, with the same
rules as the pages (they call the same services)."""
from flask import request
from flask.views import MethodView
from flask_login import current_user
from flask_smorest import Blueprint

from hub.api import authenticated_by
from hub.cameras import access_log, health, services
from hub.cameras.credentials import authenticate_camera
from hub.cameras.errors import CameraInvalid
from hub.cameras.models import CameraStatus
from hub.cameras.schemas import (CameraCreateSchema, CameraIdentitySchema, CameraListArgs, CameraListItemSchema,
                                 CameraPatchSchema, CameraSchema, AccessLogArgs, AccessLogRowSchema,
                                 HeartbeatAnswerSchema, ProblemReportSchema, ProblemResolutionSchema, ProblemSchema)
from hub.ledger.schemas import ProofSchema
from hub.errors import Unauthenticated
from hub.extensions import db
from hub.identity.auth import scope_required
from hub.identity.models import Organisation

api_blp = Blueprint("cameras_api", __name__, url_prefix="/api/v1/cameras", description="The camera registry")


@api_blp.route("")
class Cameras(MethodView):
    @api_blp.arguments(CameraListArgs, location="query")
    @api_blp.response(200, CameraListItemSchema(many=True))
    @scope_required("cameras:read")
    def get(self, args):
        """Cameras you may see: the whole registry for the agency, your own for a partner."""
        status = CameraStatus(args["status"]) if "status" in args else None
        return services.list_cameras(current_user, organisation_id=args.get("organisation_id"), status=status,
                                     limit=args["limit"], offset=args["offset"])

    @api_blp.arguments(CameraCreateSchema)
    @api_blp.response(201, CameraSchema)
    @scope_required("cameras:write")
    def post(self, data):
        """Register a camera for your organisation."""
        organisation = db.session.get(Organisation, data.pop("organisation_id", current_user.organisation_id))
        if organisation is None:
            raise CameraInvalid(errors={"organisation_id": ["No such organisation."]})
        location = services.Location(data.pop("latitude"), data.pop("longitude"), data.pop("location_description"))
        return services.register_camera(current_user, organisation, location=location, **data)


@api_blp.route("/<int:camera_id>")
class CameraItem(MethodView):
    @api_blp.response(200, CameraSchema)
    @scope_required("cameras:read")
    def get(self, camera_id):
        return services.get_camera(current_user, camera_id)

    @api_blp.arguments(CameraPatchSchema)
    @api_blp.response(200, CameraSchema)
    @scope_required("cameras:write")
    def patch(self, changes, camera_id):
        """Change a camera; `sharing_mode` (and `retention_days`) only by its owner."""
        return services.apply_changes(current_user, services.get_camera(current_user, camera_id), changes)


def _credential_camera():
    header = request.headers.get("Authorization", "")
    if not header.lower().startswith("bearer "):
        raise Unauthenticated("Present the camera's ingest credential as a bearer token.")
    return authenticate_camera(header[7:])


@api_blp.route("/me")
class CameraIdentity(MethodView):
    @api_blp.response(200, CameraIdentitySchema)
    @authenticated_by("cameraCredential")
    def get(self):
        """For installers: which camera this ingest credential belongs to."""
        return {"camera": _credential_camera()}


@api_blp.route("/me/heartbeat")
class CameraHeartbeat(MethodView):
    @api_blp.response(200, HeartbeatAnswerSchema)
    @api_blp.doc(security=[{"cameraCredential": []}])
    def post(self):
        """The camera says it is working (`{"status": "ok"}`) or what is wrong
        (`{"status": "problem", "problem": "…"}`), with its ingest credential.
        The hours it is heard in count as active collection in the log of use."""
        camera = _credential_camera()
        problems = health.heartbeat(camera, request.get_json(silent=True))
        return {"camera_id": camera.id, "heard_at": camera.last_heard_at, "open_problems": problems}


@api_blp.route("/<int:camera_id>/problems")
class CameraProblems(MethodView):
    @api_blp.response(200, ProblemSchema(many=True))
    @scope_required("cameras:read")
    def get(self, camera_id):
        """The camera's open problems."""
        return health.open_problems(services.get_camera(current_user, camera_id))

    @api_blp.arguments(ProblemReportSchema)
    @api_blp.response(201, ProblemSchema)
    @scope_required("cameras:write")
    def post(self, data, camera_id):
        """Report a problem with the camera (its owner; for the city's readers, an administrator)."""
        return health.report_problem(current_user, services.get_camera(current_user, camera_id), data["description"])


@api_blp.route("/<int:camera_id>/problems/<int:problem_id>/resolve")
class CameraProblemResolution(MethodView):
    @api_blp.arguments(ProblemResolutionSchema)
    @api_blp.response(200, ProblemSchema)
    @scope_required("cameras:write")
    def post(self, data, camera_id, problem_id):
        """Say how a problem was resolved."""
        camera = services.get_camera(current_user, camera_id)
        return health.resolve_problem(current_user, camera, problem_id, data["resolution"])


@api_blp.route("/<int:camera_id>/access-log")
class CameraAccessLog(MethodView):
    @api_blp.arguments(AccessLogArgs, location="query")
    @api_blp.response(200, AccessLogRowSchema(many=True))
    @scope_required("cameras:read")
    def get(self, args, camera_id):
        """Every access and share that touched the camera, newest first, 100 a page (`before` pages on)."""
        camera = services.get_camera(current_user, camera_id)
        return access_log.access_log(current_user, camera, access_log.Filters(**args))


@api_blp.route("/<int:camera_id>/access-log/<bigint:entry_id>/proof")
class CameraAccessProof(MethodView):
    @api_blp.response(200, ProofSchema)
    @scope_required("cameras:read")
    def get(self, camera_id, entry_id):
        """The ledger inclusion proof of one access to the camera; check it with `verifier.py`."""
        return access_log.entry_proof(current_user, services.get_camera(current_user, camera_id), entry_id)
