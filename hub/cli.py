"""The `hub` console script: Flask's command group bound to the factory."""
import sys

from flask.cli import FlaskGroup

from hub.app import create_app
from hub.config import ConfigurationError
from policies import PolicyPackError


def main() -> None:
    try:
        FlaskGroup(create_app=create_app, help="The ALPR partner-network hub.")(prog_name="hub")
    except (PolicyPackError, ConfigurationError) as error:
        print(f"hub: cannot start: {error}", file=sys.stderr)
        sys.exit(2)
