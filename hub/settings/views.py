from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_login import current_user
from flask_smorest import Blueprint as ApiBlueprint
from flask_wtf import FlaskForm

from hub.errors import HubError
from hub.extensions import db
from hub.forms import FORM_ERROR_STATUS
from hub.identity.auth import capability_required, scope_required
from hub.identity.roles import Capability
from hub.settings import services
from hub.settings.schemas import SettingsSchema

pages = Blueprint("settings", __name__, template_folder="templates")
api_blp = ApiBlueprint("settings_api", __name__, url_prefix="/api/v1/settings", description="Hub settings")


@pages.route("/admin/settings", methods=["GET", "POST"])
@capability_required(Capability.MANAGE_SETTINGS)
def index():
    form = FlaskForm()
    values, errors, status = {**services.current_settings(), "hub_display_name": services.display_name()}, {}, 200
    if form.validate_on_submit():
        submitted = {key: request.form.get(key, "") for key in services.DEFINITIONS}
        try:
            services.change_settings(current_user, submitted)
            flash("Settings saved.", "info")
            return redirect(url_for("settings.index"))
        except HubError as error:
            db.session.rollback()
            values, errors, status = submitted, error.errors, FORM_ERROR_STATUS
    return render_template("settings/index.html", form=form, values=values, errors=errors,
                           definitions=services.DEFINITIONS), status


@api_blp.route("")
@api_blp.response(200)
@scope_required("settings:manage")
@capability_required(Capability.MANAGE_SETTINGS)
def read_settings():
    """The current settings (hub administrators)."""
    return services.current_settings()


@api_blp.route("", methods=["PATCH"])
@api_blp.arguments(SettingsSchema)
@api_blp.response(200)
@scope_required("settings:manage")
@capability_required(Capability.MANAGE_SETTINGS)
def change_settings(changes):
    """Change one or more settings; each change is ledgered."""
    return services.change_settings(current_user, changes)
