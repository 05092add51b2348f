"""The hub administrator's page for the commissioner's suspension order."""
from flask import Blueprint, flash, redirect, render_template, url_for
from flask_login import current_user
from flask_wtf import FlaskForm
from wtforms import DateField, StringField, TextAreaField
from wtforms.validators import Optional

from hub.errors import HubError
from hub.forms import FORM_ERROR_STATUS, apply_errors
from hub.identity.auth import capability_required
from hub.identity.roles import Capability
from hub.suspension import services

pages = Blueprint("suspension", __name__, template_folder="templates")


class OrderForm(FlaskForm):
    issued_by = StringField("Issued by", default=services.ISSUER)
    reference = StringField("The order's reference")
    ordered_on = DateField("Dated", validators=[Optional()])
    summary = TextAreaField("What the order says")


class LiftForm(FlaskForm):
    reference = StringField("The commissioner's authorisation to reinstate")
    lifted_on = DateField("Dated", validators=[Optional()])


@pages.route("/admin/suspension", methods=["GET", "POST"])
@capability_required(Capability.RECORD_SUSPENSION)
def index():
    current = services.current_order()
    form = (LiftForm if current else OrderForm)(prefix="lift" if current else "order")
    status = 200
    if form.validate_on_submit():
        try:
            if current:
                services.lift_suspension(current_user, reference=form.reference.data, lifted_on=form.lifted_on.data)
                flash("The suspension is lifted: the readers and searches work again.", "info")
            else:
                services.order_suspension(current_user, issued_by=form.issued_by.data, reference=form.reference.data,
                                          ordered_on=form.ordered_on.data, summary=form.summary.data)
                flash("The suspension order is recorded: collection by the city's readers, searches and "
                      "grants are refused from now on.", "info")
            return redirect(url_for("suspension.index"))
        except HubError as error:
            status = apply_errors(form, error)
    elif form.is_submitted():
        status = FORM_ERROR_STATUS
    return render_template("suspension/index.html", form=form, current=current, orders=services.orders()), status
