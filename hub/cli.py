"""The `hub` console script: Flask's command group bound to the factory."""
from flask.cli import FlaskGroup

from hub.app import create_app


def main() -> None:
    FlaskGroup(create_app=create_app, help="The ALPR partner-network hub.")(prog_name="hub")
