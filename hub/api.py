"""The REST API under /api/v1: flask-smorest with the hub's error format."""
from flask_smorest import Api


class HubApi(Api):
    """flask-smorest's Api, answering errors as `{"code", "message", "errors"}`
    with a word for `code` that clients can branch on."""

    def handle_http_exception(self, error):
        from hub.errors import handle_http_exception

        return handle_http_exception(error)
