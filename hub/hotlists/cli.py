from pathlib import Path

import click
from flask.cli import AppGroup

from hub.db import unit_of_work
from hub.errors import HubError
from hub.hotlists.services import import_hot_file
from hub.identity.actors import operator

hotlists = AppGroup("hotlists", help="Hotlists.")


@hotlists.command("import")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
def import_command(file: Path):
    """Replace the state/NCIC batch with FILE (see hub/hotlists/services.py for its layout)."""
    try:
        with unit_of_work():
            batch = import_hot_file(operator(), file.read_bytes(), file_name=file.name)
    except HubError as error:
        raise click.ClickException(error.message)
    click.echo(f"imported {batch.entries} entries from {file.name} (import {batch.id})")
