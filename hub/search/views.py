"""Search: the API under `/api/v1/search` and the officer's page at `/search`."""
from __future__ import annotations

from flask import Blueprint as PageBlueprint, Response, render_template, request, url_for
from flask.views import MethodView
from flask_login import current_user, login_required
from flask_smorest import Blueprint

from hub.errors import Forbidden, HubError, ledger_refusal
from hub.identity.auth import scope_required
from hub.identity.permissions import can
from hub.identity.roles import Capability
from hub.reads import images
from hub.search import exports, services
from hub.search.errors import SearchInvalid
from hub.search.schemas import SearchReasonSchema, SearchArgsSchema, SearchResultSchema

api_blp = Blueprint("search_api", __name__, url_prefix="/api/v1/search",
                    description="Reasoned search over the reads of every camera you may see")
pages = PageBlueprint("search", __name__, template_folder="templates")

FORMATS = ("csv", "pdf")


def _file(done: services.Export, file_format: str) -> Response:
    if file_format == "pdf":
        made = exports.evidence_pdf(done, officer=f"{current_user.display_name} ({current_user.username})",
                                    agency=current_user.organisation.name)
    else:
        made = exports.search_csv(done)
    return Response(made.content, mimetype=made.mimetype, headers={
        "Content-Disposition": f'attachment; filename="{made.name}"',
        "X-Ledger-Entry": str(done.receipt.entry_id), "X-Search-Ledger-Entry": str(done.search_entry_id)})


@api_blp.route("")
class Search(MethodView):
    @api_blp.arguments(SearchArgsSchema, location="query")
    @api_blp.response(200, SearchResultSchema)
    @scope_required("reads:search")
    def get(self, args):
        """Search reads by full or partial plate over a window. Every search
        names a reason, a case number and a factual basis; it is ledgered,
        and the owners of the cameras searched see it in their access logs."""
        return services.search(current_user, args)


@api_blp.route("/reasons")
class Reasons(MethodView):
    @api_blp.response(200, SearchReasonSchema(many=True))
    @scope_required("reads:search")
    def get(self):
        """The agency's reasons for a search (its policy pack's purposes)."""
        return services.reasons()


@api_blp.route("/case-numbers")
class RecentCaseNumbers(MethodView):
    @api_blp.response(200)
    @scope_required("reads:search")
    def get(self):
        """Your most recent case numbers, to pick from (never plates)."""
        return services.recent_case_numbers(current_user)


@api_blp.route("/<int:search_id>/export")
class SearchExport(MethodView):
    @api_blp.doc(parameters=[{"in": "query", "name": "format", "schema": {"type": "string", "enum": list(FORMATS)}}],
                 responses={"200": {"description": "text/csv or application/pdf"}})
    @scope_required("reads:search")
    def get(self, search_id):
        """Export one of your searches again, in today's scope, as CSV or a PDF
        evidence sheet; the export is ledgered as a dissemination."""
        file_format = request.args.get("format", "csv")
        if file_format not in FORMATS:
            raise SearchInvalid(errors={"format": ["Choose csv or pdf."]})
        return _file(services.export(current_user, search_id), file_format)


def _page_arguments() -> dict:
    arguments = request.args.to_dict()
    arguments["cameras"] = request.args.getlist("cameras")
    return arguments


@pages.route("/search")
@login_required
def search_page():
    if not can(current_user, Capability.SEARCH_READS):
        raise Forbidden("Officers, ALPR administrators and the chief search reads.")
    arguments, result, errors, refused, status = _page_arguments(), None, {}, None, 200
    if request.args.get("plate") is not None:
        try:
            result = services.search(current_user, arguments)
        except HubError as error:
            if error.status not in (400, 403):
                raise
            if error.refusal is not None:
                ledger_refusal(error.refusal, reason=error.message, errors=error.errors)
            refused = error if "rules" in error.errors else None
            errors = {} if refused else error.errors
            status = error.status
    thumbnails = ({r.id: images.thumbnail(result.scope, r, r.plate_image, r.vehicle_image) for r in result.reads}
                  if result else {})
    markers = [{"lat": r.latitude, "lon": r.longitude, "plate": r.plate, "camera": r.camera_id,
                "at": r.captured_at.strftime("%Y-%m-%d %H:%M")} for r in result.reads] if result else []
    return render_template("search/search.html", arguments=arguments, result=result, errors=errors,
                           refused=refused, reasons=services.reasons(), thumbnails=thumbnails, markers=markers,
                           case_numbers=services.recent_case_numbers(current_user),
                           cameras=services.searchable_cameras(current_user), page_url=_page_url), status


def _page_url(page: int) -> str:
    arguments = {**request.args.to_dict(), "cameras": request.args.getlist("cameras"), "page": page}
    return url_for("search.search_page", **arguments)


@pages.route("/search/<int:search_id>/export.csv")
@login_required
def export_csv(search_id: int):
    return _file(services.export(current_user, search_id), "csv")


@pages.route("/search/<int:search_id>/evidence.pdf")
@login_required
def export_pdf(search_id: int):
    return _file(services.export(current_user, search_id), "pdf")
