"""Bad input gets a clear 4xx in the `{"code", "message", "errors"}` shape
and never a 500; secrets and passwords never reach the log."""
import logging

from hub.identity import tokens
from hub.identity.roles import Role
from hub.identity.services import find_user
from tests.conftest import PASSWORD, sign_in
from tests.conftest import OPERATOR


def test_unknown_api_route_is_json_404(client):
    response = client.get("/api/v1/nothing-here")
    assert response.status_code == 404
    assert set(response.get_json()) == {"code", "message", "errors"} and response.get_json()["code"] == "not_found"


def test_wrong_method_is_json_405(client):
    response = client.delete("/api/v1/ledger/checkpoints/latest", headers={"Authorization": "Bearer x"})
    assert response.status_code in (401, 405)
    assert response.get_json()["code"] in ("invalid_token", "method_not_allowed")


def test_malformed_json_body_is_a_4xx(app, make, run, client):
    make.user("admin", Role.HUB_ADMIN)
    secret = run(lambda: tokens.create_token(OPERATOR, find_user("admin"), name="ops")[1])
    response = client.patch("/api/v1/settings", data="{not json", content_type="application/json",
                            headers={"Authorization": f"Bearer {secret}"})
    assert 400 <= response.status_code < 500
    assert set(response.get_json()) == {"code", "message", "errors"}


def test_pages_render_errors_as_html(client):
    response = client.get("/no-such-page", headers={"Accept": "text/html"})
    assert response.status_code == 404 and "<h1>" in response.get_data(as_text=True)


def test_openapi_document_lists_the_api(client):
    spec = client.get("/api/v1/openapi.json").get_json()
    assert {"/api/v1/me", "/api/v1/ledger/checkpoints/latest", "/api/v1/ledger/entries/{entry_id}/proof",
            "/api/v1/settings"} <= set(spec["paths"])


def test_no_password_or_token_in_logs(app, make, run, client, caplog):
    caplog.set_level(logging.DEBUG)
    make.user("ofc", Role.OFFICER)
    sign_in(client, "ofc", "a wrong password value")
    sign_in(client, "ofc")
    secret = run(lambda: tokens.create_token(OPERATOR, find_user("ofc"), name="x")[1])
    client.get("/api/v1/me", headers={"Authorization": f"Bearer {secret}"})
    client.get("/api/v1/me", headers={"Authorization": f"Bearer {secret}broken"})
    logged = caplog.text
    assert PASSWORD not in logged and "a wrong password value" not in logged
    assert secret not in logged and secret.split("_")[-1] not in logged


def test_security_headers_forbid_framing(client):
    response = client.get("/login")
    assert response.headers["X-Frame-Options"] == "DENY"
    assert "frame-ancestors 'none'" in response.headers["Content-Security-Policy"]


def test_database_errors_never_write_values_to_the_log(app, app_config, caplog):
    """A failed statement's parameters and the database's own DETAIL line
    (which repeats the value) stay out of the log; what failed stays in."""
    from sqlalchemy import text

    from hub.extensions import db
    from tests.conftest import build_app
    caplog.set_level(logging.DEBUG)
    broken = build_app({**app_config, "PROPAGATE_EXCEPTIONS": False})

    @broken.route("/duplicate-plate")
    def duplicate_plate():
        db.session.execute(text("CREATE TEMPORARY TABLE IF NOT EXISTS log_probe (plate varchar(10) UNIQUE, "
                                "basis varchar(100))"))
        for _ in range(2):
            db.session.execute(text("INSERT INTO log_probe (plate, basis) VALUES (:plate, :basis)"),
                               {"plate": "ZZZ999", "basis": "seen fleeing the robbery"})
        return "unreachable"

    @broken.route("/missing-table")
    def missing_table():
        db.session.execute(text("SELECT * FROM no_such_table WHERE plate = :plate AND case_number = :case"),
                           {"plate": "YYY888", "case": "ICR-2026-77"})
        return "unreachable"

    guest = broken.test_client()
    assert guest.get("/duplicate-plate").status_code == 500
    assert guest.get("/missing-table").status_code == 500

    from hub.scheduler.jobs import Job, run_job

    def failing_job():
        db.session.execute(text("CREATE TEMPORARY TABLE IF NOT EXISTS job_probe (plate varchar(10) UNIQUE)"))
        for _ in range(2):
            db.session.execute(text("INSERT INTO job_probe (plate) VALUES (:plate)"), {"plate": "XXX777"})
    run_job(broken, Job("probe", failing_job, "WEBHOOK_JOB_SECONDS"))
    logged = caplog.text
    assert "scheduled job probe failed" in logged
    for value in ("ZZZ999", "seen fleeing the robbery", "YYY888", "ICR-2026-77", "XXX777"):
        assert value not in logged
    assert "IntegrityError" in logged
    assert "OperationalError" in logged or "ProgrammingError" in logged
    assert "values withheld" in logged
