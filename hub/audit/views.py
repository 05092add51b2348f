"""The auditor's pages: issue the report for a period, download its files,
record each sending and see what is overdue."""
from flask import Blueprint, Response, flash, redirect, render_template, url_for
from flask_login import current_user
from flask_wtf import FlaskForm
from wtforms import DateField, SelectField, StringField
from wtforms.validators import Optional

from hub.audit import services
from hub.errors import HubError
from hub.forms import FORM_ERROR_STATUS, apply_errors
from hub.identity.auth import capability_required
from hub.identity.roles import Capability

pages = Blueprint("audit", __name__, template_folder="templates")


class PeriodForm(FlaskForm):
    period_from = DateField("From (first day)", validators=[Optional()])
    period_to = DateField("To (last day)", validators=[Optional()])


class SendingForm(FlaskForm):
    recipient = SelectField("Sent to", validate_choice=False)
    sent_on = DateField("Sent on", validators=[Optional()])
    method = StringField("How (e-mail, post, by hand)")
    reference = StringField("Reference (letter number, e-mail subject)")


@pages.route("/audit", methods=["GET", "POST"])
@capability_required(Capability.AUDIT_REPORTS)
def index():
    form, status = PeriodForm(), 200
    if form.validate_on_submit():
        try:
            report = services.issue_report(current_user, form.period_from.data, form.period_to.data)
            flash("The report is issued and kept as it is now; send it to each recipient below.", "info")
            return redirect(url_for("audit.report", report_id=report.id))
        except HubError as error:
            status = apply_errors(form, error, services.FIELDS)
    elif form.is_submitted():
        status = FORM_ERROR_STATUS
    return render_template("audit/index.html", form=form, reports=services.reports(current_user),
                           overdue=services.overdue(), recipients=services.recipients()), status


@pages.route("/audit/<int:report_id>", methods=["GET", "POST"])
@capability_required(Capability.AUDIT_REPORTS)
def report(report_id: int):
    found = services.get_report(current_user, report_id)
    form, status = SendingForm(), 200
    form.recipient.choices = [("", "Choose…")] + [(r, r) for r in services.recipients()]
    if form.validate_on_submit():
        try:
            services.record_sending(current_user, found, recipient=form.recipient.data, sent_on=form.sent_on.data,
                                    method=form.method.data, reference=form.reference.data)
            flash(f"Sending to {form.recipient.data} recorded.", "info")
            return redirect(url_for("audit.report", report_id=found.id))
        except HubError as error:
            status = apply_errors(form, error)
    elif form.is_submitted():
        status = FORM_ERROR_STATUS
    return render_template("audit/report_page.html", report=found, form=form, files=services.file_names(found),
                           outstanding=services.outstanding(found)), status


@pages.route("/audit/<int:report_id>/files/<name>")
@capability_required(Capability.AUDIT_REPORTS)
def download(report_id: int, name: str):
    found = services.download(current_user, report_id, name)
    disposition = "inline" if name == "report.html" else "attachment"
    return Response(found.content, mimetype=found.media_type,
                    headers={"Content-Disposition": f'{disposition}; filename="audit-{report_id}-{name}"'})
