from flask import Blueprint, render_template
from flask_login import login_required, current_user

from hub.home.cards import cards_for

pages = Blueprint("home", __name__, template_folder="templates")


@pages.route("/")
@login_required
def index():
    if current_user.awaits_approval:
        return render_template("home/awaiting_approval.html", organisation=current_user.organisation)
    return render_template("home/index.html", cards=cards_for(current_user))
