"""A camera's health: the heartbeats it sends (which hours it was working,
and any problem it reports itself) and the problems people report with it.
The log of use and the biennial audit need both: when a reader was actively
collecting (its reads, and the hours it was heard from) and when it was not
working as it should. A heartbeat that only says "working" changes nothing
but the hours it was heard in; a problem reported or resolved is ledgered."""
from __future__ import annotations

from datetime import date
from typing import Any

from sqlalchemy import select
from sqlalchemy.dialects import postgresql, sqlite

from hub.cameras import permissions
from hub.cameras.errors import CameraInvalid, CameraNotFound
from hub.cameras.models import Camera, CameraProblem, HeardHours, ProblemSource
from hub.clock import utcnow
from hub.extensions import db
from hub.identity.actors import CameraActor
from hub.ledger.services import actor_ref, record

STATUSES = ("ok", "problem")
DESCRIPTION_LIMIT = 500


def _mark_heard(camera: Camera) -> None:
    now = utcnow()
    camera.last_heard_at = now
    dialect = postgresql if db.engine.dialect.name == "postgresql" else sqlite
    table = HeardHours.__table__
    statement = dialect.insert(table).values(camera_id=camera.id, day=now.date(), hours=1 << now.hour)
    db.session.execute(statement.on_conflict_do_update(
        index_elements=["camera_id", "day"], set_={"hours": table.c.hours.op("|")(statement.excluded.hours)}))


def open_problems(camera: Camera, source: ProblemSource | None = None) -> list[CameraProblem]:
    query = select(CameraProblem).where(CameraProblem.camera_id == camera.id, CameraProblem.resolved_at.is_(None))
    if source is not None:
        query = query.where(CameraProblem.source == source)
    return list(db.session.scalars(query.order_by(CameraProblem.id)))


def _description(value: Any, name: str) -> str:
    if not isinstance(value, str) or not value.strip():
        raise CameraInvalid(errors={name: ["Say what is wrong, in a few words."]})
    if len(value) > DESCRIPTION_LIMIT:
        raise CameraInvalid(errors={name: [f"At most {DESCRIPTION_LIMIT} characters."]})
    return value.strip()


def _open(actor: Any, camera: Camera, source: ProblemSource, description: str) -> CameraProblem:
    problem = CameraProblem(camera_id=camera.id, source=source, description=description, reported_at=utcnow(),
                            reported_by=actor_ref(actor)[1])
    db.session.add(problem)
    db.session.flush()
    record("camera.problem_reported", actor=actor, subject=problem, cameras=[camera.id],
           details={"source": source.value, "description": description})
    return problem


def _resolve(actor: Any, problem: CameraProblem, resolution: str) -> CameraProblem:
    problem.resolved_at, problem.resolved_by, problem.resolution = utcnow(), actor_ref(actor)[1], resolution
    db.session.flush()
    record("camera.problem_resolved", actor=actor, subject=problem, cameras=[problem.camera_id],
           details={"source": problem.source.value, "resolution": resolution})
    return problem


def heartbeat(camera: Camera, body: Any) -> list[CameraProblem]:
    """`{"status": "ok"}` or `{"status": "problem", "problem": "…"}` from the
    camera itself; any other field is refused. "ok" resolves the problems
    the camera reported; a new problem opens once, however often it is sent.
    Returns the camera's open problems."""
    if not isinstance(body, dict):
        raise CameraInvalid(errors={"body": ['Send JSON: {"status": "ok"} or {"status": "problem", "problem": "…"}.']})
    unknown = sorted(set(body) - {"status", "problem"})
    if unknown:
        raise CameraInvalid(errors={name: ["Unknown field: a heartbeat holds only 'status' and 'problem'."]
                                    for name in unknown})
    status = body.get("status")
    if status not in STATUSES:
        raise CameraInvalid(errors={"status": ["Say 'ok' or 'problem'."]})
    if status == "ok" and body.get("problem") is not None:
        raise CameraInvalid(errors={"problem": ["A camera that is 'ok' reports no problem."]})
    description = _description(body.get("problem"), "problem") if status == "problem" else None
    actor = CameraActor(camera.id)
    _mark_heard(camera)
    own = open_problems(camera, ProblemSource.CAMERA)
    if description is None:
        for problem in own:
            _resolve(actor, problem, "The camera reported that it works again.")
    elif description not in {p.description for p in own}:
        _open(actor, camera, ProblemSource.CAMERA, description)
    return open_problems(camera)


def report_problem(actor: Any, camera: Camera, description: Any) -> CameraProblem:
    """Its owner (or, for the city's readers, an administrator) reports a problem."""
    if not permissions.may_manage(actor, camera.organisation):
        raise permissions.refuse(actor, camera, "camera.problem_report")
    return _open(actor, camera, ProblemSource.PERSON, _description(description, "description"))


def resolve_problem(actor: Any, camera: Camera, problem_id: int, resolution: Any) -> CameraProblem:
    if not permissions.may_manage(actor, camera.organisation):
        raise permissions.refuse(actor, camera, "camera.problem_resolve")
    problem = db.session.get(CameraProblem, problem_id)
    if problem is None or problem.camera_id != camera.id:
        raise CameraNotFound("No such problem with this camera.")
    if problem.resolved_at is not None:
        raise CameraInvalid(errors={"problem": ["The problem is resolved already."]})
    return _resolve(actor, problem, _description(resolution, "resolution"))


def heard_hours(day: date) -> dict[int, int]:
    """Each camera's hours heard that day, as bit masks."""
    return dict(db.session.execute(select(HeardHours.camera_id, HeardHours.hours).where(HeardHours.day == day)).all())


def problems_between(start, end, camera_ids=None) -> list[CameraProblem]:
    """Problems open at any time between `start` and `end`."""
    query = select(CameraProblem).where(CameraProblem.reported_at < end,
                                        (CameraProblem.resolved_at.is_(None)) | (CameraProblem.resolved_at >= start))
    if camera_ids is not None:
        query = query.where(CameraProblem.camera_id.in_(list(camera_ids)))
    return list(db.session.scalars(query.order_by(CameraProblem.camera_id, CameraProblem.reported_at)))
