"""The WSGI entry point gunicorn serves."""
from hub import create_app

app = create_app()
