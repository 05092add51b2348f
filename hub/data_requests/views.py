"""Pages for written data requests: the requester's form and list; the
agency's queues (searches to prepare, decisions for the chief, records
staff's requests); a request's page, with its history and the step its
reader may take."""
from __future__ import annotations

import re
from datetime import timezone

from flask import Blueprint, Response, flash, redirect, render_template, url_for
from flask_login import current_user, login_required

from hub.data_requests import decisions, downloads, history, letter_intake, services
from hub.data_requests.errors import DataRequestInvalid
from hub.data_requests.forms import DecisionForm, LetterForm, RecordsNoteForm, RequestForm, SearchForm
from hub.data_requests.models import Decision, RequestStatus
from hub.errors import Forbidden, HubError
from hub.forms import FORM_ERROR_STATUS, apply_errors
from hub.identity.permissions import can
from hub.identity.roles import Capability
from hub.policy import PolicyRefused

pages = Blueprint("data_requests", __name__, template_folder="templates")

# The names services and rules use, by the form field a person changes.
FORM_FIELDS = {"window": "window_start", "purpose_statement": "purpose", "head_of_agency_statement":
               "authorization_statement", "purpose": "offense_type", "active_investigation": "reasonable_suspicion",
               "approved_by_chief": "decision"}
QUEUES = {
    "preparation": ("Data requests to prepare", Capability.PREPARE_DATA_REQUESTS,
                    (RequestStatus.AWAITING_PREPARATION,)),
    "decisions": ("Data requests for the chief's decision", Capability.DECIDE_DATA_REQUESTS,
                  (RequestStatus.AWAITING_DECISION,)),
    "records": ("Requests for records staff", Capability.HANDLE_RECORDS_REQUESTS,
                (RequestStatus.WITH_RECORDS, RequestStatus.AWAITING_REVIEW)),
}


def _utc(value):
    return value.replace(tzinfo=timezone.utc) if value else None


def _split(text: str | None) -> list[str]:
    return [part for part in re.split(r"[\s,;]+", text or "") if part]


def _camera_ids(text: str | None) -> tuple[int, ...]:
    cameras = _split(text)
    if not all(c.isdigit() and len(c) < 10 for c in cameras):
        raise DataRequestInvalid(errors={"cameras": ["Camera numbers are whole numbers, comma-separated."]})
    return tuple(int(c) for c in cameras)


def asked_from(form: RequestForm | LetterForm) -> services.Asked:
    """The request as the form gives it (a letter's form has no elements: the letter has them)."""
    text = {name: getattr(form, name).data or "" for name in (
        "agency_name", "requester_name", "purpose", "factual_basis", "case_number", "authorization_statement")
        if hasattr(form, name)}
    return services.Asked(
        **text, offense_type=form.offense_type.data or "",
        out_of_state_declaration=form.out_of_state_declaration.data, plates=tuple(_split(form.plates.data)),
        cameras=_camera_ids(form.cameras.data), window_start=_utc(form.window_start.data),
        window_end=_utc(form.window_end.data), follows_request_id=form.follows_request_id.data)


def _prefilled(form: RequestForm, request) -> RequestForm:
    form.offense_type.choices = [("", "Choose…"), *services.purposes().items()]
    if not form.is_submitted():
        for name in ("agency_name", "requester_name", "purpose", "offense_type", "factual_basis", "case_number",
                     "authorization_statement", "out_of_state_declaration", "follows_request_id"):
            getattr(form, name).data = getattr(request, name)
        _fill(form, request.plate_list, request.cameras, request.window_start, request.window_end)
    return form


def terms_from(form: SearchForm) -> decisions.SearchTerms:
    return decisions.SearchTerms(tuple(_split(form.plates.data)), _camera_ids(form.cameras.data),
                                 _utc(form.window_start.data), _utc(form.window_end.data))


def _fill(form: SearchForm, plates, cameras, start, end) -> None:
    """Start from what the step before left, unless the person sent the form."""
    if form.is_submitted():
        return
    form.plates.data, form.cameras.data = "\n".join(plates), ", ".join(map(str, cameras))
    form.window_start.data = start.replace(tzinfo=None) if start else None
    form.window_end.data = end.replace(tzinfo=None) if end else None


@pages.route("/requests")
@login_required
def mine():
    if not can(current_user, Capability.SUBMIT_DATA_REQUESTS):
        raise Forbidden("Outside agencies' requesters follow their requests here.")
    return render_template("data_requests/mine.html", requests=services.requests_of(current_user))


@pages.route("/requests/new", methods=["GET", "POST"])
@login_required
def new():
    if not can(current_user, Capability.SUBMIT_DATA_REQUESTS):
        raise Forbidden("Outside agencies' requesters submit written requests.")
    form = RequestForm()
    form.offense_type.choices = [("", "Choose…"), *services.purposes().items()]
    if not form.is_submitted():
        form.agency_name.data, form.requester_name.data = current_user.organisation.name, current_user.display_name
    return _intake(form, "data_requests/new.html", lambda: services.submit(current_user, asked_from(form)),
                   "Request {id} received: {status}.")


@pages.route("/requests/letter", methods=["GET", "POST"])
@login_required
def letter():
    """A scanned letter instead of the form: records staff confirm what is read from it."""
    if not can(current_user, Capability.SUBMIT_DATA_REQUESTS):
        raise Forbidden("Outside agencies' requesters send their letters here.")
    form = LetterForm()
    form.offense_type.choices = [("", "Choose…"), *services.purposes().items()]
    upload = form.letter.data
    return _intake(form, "data_requests/letter.html",
                   lambda: letter_intake.receive_letter(current_user, upload.read(), upload.filename or "",
                                                       asked_from(form)),
                   "Letter received as request {id}: records staff check the fields read from it.")


