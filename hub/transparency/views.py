"""The public pages: no sign-in, no JavaScript needed, readable on a phone,
every table also as CSV. Bad input (a month or year that is not one, or in
the future, a camera the portal does not list, a page past the last) is a
404 or 400 saying so."""
from __future__ import annotations

from datetime import date
from pathlib import Path

from flask import Blueprint, Response, abort, render_template, request

from hub import csv_export, policy
from hub.clock import utcnow
from hub.ledger import verifier
from hub.settings.services import current_settings
from hub.suspension.services import current_order
from hub.transparency import charts, metrics, portal
from hub.transparency.log_of_use import COLUMNS, month_cameras, month_log, required_columns

pages = Blueprint("transparency", __name__, url_prefix="/transparency", template_folder="templates")
SEARCHES_PAGE = 100
READERS_PAGE = 10  # readers per page of the log of use
READERS_TABLE_PAGE = 100  # readers per page of the portal's list
FIRST_YEAR = 2000


@pages.context_processor
def _suspension():
    return {"suspension": current_order()}


def _csv(name: str, header: list[str], rows) -> Response:
    return Response(csv_export.to_csv(header, rows), mimetype="text/csv",
                    headers={"Content-Disposition": f'attachment; filename="{name}.csv"'})


def _month() -> date:
    raw = request.args.get("month") or utcnow().strftime("%Y-%m")
    try:
        month = date.fromisoformat(f"{raw}-01")
    except ValueError:
        abort(404, "Give the month as YYYY-MM.")
    if not date(FIRST_YEAR, 1, 1) <= month <= utcnow().date():
        abort(404, "There is no log for a month in the future or before 2000.")
    return month


def _year() -> int:
    raw = request.args.get("year") or str(utcnow().year)
    if not raw.isdigit() or not FIRST_YEAR <= int(raw) <= utcnow().year:
        abort(404, f"Give a year from {FIRST_YEAR} to this year.")
    return int(raw)


def _camera() -> int | None:
    raw = request.args.get("camera")
    if raw is None or raw == "":
        return None
    if not raw.isdigit() or len(raw) > 9 or not portal.camera_exists(int(raw)):
        abort(404, "The portal lists no reader with that number.")
    return int(raw)


def _page() -> int:
    raw = request.args.get("page", "1")
    if not raw.isdigit() or int(raw) < 1:
        abort(400, "A page is a whole number from 1.")
    return int(raw)


