"""The public pages: no sign-in, no JavaScript needed, readable on a phone,
every table also as CSV."""
from __future__ import annotations

import io
from datetime import date

from flask import Blueprint, Response, abort, render_template, request
from sqlalchemy import select

from hub import csv_export, policy
from hub.cameras.models import Camera, CameraStatus
from hub.clock import utcnow
from hub.extensions import db
from hub.transparency.log_of_use import COLUMNS, month_log, public_owner, required_columns

pages = Blueprint("transparency", __name__, url_prefix="/transparency", template_folder="templates")


def _month() -> date:
    raw = request.args.get("month") or utcnow().strftime("%Y-%m")
    try:
        month = date.fromisoformat(f"{raw}-01")
    except ValueError:
        abort(404)
    if not date(2000, 1, 1) <= month <= utcnow().date():
        abort(404)
    return month


def _cameras() -> list[dict]:
    cameras = db.session.scalars(select(Camera).where(Camera.status != CameraStatus.RETIRED).order_by(Camera.id))
    return [{"id": c.id, "owner": public_owner(c), "kind": c.reader_kind, "location": c.location_description,
             "history": [(loc.description, loc.from_date, loc.to_date) for loc in c.locations]} for c in cameras]


@pages.route("")
def index():
    engine = policy.engine()
    return render_template("transparency/index.html", cameras=_cameras(), agency=engine.agency, state=engine.state)


@pages.route("/rules")
def rules():
    return render_template("transparency/rules.html", packs=policy.engine().packs,
                           rules=policy.engine().all_rules())


@pages.route("/log-of-use")
def log_of_use():
    month = _month()
    columns = required_columns(policy.engine())
    logs = month_log(month)
    if request.args.get("format") == "csv":
        out = io.StringIO()
        writer = csv_export.writer(out)
        writer.writerow(["camera", "owner", "reads_are", "location", "day",
                         *[c for c in columns if c != "fixed_locations_with_dates"]])
        for log in logs:
            for day in log.days:
                writer.writerow([log.camera_id, log.owner, log.reader, log.location, day.day.isoformat(), *[
                    day.reads if c == "reads_per_period" else getattr(day, c)
                    for c in columns if c != "fixed_locations_with_dates"]])
        return Response(out.getvalue(), mimetype="text/csv", headers={
            "Content-Disposition": f'attachment; filename="log-of-use-{month:%Y-%m}.csv"'})
    return render_template("transparency/log_of_use.html", month=month, logs=logs, columns=columns, labels=COLUMNS,
                           cameras={c["id"]: c for c in _cameras()})
