import click
from flask.cli import AppGroup
from sqlalchemy import func, select

from hub.cameras.credentials import issue_credential
from hub.cameras.models import Camera
from hub.db import unit_of_work
from hub.errors import HubError
from hub.extensions import db
from hub.identity.actors import operator

cameras = AppGroup("cameras", help="The camera registry.")


def find(reference: str) -> Camera:
    """A camera by id, or by name when the name is unique in the registry."""
    if reference.isascii() and reference.isdigit():
        camera = db.session.get(Camera, int(reference))
        if camera:
            return camera
    matches = list(db.session.scalars(select(Camera).where(func.lower(Camera.name) == reference.strip().lower())))
    if len(matches) == 1:
        return matches[0]
    if matches:
        raise click.ClickException(f"Several cameras are named '{reference}': use the id "
                                   f"({', '.join(str(c.id) for c in matches)}).")
    raise click.ClickException(f"No camera '{reference}' (give its id or exact name).")


@cameras.command("credential")
@click.argument("camera")
def credential_command(camera):
    """Issue or rotate CAMERA's ingest credential; printed alone on the last line."""
    try:
        with unit_of_work():
            target = find(camera)
            _, secret = issue_credential(operator(), target)
    except HubError as error:
        raise click.ClickException(f"{error.message} {error.errors}")
    click.echo(f"ingest credential for camera {target.id} ({target.name}); any earlier one is revoked")
    click.echo(secret)


@cameras.command("list")
def list_command():
    for camera in db.session.scalars(select(Camera).order_by(Camera.id)):
        click.echo(f"{camera.id}\t{camera.organisation.name}\t{camera.name}\t{camera.status.value}\t"
                   f"{camera.sharing_mode.value}")
