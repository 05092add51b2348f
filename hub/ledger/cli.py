import sys
import time
from pathlib import Path

import click
from flask import current_app
from flask.cli import AppGroup

from hub.db import unit_of_work
from hub.identity.actors import operator
from hub.ledger import signing, tree, witness as witnessing
from hub.ledger.services import rotate_signing_key
from hub.ledger.verifier import Coverage
from hub.ledger.verification import export_lines, unsealed_window, verify_ledger

ledger = AppGroup("ledger", help="The audit ledger.")


@ledger.command("verify")
@click.option("--against", "against", multiple=True, type=click.Path(dir_okay=False),
              help="A checkpoint note saved earlier (anywhere) that the ledger must extend; may repeat.")
@click.option("--sign-sample", "sign_sample", type=click.IntRange(min=0), default=None,
              help="Verify the signatures of only this many checkpoints drawn at random, and of the latest, "
                   "instead of every one. Every checkpoint's root is still checked against the entries; a "
                   "signature outside the sample is not checked. The default checks them all.")
def verify_command(against, sign_sample):
    """Recompute every hash, checkpoint and the owners' access-log index with
    the public keys only; exit 1 naming the first bad entry or checkpoint."""
    texts = []
    for path in against:
        try:
            texts.append(Path(path).read_text(encoding="utf-8"))
        except (OSError, UnicodeDecodeError) as error:
            click.echo(f"FAILED: cannot read the checkpoint {path}: {error}", err=True)
            sys.exit(2)
    coverage = Coverage()
    problems = verify_ledger(texts, sign_sample=sign_sample, coverage=coverage)
    window = unsealed_window().describe(current_app.config["LEDGER_CHECKPOINT_SECONDS"])
    if problems:
        for problem in problems:
            click.echo(f"FAILED: {problem}", err=True)
        click.echo(window)
        sys.exit(1)
    size = tree.sealed_size_or_zero()
    click.echo(f"ledger intact: {size} entries sealed and verified with the public keys")
    click.echo(f"checked against {coverage.describe()}")
    for path in against:
        click.echo(f"consistent with the checkpoint saved in {path}")
    click.echo(window)


@ledger.command("checkpoint")
def checkpoint_command():
    """Seal the entries committed since the last checkpoint and sign a new one."""
    with unit_of_work():
        checkpoint = tree.seal_and_checkpoint()
    if checkpoint is None:
        click.echo("nothing new since the last checkpoint")
    else:
        click.echo(f"checkpoint signed: size {checkpoint.tree_size}, root {checkpoint.root_hash}")


@ledger.command("export")
def export_command():
    """Write the ledger as JSON lines for `verifier.py export`."""
    for line in export_lines():
        click.echo(line)


@ledger.command("public-key")
def public_key_command():
    """Print the ledger's verifier keys (note vkeys), one a line: earlier keys
    first (they still verify the checkpoints they signed), the current key
    alone on the last line. The output is a keys file for `verifier.py`."""
    current = signing.current_verifier_key()
    for key in signing.verifier_keys():
        if key != current:
            click.echo(key.vkey)
    click.echo(current.vkey)


@ledger.command("rotate-key")
def rotate_key_command():
    """Sign from now on with a new key; the old public key stays listed."""
    with unit_of_work():
        _, new = rotate_signing_key(operator())
    click.echo("the ledger now signs with the key below; earlier keys stay listed for verification")
    click.echo(new)


@ledger.command("trust-witness")
@click.argument("vkey")
@click.option("--url", help="The witness's base URL, to push new checkpoints to it.")
def trust_witness_command(vkey, url):
    """Accept cosignatures on this hub's checkpoints from the witness VKEY."""
    with unit_of_work():
        witness = witnessing.trust_witness(operator(), vkey, url)
    click.echo(f"cosignatures by {witness.name} are now accepted")


@ledger.command("push-checkpoint")
def push_checkpoint_command():
    """Ask every trusted witness with a URL to cosign the latest checkpoint;
    exit 1 if any refused or could not be reached."""
    import requests

    with requests.Session() as session:
        outcomes = witnessing.push(session)
    for line in outcomes:
        click.echo(line)
    sys.exit(1 if any("REFUSED" in line or "could not" in line for line in outcomes) else 0)


witness = AppGroup("witness", help="Run this hub as a witness for other hubs' ledgers.")
ledger.add_command(witness)


@witness.command("key")
def witness_key_command():
    """Print this hub's witness verifier key alone on the last line."""
    click.echo(signing.witness_verifier_key().vkey)


@witness.command("follow")
@click.argument("origin")
@click.option("--key", "keys", multiple=True, required=True, help="The log's verifier key (vkey); may repeat.")
@click.option("--url", help="The other hub's base URL, to poll its /ledger/checkpoint.")
def follow_command(origin, keys, url):
    """Witness the log ORIGIN: cosign only checkpoints consistent with the last."""
    with unit_of_work():
        witnessing.follow_log(operator(), origin, list(keys), url)
    click.echo(f"now witnessing {origin}")


@witness.command("poll")
@click.option("--every", type=click.IntRange(min=1), help="Keep polling, every this many seconds.")
def poll_command(every):
    """Fetch each followed log's checkpoint and consistency proof, cosign, and
    hand the cosignature back; exit 1 if any log was refused."""
    import requests

    session = requests.Session()
    while True:
        outcomes = witnessing.poll(session)
        for line in outcomes:
            click.echo(line)
        if not every:
            sys.exit(1 if any("REFUSED" in line or "could not" in line for line in outcomes) else 0)
        time.sleep(every)