def _pages(total: int, per_page: int) -> tuple[int, int]:
    """The page asked for and how many there are; past the last is a 404."""
    page, count = _page(), max(1, -(-total // per_page))
    if page > count:
        abort(404, f"There are {count} page(s).")
    return page, count


def _format(*known: str) -> str | None:
    """The download asked for (`format`), if any; one the page has not is a 404."""
    wanted = request.args.get("format") or None
    if wanted is not None and wanted not in known:
        abort(404, f"This page is downloaded as {' or '.join(known)}.")
    return wanted


@pages.route("")
def index():
    engine = policy.engine()
    cameras = portal.public_cameras()
    shown = current_settings()
    if _format("csv"):
        return _csv("readers", ["reader", "owner", "kind", "location", "latitude", "longitude", "locations_with_dates"],
                    ([c["id"], c["owner"], c["kind"], c["location"], c["latitude"], c["longitude"],
                      "; ".join(f"{d} ({since} – {until or 'now'})" for d, since, until in c["history"])]
                     for c in cameras))
    page, pages_count = _pages(len(cameras), READERS_TABLE_PAGE)
    return render_template("transparency/index.html", agency=engine.agency, state=engine.state,
                           cameras=cameras[(page - 1) * READERS_TABLE_PAGE:page * READERS_TABLE_PAGE],
                           total=len(cameras), page=page, pages=pages_count,
                           reader_map=charts.location_map(portal.map_points(cameras)),
                           checkpoint=portal.published_checkpoint(),
                           notice=shown.get("transparency_notice"), contact=shown.get("contact_email"))


@pages.route("/rules")
def rules():
    return render_template("transparency/rules.html", packs=policy.engine().packs,
                           rules=policy.engine().all_rules())


@pages.route("/log-of-use")
def log_of_use():
    month, camera_id = _month(), _camera()
    columns = required_columns(policy.engine())
    listed = [c for c in columns if c != "fixed_locations_with_dates"]
    download = _format("csv", "periods")
    if download:
        logs = month_log(month, None if camera_id is None else [camera_id])
        if download == "csv":
            return _csv(f"log-of-use-{month:%Y-%m}", ["camera", "owner", "reads_are", "location", "day", *listed],
                        ([log.camera_id, log.owner, log.reader, log.location, day.day.isoformat(),
                          *day.values(listed)]
                         for log in logs for day in log.days))
        return _csv(f"collection-periods-{month:%Y-%m}", ["camera", "owner", "from", "to", "reads"],
                    ([p.camera_id, log.owner, p.start.isoformat(), p.end.isoformat(), "" if p.reads is None else p.reads]
                     for log in logs for p in log.periods))
    readers = month_cameras(month)
    chosen = [camera_id] if camera_id is not None else readers
    page, pages_count = _pages(len(chosen), READERS_PAGE)
    logs = month_log(month, chosen[(page - 1) * READERS_PAGE:page * READERS_PAGE])
    shown = {c["id"]: c for c in portal.public_cameras([log.camera_id for log in logs])}
    return render_template("transparency/log_of_use.html", month=month, logs=logs, columns=columns, listed=listed,
                           labels=COLUMNS, cameras=shown, camera_id=camera_id, page=page, pages=pages_count)


@pages.route("/usage")
def usage():
    year = _year()
    first, after = date(year, 1, 1), date(year + 1, 1, 1)
    months = metrics.months_between(first, min(after, metrics.next_month(utcnow().date())))
    table = metrics.figures_for(first, after)
    chosen = request.args.get("table")
    if _format("csv"):
        if chosen not in metrics.FIGURES:
            abort(404, f"Choose one of the tables: {', '.join(metrics.FIGURES)}.")
        rows = table[chosen]
        return _csv(f"{chosen.replace('_', '-')}-{year}", ["category", *[m.strftime("%Y-%m") for m in months], "total"],
                    ([_category(chosen, c), *[rows[c].get(m, 0) for m in months], sum(rows[c].values())]
                     for c in sorted(rows)))
    graphs = {name: charts.bar_chart(f"chart-{name}", title, [m.strftime("%b") for m in months], [
        charts.Series(_category(name, c), [table[name][c].get(m, 0) for m in months]) for c in sorted(table[name])])
        for name, title in metrics.FIGURES.items()}
    return render_template("transparency/usage.html", year=year, months=months, table=table, graphs=graphs,
                           figures=metrics.FIGURES, category=_category)


def _category(figure: str, category: str) -> str:
    """A category in words: a search reason by its label in the agency's list."""
    if figure == "searches":
        return policy.engine().purposes.get(category, category.replace("_", " "))
    return category


@pages.route("/searches")
def searches():
    year = _year()
    first, after = date(year, 1, 1), date(year + 1, 1, 1)
    names = metrics.publishes_officer_names()
    if _format("csv"):
        header = ["date", "reason", "case_number_given", "cameras_searched", *(["officer"] if names else [])]
        return _csv(f"searches-{year}", header,
                    ([s.day.isoformat(), _category("searches", s.reason), "yes" if s.case_number_present else "no",
                      s.cameras_searched, *([s.officer] if names else [])]
                     for s in metrics.public_searches(first, after)))
    total = metrics.count_public_searches(first, after)
    page, pages_count = _pages(total, SEARCHES_PAGE)
    rows = metrics.public_searches(first, after, offset=(page - 1) * SEARCHES_PAGE, limit=SEARCHES_PAGE)
    return render_template("transparency/searches.html", year=year, rows=rows, page=page, pages=pages_count,
                           total=total, names=names, category=_category)


@pages.route("/verifier.py")
def verifier_source():
    """The offline verifier, to check the checkpoints without trusting the hub."""
    return Response(Path(verifier.__file__).read_text(encoding="utf-8"), mimetype="text/x-python",
                    headers={"Content-Disposition": 'attachment; filename="verifier.py"'})
