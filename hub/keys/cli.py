"""`hub keys`: the state of the data keys, and the rotation of the
key-encryption key."""
import click
from flask.cli import AppGroup

from hub.db import unit_of_work
from hub.identity.actors import operator
from hub.keys import services
from hub.keys.envelope import PREVIOUS_SETTING, SETTING

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
