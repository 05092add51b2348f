"""`GET /health`: the load balancer's check, public and cheap (one small
query, no session, nothing personal)."""
from flask import Blueprint, jsonify

from hub.health.services import check

pages = Blueprint("health", __name__)


@pages.route("/health")
def index():
    health = check()
    return jsonify(status=health.status, database="ok", scheduler={
        "running": health.scheduler_running, "last_seal_seconds_ago": health.last_seal_seconds_ago})
