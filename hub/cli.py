"""The `hub` console script: Flask's command group bound to the factory."""
import sys

from flask.cli import FlaskGroup
from sqlalchemy.exc import DBAPIError, TimeoutError as PoolTimeout

from hub.app import create_app
from hub.config import ConfigurationError
from hub.db_faults import is_unavailable
from policies import PolicyPackError

DATABASE_UNAVAILABLE = 3  # the exit status of a command the database failed


def main() -> None:
    try:
        FlaskGroup(create_app=create_app, help="The ALPR partner-network hub.")(prog_name="hub")
    except (PolicyPackError, ConfigurationError) as error:
        print(f"hub: cannot start: {error}", file=sys.stderr)
        sys.exit(2)
    except (DBAPIError, PoolTimeout) as error:
        if not is_unavailable(error):
            raise
        # Every command commits in units of work: what was committed stands,
        # the unit in hand was rolled back, and running it again goes on.
        print("hub: the database became unavailable; what was committed stands and nothing is half-written. "
              "Run the command again once the database is back.", file=sys.stderr)
        sys.exit(DATABASE_UNAVAILABLE)
