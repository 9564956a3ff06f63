"""serve.py's web server at the socket level: a connection that carried a websocket is never
read as HTTP again, and is closed once the websocket has ended (issue 17)."""
from __future__ import annotations

import base64
import os
import socket
import struct

import pytest

pytestmark = pytest.mark.transport


def _frame(opcode: int, payload: bytes) -> bytes:
    """A masked client frame (payloads under 126 bytes)."""
    mask = os.urandom(4)
    masked = bytes(b ^ mask[i % 4] for i, b in enumerate(payload))
    return bytes([0x80 | opcode, 0x80 | len(payload)]) + mask + masked


def _open_websocket(server) -> socket.socket:
    sock = socket.create_connection(("127.0.0.1", server.port), timeout=5)
    key = base64.b64encode(os.urandom(16)).decode()
    sock.sendall((f"GET /socket.io/?EIO=4&transport=websocket HTTP/1.1\r\n"
                  f"Host: 127.0.0.1:{server.port}\r\nUpgrade: websocket\r\n"
                  f"Connection: Upgrade\r\nSec-WebSocket-Key: {key}\r\n"
                  f"Sec-WebSocket-Version: 13\r\n\r\n").encode())
    received = b""
    while b"\r\n\r\n" not in received:
        received += sock.recv(4096)
    assert received.startswith(b"HTTP/1.1 101")
    return sock


def _until_closed(sock: socket.socket) -> bytes:
    """Everything the server sends until it closes the connection (socket.timeout if it
    never does)."""
    received = b""
    while chunk := sock.recv(4096):
        received += chunk
    return received


@pytest.mark.parametrize("last_words", [
    # the close frame, then the frames python-socketio's disconnect may send after it
    [_frame(0x8, struct.pack("!H", 1000)), _frame(0x1, b"41/live,"), _frame(0x1, b"1")],
    # the Engine.IO close packet first: the server ends the websocket, the close frame follows
    [_frame(0x1, b"1"), _frame(0x8, struct.pack("!H", 1000))],
])
def test_the_connection_closes_after_its_websocket_and_no_frame_is_read_as_http(
        servers, last_words):
    server = servers()
    sock = _open_websocket(server)
    for frame in last_words:
        sock.sendall(frame)
    try:
        after = _until_closed(sock)  # a connection kept alive ends in socket.timeout here
    finally:
        sock.close()
    assert b"HTTP/1.1" not in after  # no 400 written into the websocket
    assert server.problems() == []
