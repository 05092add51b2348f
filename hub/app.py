"""The application factory."""
from __future__ import annotations

import json
import logging
import os
from pathlib import Path

from flask import Flask
from werkzeug.middleware.proxy_fix import ProxyFix

from hub import api as hub_api, input_guard, logs, map_library, paging, policy, web, www_authenticate
from hub.config import build_config, finish_config
from hub.errors import register_error_handlers
from hub.extensions import api, csrf, db, login_manager, migrate
from hub.keys import services as data_keys
from hub.ratelimit import limits as ratelimit_limits
from hub.reads.partitions import known_to_models


def create_app(test_config: dict | None = None) -> Flask:
    instance_path = os.environ.get("HUB_INSTANCE_PATH")
    app = Flask(__name__, instance_path=instance_path, instance_relative_config=True)
    app.config.from_mapping(build_config(Path(app.instance_path), dict(os.environ)))
    if test_config:
        app.config.from_mapping(test_config)
    finish_config(app.config)
    if app.config["TRUSTED_PROXIES"]:
        # The client address (rate limits, the ledger) and scheme as the proxies saw them.
        hops = app.config["TRUSTED_PROXIES"]
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=hops, x_proto=hops, x_host=0)
    logging.basicConfig(level=os.environ.get("HUB_LOG_LEVEL", "INFO"))
    policy.init_app(app)  # first: packs that cannot be enforced stop the hub before anything is bound
    logs.init_app(app)
    input_guard.init_app(app)

    db.init_app(app)
    import hub.models  # noqa: F401  (every table, before migrations or queries)
    data_keys.init_app(app)  # a missing or wrong key-encryption key stops the hub here
    migrate.init_app(app, db, directory=str(Path(__file__).resolve().parent.parent / "migrations"),
                     include_object=known_to_models)
    ratelimit_limits.init_app(app)
    csrf.init_app(app)
    login_manager.init_app(app)
    api.init_app(app)
    api.register_converter(input_guard.TokenConverter, input_guard.token_parameter)
    register_error_handlers(app)
    web.init_app(app)
    paging.init_app(app)
    www_authenticate.init_app(app)

    from hub.alerts import api as alerts_api, views as alerts_views
    from hub.cameras import api as cameras_api, cli as cameras_cli, services as cameras_services, views as cameras_views
    from hub.grants import (api as grants_api, cli as grants_cli, grant_views, oauth, oauth_views, reads_api as
                            grant_reads_api, views as grants_views)
    from hub.hotlists import api as hotlists_api, cli as hotlists_cli, views as hotlists_views
    from hub.reads import api as reads_api, cli as reads_cli, views as reads_views
    from hub.notifications import views as notification_views
    from hub.safe_at_home import views as safe_at_home_views
    from hub.search import views as search_views
    from hub.data_requests import api as data_requests_api, cli as data_requests_cli, views as data_requests_views
    from hub.identity import auth, cli as identity_cli, views as identity_views
    from partners import data_views as partner_data_views, views as partner_views
    from hub.ledger import cli as ledger_cli, views as ledger_views
    from hub.home import navigation, views as home_views
    from hub.settings import cli as settings_cli, services as settings_services, views as settings_views
    from hub.demo import cli as demo_cli
    from hub.scheduler import cli as scheduler_cli
    from hub.retention import cli as retention_cli, views as retention_views
    from hub.keys import cli as keys_cli
    from hub.transparency import log_of_use, views as transparency_views
    from hub.suspension import views as suspension_views
    from hub.audit import cli as audit_cli, views as audit_views
    from hub.health import views as health_views

    auth.init_app(app)
    hub_api.init_app(app)  # after authentication: a missing body is the caller's business only once authorised
    app.register_blueprint(map_library.assets)
    app.register_blueprint(identity_views.pages)
    app.register_blueprint(home_views.pages)
    app.jinja_env.globals["nav_links"] = navigation.links_for
    app.jinja_env.globals["hub_name"] = settings_services.display_name
    app.jinja_env.filters["camera_list"] = cameras_services.camera_list
    app.jinja_env.filters["fromjson"] = json.loads
    app.register_blueprint(settings_views.pages)
    app.register_blueprint(cameras_views.pages)
    app.register_blueprint(partner_views.pages)
    app.register_blueprint(partner_data_views.pages)
    app.register_blueprint(alerts_views.pages)
    app.register_blueprint(hotlists_views.pages)
    app.register_blueprint(safe_at_home_views.pages)
    app.register_blueprint(grants_views.pages)
    app.register_blueprint(grant_views.pages)
    app.register_blueprint(oauth_views.pages)
    oauth.init_app(app)
    app.register_blueprint(notification_views.pages)
    app.register_blueprint(retention_views.pages)
    app.register_blueprint(transparency_views.pages)
    app.register_blueprint(suspension_views.pages)
    app.register_blueprint(audit_views.pages)
    app.register_blueprint(health_views.pages)
    log_of_use.init_app(app)
    app.register_blueprint(ledger_views.pages)
    app.register_blueprint(search_views.pages)
    app.register_blueprint(reads_views.pages)
    app.register_blueprint(data_requests_views.pages)
    api.register_blueprint(identity_views.api_blp)
    api.register_blueprint(ledger_views.api_blp)
    api.register_blueprint(settings_views.api_blp)
    api.register_blueprint(cameras_api.api_blp)
    api.register_blueprint(reads_api.api_blp)
    api.register_blueprint(alerts_api.api_blp)
    api.register_blueprint(hotlists_api.api_blp)
    api.register_blueprint(grants_api.api_blp)
    api.register_blueprint(grant_reads_api.api_blp)
    api.register_blueprint(retention_views.api_blp)
    api.register_blueprint(search_views.api_blp)
    api.register_blueprint(data_requests_api.api_blp)
    app.cli.add_command(identity_cli.users)
    app.cli.add_command(identity_cli.tokens)
    app.cli.add_command(ledger_cli.ledger)
    app.cli.add_command(settings_cli.settings)
    app.cli.add_command(cameras_cli.cameras)
    app.cli.add_command(reads_cli.reads)
    app.cli.add_command(hotlists_cli.hotlists)
    app.cli.add_command(grants_cli.clients)
    app.cli.add_command(demo_cli.demo)
    app.cli.add_command(scheduler_cli.scheduler)
    app.cli.add_command(retention_cli.retention)
    app.cli.add_command(data_requests_cli.requests_group)
    app.cli.add_command(audit_cli.audit)
    app.cli.add_command(keys_cli.keys)
    ratelimit_limits.limit_endpoints(app)
    return app
