"""Entry point for `flask --app wsgi` and for production servers: exposes `app` and `socketio`."""
from forum.app import create_app, freeze_startup_heap
from forum.extensions import socketio

app = create_app()
freeze_startup_heap()

__all__ = ["app", "socketio"]
