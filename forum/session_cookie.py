"""The signed session cookie, opened for less: Flask's own interface, with its serializer made
once per key (Flask builds one, and its signer, for every request), and no cookie work at all
for Socket.IO events, whose session Flask-SocketIO replaces anyway.

Why it matters: Flask-SocketIO pushes a request context for every Socket.IO event (a chat
included), and Flask opens the cookie session in each; then Flask-SocketIO swaps it for the
copy it took at connect time (`manage_session`, its default). The connect event itself still
opens the real cookie: that is where the member is signed in."""
from __future__ import annotations

from flask import Flask, Request
from flask.sessions import SecureCookieSession, SecureCookieSessionInterface
from itsdangerous import URLSafeTimedSerializer

# Flask-SocketIO keeps the session of a connection in its WSGI environ under this key from the
# connect event on, and puts it in place of ours in every later event's request context.
SOCKETIO_SESSION_KEY = "saved_session"


class SessionInterface(SecureCookieSessionInterface):
    """Flask's signed-cookie sessions (same cookie, same signature), cheaper to open."""

    def __init__(self) -> None:
        self._serializers: dict[tuple, URLSafeTimedSerializer] = {}

    def get_signing_serializer(self, app: Flask) -> URLSafeTimedSerializer | None:
        if not app.secret_key:
            return None
        key = (app.secret_key, tuple(app.config["SECRET_KEY_FALLBACKS"] or ()))
        serializer = self._serializers.get(key)
        if serializer is None:
            if len(self._serializers) > 8:  # keys changed (tests build many apps): start over
                self._serializers.clear()
            serializer = self._serializers[key] = super().get_signing_serializer(app)
        return serializer

    def open_session(self, app: Flask, request: Request) -> SecureCookieSession | None:
        if SOCKETIO_SESSION_KEY in request.environ:
            return self.session_class()  # replaced by the connection's own at once
        return super().open_session(app, request)
