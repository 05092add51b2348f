from flask import Blueprint, render_template
from flask_login import current_user, login_required

from hub.notifications.services import inbox

pages = Blueprint("notifications", __name__, template_folder="templates")


@pages.route("/notifications")
@login_required
def index():
    return render_template("notifications/index.html", messages=inbox(current_user))
