"""The WSGI entry point gunicorn serves."""
from hub import create_app
from hub.runtime import tune_garbage_collector

app = create_app()
tune_garbage_collector()
