import sys

import click
from flask.cli import AppGroup

from hub.db import unit_of_work
from hub.ledger import signing, tree
from hub.ledger.verification import export_lines, verify_ledger

ledger = AppGroup("ledger", help="The audit ledger.")


@ledger.command("verify")
def verify_command():
    """Recompute every hash and checkpoint; exit 1 naming the first bad entry."""
    problems = verify_ledger()
    if problems:
        for problem in problems:
            click.echo(f"FAILED: {problem}", err=True)
        sys.exit(1)
    click.echo("ledger intact")


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
    """Print the public key that checks checkpoint signatures."""
    click.echo(signing.public_key_pem(), nl=False)
