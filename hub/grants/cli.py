import click
from flask.cli import AppGroup

from hub.db import unit_of_work
from hub.errors import HubError
from hub.grants.clients import GRANT_TYPES, create_client
from hub.identity.actors import operator

clients = AppGroup("clients", help="OAuth clients.")


@clients.command("create")
@click.option("--name", required=True)
@click.option("--redirect-uri", "redirect_uris", multiple=True, required=True, help="Repeat for several.")
@click.option("--grant-type", "grant_types", multiple=True, type=click.Choice(GRANT_TYPES))
def create_command(name, redirect_uris, grant_types):
    """Register a confidential client; prints its id and secret (shown once)."""
    try:
        with unit_of_work():
            client, secret = create_client(operator(), name=name, redirect_uris=list(redirect_uris),
                                           grant_types=list(grant_types) or None)
    except HubError as error:
        raise click.ClickException(f"{error.message} {error.errors}")
    click.echo(f"client_id: {client.client_id}")
    click.echo(f"client_secret: {secret}")
