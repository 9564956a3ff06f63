"""The gevent web server `serve.py` runs: gevent's WSGI server, with a handler that never reads
a connection as HTTP again once it has carried a websocket, and closes it when the websocket ends.

Why: without gevent-websocket, Flask-SocketIO's websockets run on simple-websocket, which in
gevent mode reads a duplicate of the connection's socket while gevent's handler keeps the
original. When the websocket ends, the WSGI call returns normally, and the handler, seeing an
HTTP/1.1 request without `Connection: close`, would read the next "request" off the same
connection: the client's last websocket frames (a namespace disconnect, the close frame). It
then logged "Invalid HTTP method", sent a 400 into the websocket, and left the connection open,
so the client waited for a close that never came (issue 17)."""
from __future__ import annotations

import socket
import time

import gevent
from gevent import pywsgi

LINGER_SECONDS = 2.0  # how long a client gets to finish its side of a websocket close


def asks_for_websocket(environ: dict) -> bool:
    """True for a request that asks to upgrade its connection to a websocket."""
    return environ.get("HTTP_UPGRADE", "").lower() == "websocket"


def close_after_websocket(sock, linger: float = LINGER_SECONDS) -> None:
    """Close a connection whose websocket has ended, gracefully: stop sending (the peer sees
    our close frame, then the end of the stream), read and drop what the peer still sends
    until it closes its side (or `linger` runs out), then stop reading as well. Draining first
    means the final close sends FIN, not RST, so nothing we sent before is thrown away; the
    read shutdown wakes simple-websocket's reader, which holds a duplicate of the socket."""
    try:
        sock.shutdown(socket.SHUT_WR)
        with gevent.Timeout(linger, False):
            while sock.recv(65536):
                pass
    except OSError:
        pass  # the peer is gone already
    try:
        sock.shutdown(socket.SHUT_RD)
    except OSError:
        pass


class WebSocketClosingHandler(pywsgi.WSGIHandler):
    """gevent's handler, except that a request which asked for a websocket is the last one on
    its connection: no keep-alive after it, and the connection is closed once it is over.
    It also counts the plain HTTP requests being answered, so a stopping server can wait
    for them (`drain`)."""

    def handle_one_response(self):
        websocket = asks_for_websocket(self.environ)
        if not websocket:
            self.server.in_flight += 1
        try:
            super().handle_one_response()
        finally:
            if not websocket:
                self.server.in_flight -= 1
        if websocket:
            self.close_connection = True
            close_after_websocket(self.socket)


class Server(pywsgi.WSGIServer):
    in_flight = 0  # plain HTTP requests being answered now (websockets are not counted)


def make_server(app, host: str, port: int) -> Server:
    """The server `serve.py` runs: what `socketio.run` builds under gevent (no access log,
    errors to stderr), with the websocket-closing handler."""
    return Server((host, port), app, handler_class=WebSocketClosingHandler, log=None)


DRAIN_SECONDS = 10.0  # how long a stopping server waits for the HTTP requests it is answering


def drain(server: Server, engineio_server, timeout: float = DRAIN_SECONDS) -> None:
    """Stop gracefully (SIGTERM under serve.py): take no new connections, close every
    Socket.IO connection (its client reconnects, through the load balancer to another
    process, and catches up by seq; a pending long-polling request is answered with the
    close), wait until the HTTP requests already here are answered (at most `timeout`),
    then stop the server. A load balancer that still sends requests here sees the port
    closed and retries them elsewhere (HAProxy: `retries` with `option redispatch`)."""
    server.close()
    try:
        engineio_server.disconnect()  # every client of this process
    except Exception:  # noqa: BLE001 - the server stops either way
        pass
    deadline = time.monotonic() + timeout
    while server.in_flight > 0 and time.monotonic() < deadline:
        gevent.sleep(0.05)
    server.stop(timeout=1)
