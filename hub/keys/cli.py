"""`hub keys`: the state of the data keys, and the rotation of the
key-encryption key."""
import click
from flask.cli import AppGroup

from hub.db import unit_of_work
from hub.errors import HubError
from hub.identity.actors import operator
from hub.keys import restore, services
from hub.keys.envelope import PREVIOUS_SETTING, SETTING
from hub.retention.purge import remove_all_tombstoned_images

keys = AppGroup("keys", help="Data keys and the key-encryption key.")


@keys.command("status")
def status_command():
    """Which key-encryption keys are configured and how many data keys each wraps."""
    with unit_of_work():
        state = services.status()
    click.echo(f"current key-encryption key: {state['current']}")
    for fingerprint, count in sorted(state["live_keys_by_kek"].items(), key=lambda item: str(item[0])):
        mark = "" if fingerprint in state["configured"] else "  (NOT CONFIGURED)"
        click.echo(f"  {count} live data key(s) wrapped by {fingerprint}{mark}")
    click.echo(f"destroyed data keys: {state['destroyed_keys']}")


@keys.command("rotate-kek", help=(
    f"Re-wrap every data key under the key-encryption key now configured. Put the new key in {SETTING} and the "
    f"old one in {PREVIOUS_SETTING}, restart the hub (it opens keys wrapped by either), run this; when it says it "
    f"is done, remove {PREVIOUS_SETTING}. An interrupted run is finished by the next."))
@click.option("--batch", type=click.IntRange(1, 100000), default=services.REWRAP_BATCH, show_default=True,
              help="Data keys re-wrapped per transaction.")
def rotate_kek_command(batch: int):
    total = 0
    while True:
        with unit_of_work():
            done = services.rewrap_batch(operator(), batch=batch)
        total += done
        if done < batch:
            break
    click.echo(f"{total} data key(s) re-wrapped; every live data key is now under "
               f"{services.ring().store.current.fingerprint}. {PREVIOUS_SETTING} may be removed.")


@keys.command("reconcile", help=(
    "After restoring the database from a backup: list the live data keys whose file the key store no longer holds "
    "(destroyed after the backup); with --destroy, destroy on record the reads and alerts they sealed, then the keys. "
    "Run it with HUB_DATA_KEY_STORE naming the live key store (or its mirror), never an older copy."))
@click.option("--destroy", is_flag=True, help="Destroy what the missing keys sealed (otherwise only list it).")
def reconcile_command(destroy: bool):
    try:
        with unit_of_work():
            missing = restore.missing_keys()
            for item in missing:
                click.echo(f"organisation {item.key.organisation_id}, {item.key.day}: no key file; "
                           f"{item.reads} read(s) sealed under it")
            if destroy:
                done = restore.destroy_missing(operator(), missing)
    except HubError as error:
        raise click.ClickException(error.message)
    if not missing:
        click.echo("every live data key is in the key store")
    elif destroy:
        images = remove_all_tombstoned_images()
        click.echo(f"{done['reads_destroyed']} read(s) destroyed, {done['reads_held']} kept by holds, "
                   f"{images} image(s) removed, {done['keys_destroyed']} data key(s) destroyed")
    else:
        click.echo("run again with --destroy to destroy them on record")
