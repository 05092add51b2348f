import click
from flask import current_app
from flask.cli import AppGroup

from hub.db import unit_of_work
from hub.demo.services import HOT_PLATE, load_demo
from hub.ledger.tree import seal_and_checkpoint

demo = AppGroup("demo", help="The Corcoran demo network.")


@demo.command("load")
def load_command():
    """Load (or confirm) the demo network and print its logins."""
    with unit_of_work():
        network = load_demo()
    with unit_of_work():  # the demo's ledger ends sealed under a signed checkpoint
        seal_and_checkpoint()
    click.echo("Demo network loaded: Corcoran Police Department, 9 city cameras, "
               "Bass Lake Preserve HOA (2 cameras), Corcoran Country Market (1 camera), Rogers Police Department.")
    click.echo(f"Demo logins (kept in {current_app.instance_path}/demo-credentials.json):")
    for login in network.logins:
        line = f"  {login.username:<24} {login.role.value:<17} password {login.password}"
        if login.totp_secret:
            line += f"  TOTP key {login.totp_secret}"
        click.echo(line)
    click.echo("Add a TOTP key to any authenticator app (or run `oathtool --totp -b KEY`) for the second factor.")
    click.echo(f"OAuth client 'Corcoran records system (demo)': client_id {network.client_id}, "
               f"client_secret {network.client_secret}")
    click.echo(f"Hotlisted demo plate {HOT_PLATE}: one of the demo reads is an alert on the officer's board.")
