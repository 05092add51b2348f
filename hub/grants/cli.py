import click
from flask.cli import AppGroup

from hub import signed_webhooks
from hub.db import unit_of_work
from hub.errors import HubError
from hub.grants.clients import GRANT_TYPES, create_client
from hub.identity.actors import operator
from hub.identity.services import find_organisation

clients = AppGroup("clients", help="OAuth clients.")


@clients.command("create")
@click.option("--name", required=True)
@click.option("--redirect-uri", "redirect_uris", multiple=True,
              help="Repeat for several; needed for the authorization_code grant.")
@click.option("--grant-type", "grant_types", multiple=True, type=click.Choice(GRANT_TYPES))
@click.option("--organisation", "organisation_name", help="The agency the client belongs to: its access requests "
                                                          "are bound to this client.")
@click.option("--webhook-url", help="Where the hub posts signed decisions on the client's data requests.")
def create_command(name, redirect_uris, grant_types, organisation_name, webhook_url):
    """Register a confidential client; prints its id and secret (shown once)."""
    try:
        with unit_of_work():
            organisation = find_organisation(organisation_name) if organisation_name else None
            if organisation_name and organisation is None:
                raise click.ClickException(f"No organisation named {organisation_name!r}.")
            client, secret = create_client(operator(), name=name, redirect_uris=list(redirect_uris),
                                           grant_types=list(grant_types) or None, organisation=organisation,
                                           webhook_url=webhook_url)
    except HubError as error:
        raise click.ClickException(f"{error.message} {error.errors}")
    click.echo(f"client_id: {client.client_id}")
    click.echo(f"client_secret: {secret}")
    if client.webhook_url:
        click.echo(f"webhook_secret: {signed_webhooks.client_key(client.client_id).decode()}")
