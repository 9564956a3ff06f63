"""Entry point for `flask --app wsgi` and for production servers: exposes `app` and `socketio`."""
from forum import create_app
from forum.extensions import socketio

app = create_app()

__all__ = ["app", "socketio"]
