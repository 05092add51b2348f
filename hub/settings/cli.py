import click
from flask.cli import AppGroup

from hub.db import unit_of_work
from hub.errors import HubError
from hub.settings import services
from hub.identity.actors import operator

settings = AppGroup("settings", help="Run-time settings.")


@settings.command("list")
def list_settings():
    for key, value in services.current_settings().items():
        click.echo(f"{key} = {value}")


@settings.command("set")
@click.argument("key")
@click.argument("value")
def set_setting(key, value):
    """Change a setting (ledgered, with the old and new value)."""
    try:
        with unit_of_work():
            services.change_settings(operator(), {key: value})
    except HubError as error:
        raise click.ClickException(f"{error.message} {error.errors}")
    click.echo(f"{key} = {value}")
