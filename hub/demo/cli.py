import json
import threading
from pathlib import Path
from urllib.parse import urlsplit

import click
from flask import current_app
from flask.cli import AppGroup
from werkzeug.serving import make_server

from hub.db import unit_of_work
from hub.demo.agency_client import ClientSettings, create_client_app, poll_forever
from hub.demo.services import HOT_PLATE, agency_client_url, load_demo
from hub.ledger.tree import seal_and_checkpoint

demo = AppGroup("demo", help="The Corcoran demo network.")


@demo.command("load")
def load_command():
    """Load (or confirm) the demo network and print its logins."""
    with unit_of_work():
        network = load_demo()
    with unit_of_work():  # the demo's ledger ends sealed under a signed checkpoint
        seal_and_checkpoint()
    click.echo("Demo network loaded: Corcoran Police Department, 9 city cameras, "
               "Bass Lake Preserve HOA (2 cameras), Corcoran Country Market (1 camera), Rogers Police Department.")
    click.echo(f"Demo logins (kept in {current_app.instance_path}/demo-credentials.json):")
    for login in network.logins:
        line = f"  {login.username:<24} {login.role.value:<17} password {login.password}"
        if login.totp_secret:
            line += f"  TOTP key {login.totp_secret}"
        click.echo(line)
    click.echo("Add a TOTP key to any authenticator app (or run `oathtool --totp -b KEY`) for the second factor.")
    click.echo(f"OAuth client 'Corcoran records system (demo)': client_id {network.client_id}, "
               f"client_secret {network.client_secret}")
    click.echo(f"Hotlisted demo plate {HOT_PLATE}: one of the demo reads is an alert on the officer's board.")
    click.echo("demo-agency-requester (Rogers Police Department) sends written data requests at /requests; one "
               "waits for demo-officer to prepare its search, then for demo-chief's decision.")


@demo.command("agency-client")
def agency_client_command():
    """Serve the demo agency's own system, an OAuth client of this hub, at
    HUB_AGENCY_CLIENT_URL (by default the hub's address one port up)."""
    credentials = json.loads((Path(current_app.instance_path) / "demo-credentials.json").read_text())
    if "client_id" not in credentials:
        raise click.ClickException("Run `hub demo load` first: it registers the agency's client.")
    own_url = agency_client_url()
    settings = ClientSettings(hub_url=current_app.config["BASE_URL"].rstrip("/"), own_url=own_url,
                              client_id=credentials["client_id"], client_secret=credentials["client_secret"],
                              store=Path(current_app.instance_path) / "agency-client.json")
    app = create_client_app(settings)
    stop = threading.Event()
    threading.Thread(target=poll_forever, args=(app.extensions["agency_client"], stop), daemon=True).start()
    address = urlsplit(own_url)
    # Served directly: Flask's app.run() declines to serve inside a `flask`/`hub` command.
    server = make_server(address.hostname, address.port, app, threaded=True)
    click.echo(f"The demo agency's records system is at {own_url}/ (an OAuth client of {settings.hub_url}).")
    try:
        server.serve_forever()
    finally:
        stop.set()
