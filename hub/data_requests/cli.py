"""`hub requests`: this hub asking a neighbouring hub for data, machine to
machine: register the peer, submit a written request, fetch and verify the
package, list what was received."""
from __future__ import annotations

import json

import click
import requests as http
from flask.cli import AppGroup

from hub.data_requests import federation
from hub.db import unit_of_work
from hub.errors import HubError
from hub.identity.actors import operator

requests_group = AppGroup("requests", help="Written data requests to neighbouring hubs.")


def _fail(error: HubError) -> None:
    details = "; ".join(f"{k}: {' '.join(map(str, v)) if isinstance(v, list) else v}" for k, v in
                        (error.errors.items() if isinstance(error.errors, dict) else []))
    raise click.ClickException(f"{error.message} {details}".strip())


@requests_group.command("peer-add")
@click.argument("origin")
@click.option("--url", required=True, help="The other hub's address.")
@click.option("--client-id", required=True, help="The client the other hub registered for this agency.")
@click.option("--client-secret", envvar="HUB_PEER_CLIENT_SECRET", prompt=True, hide_input=True)
@click.option("--webhook-secret", envvar="HUB_PEER_WEBHOOK_SECRET", default=None,
              help="The key the other hub signs its decision webhooks with.")
def peer_add(origin, url, client_id, client_secret, webhook_secret):
    """Ask the hub whose ledger ORIGIN this hub follows for data."""
    try:
        with unit_of_work():
            federation.add_peer(operator(), origin=origin, url=url, client_id=client_id,
                                client_secret=client_secret, webhook_secret=webhook_secret)
    except HubError as error:
        _fail(error)
    click.echo(f"peer {origin} at {url.rstrip('/')}")


@requests_group.command("submit")
@click.argument("request_file", type=click.File("r"))
@click.option("--peer", "origin", help="The peer's origin (needed when there are several).")
def submit(request_file, origin):
    """Send a written request (JSON, as POST /api/v1/requests takes it) to a peer."""
    try:
        body = json.load(request_file)
    except ValueError as error:
        raise click.ClickException(f"The request file is not JSON: {error}")
    try:
        with unit_of_work(), http.Session() as session:
            row = federation.submit_to_peer(operator(), federation.peer_named(origin), body, session)
    except HubError as error:
        _fail(error)
    click.echo(f"sent: {row.peer_origin} request {row.remote_request_id}")
    click.echo(str(row.remote_request_id))


@requests_group.command("fetch")
@click.argument("remote_request_id", type=int)
@click.option("--peer", "origin", help="The peer's origin (needed when there are several).")
def fetch(remote_request_id, origin):
    """Download a release package from a peer, verify it (signature, hashes,
    proofs against the peer's witnessed checkpoint) and hold its data here
    under its classification and destruction date."""
    try:
        with unit_of_work(), http.Session() as session:
            row = federation.fetch_package(operator(), federation.peer_named(origin), remote_request_id, session)
    except HubError as error:
        _fail(error)
    except http.RequestException as error:
        raise click.ClickException(f"The peer could not be reached: {error}")
    click.echo(f"verified: package {row.package_sha256} from {row.peer_origin}, {row.reads} read(s); signature, "
               "file hashes and ledger proofs hold, consistent with the witnessed checkpoint")
    click.echo(f"held as {row.classification}; destroy by {row.destroy_by:%Y-%m-%d %H:%M} UTC")


@requests_group.command("received")
def received():
    """Requests sent to peers, their decisions and the packages held."""
    for row in federation.received():
        state = "destroyed" if row.destroyed_at else (
            f"held until {row.destroy_by:%Y-%m-%d}" if row.received_at else (row.decision or "waiting"))
        click.echo(f"{row.peer_origin}\t{row.remote_request_id}\t{row.case_number or ''}\t{row.reads or ''}\t{state}")