def _intake(form, template: str, submit, received: str):
    """A form that makes a request: to the request's page once made; what
    the form can show (its input's problems, a policy's refusal) beside its
    fields, the input kept."""
    status = 200
    if form.validate_on_submit():
        try:
            request = submit()
            flash(received.format(id=request.id, status=request.status_words), "info")
            return redirect(url_for("data_requests.detail", request_id=request.id))
        except HubError as error:
            if error.status == 403 and not isinstance(error, PolicyRefused):
                raise
            status = apply_errors(form, error, fields=FORM_FIELDS)
    elif form.is_submitted():
        status = FORM_ERROR_STATUS
    return render_template(template, form=form), status


@pages.route("/requests/<int:request_id>/letter/pages/<int:page>")
@login_required
def letter_page(request_id: int, page: int):
    request = services.get_request(current_user, request_id)
    return Response(letter_intake.page_image(request, page), mimetype="image/png")


@pages.route("/requests/<int:request_id>/letter/original")
@login_required
def letter_original(request_id: int):
    """The letter as received; its SHA-256 is its name in the store."""
    request = services.get_request(current_user, request_id)
    return Response(letter_intake.original(request), mimetype=request.letter_media_type,
                    headers={"Content-Disposition": f'attachment; filename="request-{request.id}-letter"',
                             "X-Letter-SHA256": request.letter_sha256})


@pages.route("/requests/queue/<any(preparation, decisions, records):queue>")
@login_required
def queue(queue: str):
    title, capability, statuses = QUEUES[queue]
    if not can(current_user, capability):
        raise Forbidden("This queue is for another role.")
    others = [(name, words) for name, (words, needed, _) in QUEUES.items() if name != queue and can(current_user, needed)]
    return render_template("data_requests/queue.html", title=title, requests=services.in_status(*statuses),
                           others=others)


def _forms(request) -> dict:
    """The step the reader may take on this request now, as a form."""
    forms = {}
    if request.status is RequestStatus.AWAITING_PREPARATION and can(current_user, Capability.PREPARE_DATA_REQUESTS):
        forms["prepare"] = SearchForm(prefix="prepare")
        _fill(forms["prepare"], request.plate_list, request.cameras, request.window_start, request.window_end)
    if request.status is RequestStatus.AWAITING_DECISION and can(current_user, Capability.DECIDE_DATA_REQUESTS):
        forms["decide"] = DecisionForm(prefix="decide")
        _fill(forms["decide"], request.search_plate_list, request.search_cameras, request.search_start,
              request.search_end)
    if request.status is RequestStatus.WITH_RECORDS and can(current_user, Capability.HANDLE_RECORDS_REQUESTS):
        forms["close"] = RecordsNoteForm(prefix="close")
    if request.status is RequestStatus.AWAITING_REVIEW and can(current_user, Capability.HANDLE_RECORDS_REQUESTS):
        forms["review"] = _prefilled(RequestForm(prefix="review"), request)
    return forms


def _page(request, forms: dict, status: int = 200):
    staff = services.is_staff(current_user)
    mine = not staff and downloads.available(request)
    return render_template("data_requests/detail.html", request=request, staff=staff, forms=forms,
                           history=history.of(request, staff=staff), reading=letter_intake.reading_of(request),
                           downloadable=mine and not downloads.downloaded(request, current_user),
                           downloaded=mine and downloads.downloaded(request, current_user)), status


@pages.route("/requests/<int:request_id>")
@login_required
def detail(request_id: int):
    request = services.get_request(current_user, request_id)
    return _page(request, _forms(request))


@pages.route("/requests/<int:request_id>/<any(prepare, decide, close, review):step>", methods=["POST"])
@login_required
def act(request_id: int, step: str):
    request = services.get_request(current_user, request_id)
    forms = _forms(request)
    form = forms.get(step)
    if form is None:
        raise Forbidden("This step is not yours to take on this request now.")
    if not form.validate_on_submit():
        return _page(request, forms, FORM_ERROR_STATUS)
    try:
        if step == "prepare":
            decisions.prepare(current_user, request, terms_from(form))
            flash(f"Search prepared: request {request.id} waits for the chief's decision.", "info")
        elif step == "decide":
            decision = Decision(form.decision.data)
            decisions.decide(current_user, request, decision=decision, finding=form.finding.data,
                             reasonable_suspicion=form.reasonable_suspicion.data,
                             terms=terms_from(form) if decision is Decision.APPROVED_IN_PART else None)
            flash(f"Request {request.id}: {request.status_words}.", "info")
        elif step == "review":
            letter_intake.confirm_letter(current_user, request, asked_from(form))
            flash(f"Fields confirmed: request {request.id} is {request.status_words}.", "info")
        else:
            decisions.close(current_user, request, note=form.note.data)
            flash(f"Request {request.id} closed.", "info")
    except HubError as error:
        if error.status == 403 and not isinstance(error, PolicyRefused):
            raise
        status = apply_errors(form, error, fields=FORM_FIELDS)
        return _page(services.get_request(current_user, request_id), {**forms, step: form}, status)
    return redirect(url_for("data_requests.detail", request_id=request.id))


@pages.route("/requests/<int:request_id>/download", methods=["POST"])
@login_required
def download(request_id: int):
    """A link of the person's own, followed at once."""
    _, token = downloads.issue_link(current_user, request_id)
    return redirect(url_for("data_requests_api.Package", request_id=request_id, token=token))
