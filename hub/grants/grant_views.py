"""The partner's grants: active and past, with the time left, revocation,
and every use of each grant."""
from flask import Blueprint, abort, flash, redirect, render_template, url_for
from flask_login import current_user, login_required
from flask_wtf import FlaskForm
from wtforms import StringField
from wtforms.validators import DataRequired, Length

from hub.clock import utcnow
from hub.errors import Forbidden
from hub.extensions import db
from hub.grants.access import grant_uses
from hub.grants.consent import grants_of
from hub.grants.models import Grant
from hub.grants.revocation import require_revoker, revoke_grant
from hub.identity.permissions import can
from hub.identity.roles import Capability

pages = Blueprint("partner_grants", __name__, template_folder="templates")


class RevokeForm(FlaskForm):
    reason = StringField("Why", validators=[DataRequired(), Length(max=500)])


def _visible(grant: Grant) -> bool:
    return grant.organisation_id == current_user.organisation_id or can(current_user,
                                                                         Capability.APPROVE_ACCESS_REQUESTS)


@pages.route("/grants")
@login_required
def index():
    if not current_user.organisation.kind.is_partner:
        raise Forbidden("Grants are listed for the partners who gave them.")
    return render_template("grants/grants.html", grants=grants_of(current_user.organisation_id), now=utcnow(),
                           form=RevokeForm())


@pages.route("/grants/<int:grant_id>")
@login_required
def detail(grant_id: int):
    grant = db.session.get(Grant, grant_id) or abort(404)
    if not _visible(grant):
        raise Forbidden("This grant is not yours.")
    uses = grant_uses(current_user, grant)
    return render_template("grants/grant.html", grant=grant, uses=uses, now=utcnow(), form=RevokeForm())


@pages.route("/grants/<int:grant_id>/revoke", methods=["POST"])
@login_required
def revoke(grant_id: int):
    grant = db.session.get(Grant, grant_id) or abort(404)
    require_revoker(current_user, grant)
    form = RevokeForm()
    if not form.validate_on_submit():
        flash("Say why the grant is revoked.", "error")
        return redirect(url_for("partner_grants.detail", grant_id=grant_id))
    revoke_grant(current_user, grant, reason=form.reason.data)
    flash("Grant revoked: its tokens are refused from now on.", "info")
    return redirect(url_for("partner_grants.detail", grant_id=grant_id))
