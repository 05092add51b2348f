"""The ALPR partner-network hub: a Flask application organised by domain."""
from hub.app import create_app

__all__ = ["create_app"]
