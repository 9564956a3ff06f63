"""The live namespace sends what handlers committed through one outbox: in commit order, and a
burst of events in one go (one sender for the burst) when LIVE_BATCH_DELAY is set."""
from __future__ import annotations

from forum.blueprints.live.events import LiveNamespace
from forum.services.live.stream import Outcome


class FakeSocketIO:
    """Records background tasks instead of running them, so the test decides when time passes."""

    def __init__(self) -> None:
        self.tasks: list = []

    def start_background_task(self, fn, *args):
        self.tasks.append((fn, args))

    def sleep(self, _seconds) -> None:
        pass


def _namespace(monkeypatch):
    namespace = LiveNamespace("/live")
    namespace.socketio = FakeSocketIO()
    sent: list[tuple] = []
    monkeypatch.setattr(namespace, "send_to", lambda room, name, payload: sent.append(
        (room, name, payload.get("seq"))))
    monkeypatch.setattr(namespace, "disconnect", lambda sid: sent.append(("kick", sid, None)))
    return namespace, sent


def _chat(seq: int) -> Outcome:
    return Outcome(events=[{"session_id": 7, "seq": seq}])


def test_a_burst_goes_out_in_commit_order_from_one_sender(app, monkeypatch):
    namespace, sent = _namespace(monkeypatch)
    app.testing, app.config["LIVE_BATCH_DELAY"] = False, 0.005
    try:
        with app.test_request_context("/"):
            namespace.publish(_chat(1))
            namespace.publish(Outcome(events=[{"session_id": 7, "seq": 2}],
                                      staff=[("queue", {"session_id": 7})], kick=["sid-x"]))
            namespace.publish(_chat(3))
    finally:
        app.testing = True
    assert sent == []  # nothing yet: the burst is still gathering
    assert len(namespace.socketio.tasks) == 1  # one sender for the whole burst
    fn, args = namespace.socketio.tasks[0]
    fn(*args)
    assert sent == [("live:7", "event", 1), ("live:7", "event", 2),
                    ("live:7:staff", "queue", None), ("kick", "sid-x", None),
                    ("live:7", "event", 3)]


def test_tests_and_zero_delay_send_at_once(app, monkeypatch):
    namespace, sent = _namespace(monkeypatch)
    with app.test_request_context("/"):
        namespace.publish(_chat(1))
    assert sent == [("live:7", "event", 1)] and namespace.socketio.tasks == []


def test_a_failed_send_does_not_hold_back_the_rest(app, monkeypatch, caplog):
    namespace, sent = _namespace(monkeypatch)

    def send_to(room, name, payload):
        if payload["seq"] == 1:
            raise RuntimeError("socket went away")
        sent.append((room, name, payload["seq"]))

    monkeypatch.setattr(namespace, "send_to", send_to)
    with app.test_request_context("/"):
        namespace.publish(Outcome(events=[{"session_id": 7, "seq": 1},
                                          {"session_id": 7, "seq": 2}]))
    assert sent == [("live:7", "event", 2)]
    assert "could not send event" in caplog.text
