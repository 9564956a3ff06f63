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
    It also keeps count of what the server is serving, so a stopping server can wait for its
    HTTP requests and cut its websockets (`drain`)."""

    def handle_one_response(self):
        websocket = asks_for_websocket(self.environ)
        if websocket:
            self.server.websockets.add(self.socket)
        else:
            self.server.in_flight += 1
        try:
            super().handle_one_response()
        finally:
            if websocket:
                self.server.websockets.discard(self.socket)
            else:
                self.server.in_flight -= 1
        if websocket:
            self.close_connection = True
            close_after_websocket(self.socket)


class Server(pywsgi.WSGIServer):
    """gevent's WSGI server, knowing its open websockets and its HTTP requests in hand."""

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.in_flight = 0  # plain HTTP requests being answered (long-polls included)
        self.websockets: set = set()


def make_server(app, host: str, port: int) -> Server:
    """The server `serve.py` runs: what `socketio.run` builds under gevent (no access log,
    errors to stderr), with the websocket-closing handler."""
    return Server((host, port), app, handler_class=WebSocketClosingHandler, log=None)


DRAIN_SECONDS = 10.0  # how long a stopping server waits for the HTTP requests it is answering


def drain(server: Server, engineio_server, timeout: float = DRAIN_SECONDS) -> None:
    """Stop gracefully (SIGTERM under serve.py), for a load balancer that has stopped
    sending new requests here (cluster.py sets the server to `maint` first):

    - take no new connections;
    - answer every waiting long-poll with a no-op, so its client's next poll goes through
      the load balancer to another process, which does not know the connection: the client
      connects again there (a Socket.IO "close" instead would tell clients not to come back);
    - cut every websocket as a dying process would: its client reconnects by itself with
      its back-off and catches up by seq (docs/live-protocol.md);
    - wait until the HTTP requests already here are answered (at most `timeout`), then stop.
    """
    from engineio import packet  # noqa: PLC0415

    server.stop_accepting()  # not close(): that would end serve_forever, and the process, now
    server.socket.close()
    for connection in list(getattr(engineio_server, "sockets", {}).values()):
        if not connection.upgraded:
            try:
                connection.send(packet.Packet(packet.NOOP))
            except Exception:  # noqa: BLE001 - it is closing anyway
                pass
    for sock in list(server.websockets):
        try:
            sock.shutdown(socket.SHUT_RDWR)
        except OSError:
            pass
    deadline = time.monotonic() + timeout
    while server.in_flight > 0 and time.monotonic() < deadline:
        gevent.sleep(0.05)
    server.close()  # serve_forever returns: serve.py stops its worker, if any, and exits
