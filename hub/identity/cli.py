import click
from flask.cli import AppGroup

from hub.db import unit_of_work
from hub.errors import HubError
from hub.identity import services, tokens as token_services
from hub.identity.roles import ROLE_SCOPES, Role
from hub.identity.actors import operator

users = AppGroup("users", help="User accounts.")
tokens = AppGroup("tokens", help="Personal API tokens.")


def _fail(error: HubError) -> None:
    details = "; ".join(f"{k}: {' '.join(map(str, v)) if isinstance(v, list) else v}" for k, v in
                        (error.errors.items() if isinstance(error.errors, dict) else []) if k != "rules")
    raise click.ClickException(f"{error.message} {details}".strip())


@users.command("create")
@click.option("--username", required=True)
@click.option("--role", required=True, type=click.Choice([r.value for r in Role]))
@click.option("--organisation", "organisation_name", required=True, help="The organisation's exact name.")
@click.option("--display-name", default="")
@click.option("--email", default=None)
@click.password_option(envvar="HUB_NEW_USER_PASSWORD", help="Prompted for when not given.")
def create_user(username, role, organisation_name, display_name, email, password):
    """Create a user in an existing organisation."""
    organisation = services.find_organisation(organisation_name)
    if organisation is None:
        raise click.ClickException(f"No organisation named '{organisation_name}'.")
    try:
        with unit_of_work():
            user = services.create_user(operator(), organisation=organisation, username=username,
                                        display_name=display_name or username, role=Role(role),
                                        password=password, email=email)
    except HubError as error:
        _fail(error)
    click.echo(f"created {user.username} ({user.role.label}, {organisation.name})")


@users.command("list")
def list_users():
    for user in services.list_users():
        state = "" if user.active else " (deactivated)"
        click.echo(f"{user.username}\t{user.role.value}\t{user.organisation.name}{state}")


@tokens.command("create")
@click.option("--user", "username", required=True)
@click.option("--scope", "scopes", multiple=True, help="Repeat for several; default: all the role allows.")
@click.option("--name", default="command line")
@click.option("--days", "expires_in_days", type=int, default=None)
def create_token(username, scopes, name, expires_in_days):
    """Create a token; it is printed alone on the last line, and only once."""
    user = services.find_user(username)
    if user is None:
        raise click.ClickException(f"No user named '{username}'.")
    try:
        with unit_of_work():
            token, secret = token_services.create_token(operator(), user, name=name, scopes=list(scopes) or None,
                                                        expires_in_days=expires_in_days)
    except HubError as error:
        _fail(error)
    click.echo(f"token for {user.username}: scopes {token.scopes}; expires {token.expires_at:%Y-%m-%d}")
    click.echo(secret)


@tokens.command("scopes")
def list_scopes():
    """The scopes each role may hold."""
    for role, scopes in ROLE_SCOPES.items():
        click.echo(f"{role.value}: {' '.join(sorted(scopes))}")
