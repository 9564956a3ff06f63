"""The live room's Socket.IO namespace `/live`. Handlers unpack, call one service, and broadcast
what the service has already committed. Every client event is answered by its ack:
{"ok": true, ...} or {"ok": false, "error": {"code", "message"}}."""
from __future__ import annotations

import functools
import logging
import threading
import time
import uuid
from collections import deque

from flask import current_app, request
from flask_babel import gettext as _
from flask_login import current_user
from flask_socketio import ConnectionRefusedError, Namespace

from forum.blueprints.deliberation import events as deliberation_events
from forum.blueprints.sockets import refuse_foreign_origin
from forum.exceptions import DomainError, Forbidden
from forum.extensions import db
from forum.models.accounts import Scope, User
from forum.services import accounts
from forum.services.deliberation import positions as deliberation_positions
from forum.services.deliberation import room as deliberation_room
from forum.services.live import moderation as live_moderation
from forum.services.live import room as live_room
from forum.services.live import stream
from forum.services.live.stream import Outcome
from forum.services.security import sessions

log = logging.getLogger(__name__)

EVENT_SCOPES = {"on_join": Scope.READ, "on_leave": Scope.READ, "on_moderate": Scope.MODERATE}


def _error(code: str, message: str) -> dict:
    return {"ok": False, "error": {"code": code, "message": message}}


def _refused(code: str, message: str) -> ConnectionRefusedError:
    """A refused connection: the client's connect_error gets {"message": message, "data":
    {"code", "message"}} (a single dict argument would reach it only as its str())."""
    return ConnectionRefusedError(message, {"code": code, "message": message})


def acknowledged(fn=None, *, signed_in: bool = True):
    """Turn a handler into the ack protocol: payload must be an object; domain errors and
    surprises become error acks, the transaction is rolled back, the connection stays up.
    The handler gets the signed-in member, or with `signed_in=False` only the payload (it
    then calls `self.user()` itself where it needs the member)."""
    if fn is None:
        return functools.partial(acknowledged, signed_in=signed_in)

    @functools.wraps(fn)
    def handler(self: LiveNamespace, *args):
        data = args[0] if len(args) == 1 else None
        if not isinstance(data, dict):
            return _error("invalid", _("Send one JSON object with the event."))
        try:
            self.require_scope(fn.__name__)
            outcome: Outcome = fn(self, self.user(), data) if signed_in else fn(self, data)
            self.publish(outcome)
            log.debug("live %s ok", fn.__name__)  # the record carries the connection's id
            return {"ok": True, **outcome.reply}
        except DomainError as err:
            db.session.rollback()
            log.info("live %s refused: %s", fn.__name__, err.code)
            return _error(err.code, err.message)
        except Exception:  # noqa: BLE001 - any surprise is logged and acked, never fatal
            db.session.rollback()
            current_app.logger.exception("live event %s failed", fn.__name__)
            return _error("internal", _("Something went wrong on our side."))

    return handler


class SocketRegistry:
    """Which sockets each server process holds, kept in Redis when several processes share
    the rooms: one set per process, which expires unless its process renews it. A process
    that dies takes its set with it, so the others can tell its presence rows are dead."""

    def __init__(self, url: str, timeout: float = 60) -> None:
        import redis

        # A blocking pool: a reconnect storm (a thousand sockets arriving from a process that
        # died) waits for one of 20 connections instead of failing the connect handlers.
        pool = redis.BlockingConnectionPool.from_url(url, socket_timeout=5, max_connections=20,
                                                     timeout=10)
        self.redis = redis.Redis(connection_pool=pool)
        self.key = f"forum:live:sockets:{uuid.uuid4().hex}"
        # The set lives `timeout` seconds unless renewed; it is renewed three times as often.
        self.ttl = max(1, round(timeout))
        self.beat_every = timeout / 3

    # When Redis lost the sets (a restart without persistence), every process refills its own
    # at its next beat. Until all could have, a missing set says nothing: this key, set once
    # by whichever process notices first, tells since when the sets have been filling.
    SINCE = "forum:live:sockets-since"

    def add(self, sid: str) -> None:
        self.redis.pipeline().sadd(self.key, sid).expire(self.key, self.ttl) \
            .set(self.SINCE, time.time(), nx=True).execute()

    def remove(self, sid: str) -> None:
        self.redis.srem(self.key, sid)

    def beat(self, sids) -> None:
        """Renew this process's set (and refill it, should Redis have lost it)."""
        pipe = self.redis.pipeline()
        if sids:
            pipe.sadd(self.key, *sids)
        pipe.expire(self.key, self.ttl).set(self.SINCE, time.time(), nx=True).execute()

    def live_sids(self) -> set[str] | None:
        """The sockets every live process holds; None while the sets may still be refilling
        (less than a TTL since Redis had none)."""
        since = self.redis.get(self.SINCE)
        if since is None or time.time() - float(since) < self.ttl:
            return None
        keys = list(self.redis.scan_iter(match="forum:live:sockets:*", count=100))
        return {sid.decode() for sid in self.redis.sunion(keys)} if keys else set()


class LiveNamespace(Namespace):
    """One namespace object per server process; `users` maps this process's sockets to
    members (a restarted process starts empty and clients reconnect).

    Presence rows (`Connection`) outlive a process that dies. So the first socket a process
    serves makes it forget those: alone (no Redis), every row but its own sockets'; with
    Redis, the rows that no live process holds, checked again at every heartbeat
    (LIVE_PRESENCE_TIMEOUT / 3: 20 s by default), so the members of a process that died
    leave the presence within LIVE_PRESENCE_TIMEOUT × 4/3 (80 s)."""

    def __init__(self, namespace: str = "/live") -> None:
        super().__init__(namespace)
        self.users: dict[str, int] = {}
        self.logins: dict[str, int | None] = {}  # socket -> its sign-in session record
        self.scopes: dict[str, frozenset[Scope]] = {}  # sockets signed in with a token
        self._presence_due: set[int] = set()
        # What handlers committed, waiting to be sent in order (see `publish`).
        self._outbox: deque[tuple] = deque()
        self._outbox_due = False
        self._outbox_lock = threading.Lock()
        self._started = False
        self._registry: SocketRegistry | None = None

    def on_connect(self, auth=None):
        refuse_foreign_origin()
        user, login_id = None, None
        if isinstance(auth, dict) and auth.get("token"):
            token = accounts.token_for_secret(auth["token"])
            if token is None:
                log.info("live connection refused: bad token")
                raise _refused("bad_token", _("The access token is not valid."))
            user = token.user
            self.scopes[request.sid] = token.scope_set
        elif current_user.is_authenticated:
            user, login_id = current_user._get_current_object(), sessions.current_id()
        if user is None:
            log.info("live connection refused: not signed in")
            raise _refused("unauthorized", _("Please sign in to join live sessions."))
        log.info("live connection opened by member %s", user.id)
        self.users[request.sid] = user.id
        self.logins[request.sid] = login_id
        if self._registry is not None:
            self._registry.add(request.sid)
        if not self._started:
            self._started = True
            self._start(current_app._get_current_object())

    def on_disconnect(self, reason=None):
        log.info("live connection closed")
        self.users.pop(request.sid, None)
        self.logins.pop(request.sid, None)
        self.scopes.pop(request.sid, None)
        if self._registry is not None:
            self._registry.remove(request.sid)
        for session in live_room.disconnect(request.sid):
            self.presence_soon(session.id)

    def _start(self, app) -> None:
        """This process's first socket: forget presence that died with earlier processes."""
        if app.config.get("REDIS_URL"):
            self._registry = SocketRegistry(app.config["REDIS_URL"],
                                            float(app.config["LIVE_PRESENCE_TIMEOUT"]))
            self._registry.add(request.sid)
            self.socketio.start_background_task(self._keep_beating, app)
        self.forget_dead_connections()

    def forget_dead_connections(self) -> None:
        try:
            if self._registry is None:
                changed = live_room.forget_dead_connections(set(self.users), every_row=True)
            else:
                live = self._registry.live_sids()
                if live is None:
                    return  # Redis lost the sets a moment ago: ask again at the next beat
                changed = live_room.forget_dead_connections(
                    live, every_row=False,
                    stale_after=float(current_app.config["LIVE_PRESENCE_TIMEOUT"]))
        except Exception:  # noqa: BLE001 - presence is repaired next time; sockets go on
            db.session.rollback()
            current_app.logger.exception("could not forget dead live connections")
            return
        for session_id in changed:
            self.presence_soon(session_id)

    def _keep_beating(self, app) -> None:
        while True:
            self.socketio.sleep(self._registry.beat_every)
            with app.app_context():
                try:
                    self._registry.beat(list(self.users))
                except Exception as err:  # noqa: BLE001 - Redis away for a moment: try again
                    app.logger.warning("live socket registry heartbeat failed: %r", err)
                    continue
                self.forget_dead_connections()

    def presence_soon(self, session_id: int) -> None:
        """Broadcast the room's presence after a short delay, once for all the joins and
        leaves in between: a reconnect storm of N clients costs N messages, not N squared."""
        app = current_app._get_current_object()
        delay = app.config.get("LIVE_PRESENCE_DELAY", 0 if app.testing else 1.0)
        if not delay:  # tests: at once, so no thread outlives the test's database
            self._emit_presence(session_id)
        elif session_id not in self._presence_due:
            self._presence_due.add(session_id)
            self.socketio.start_background_task(self._presence_later, app, session_id, delay)

    def _presence_later(self, app, session_id: int, delay: float) -> None:
        self.socketio.sleep(delay)
        self._presence_due.discard(session_id)
        with app.app_context():  # its own session, removed when the context ends
            self._emit_presence(session_id)

    def _emit_presence(self, session_id: int) -> None:
        session = db.session.get(stream.LiveSession, session_id)
        if session is not None:
            self.send_to(stream.room(session_id), "presence", stream.presence(session))

    def sids_of(self, user_id: int, login_id: int | None = None) -> set[str]:
        """This process's sockets of a member: of one sign-in session, or (None) all."""
        return {sid for sid, uid in list(self.users.items()) if uid == user_id
                and (login_id is None or self.logins.get(sid) == login_id)}

    def require_scope(self, handler: str) -> None:
        """A socket signed in with a token may do what its scopes allow: join and leave with
        `read`, moderate with `moderate`, everything else (chat, ask, vote ...) with `write`.
        A browser's session may do all, as its member."""
        scopes = self.scopes.get(request.sid)
        needed = EVENT_SCOPES.get(handler, Scope.WRITE)
        if scopes is not None and needed not in scopes:
            raise Forbidden(_("This token lacks the '%(scope)s' scope.", scope=needed.value),
                            code="insufficient_scope")

    def user(self) -> User:
        user = db.session.get(User, self.users.get(request.sid, 0))
        if user is None or not user.is_active:
            raise Forbidden(_("Please sign in again."), code="unauthorized")
        return user

    def send_to(self, room: str, name: str, payload: dict) -> None:
        self.socketio.emit(name, payload, to=room, namespace=self.namespace)

    def publish(self, outcome: Outcome, session_id: int | None = None) -> None:
        """Broadcast what the service committed: events in seq order, then the rest.

        Everything goes out through one outbox, in the order it was committed, a moment
        (LIVE_BATCH_DELAY, 5 ms) after the first of a burst: when many members write at once,
        every socket then gets the burst's messages in one wake-up instead of one at a time,
        which is what a busy room costs most. Tests send at once."""
        for wire in outcome.events:
            session_id = wire["session_id"]
            self._outbox.append((stream.room(session_id), "event", wire))
        for name, payload in outcome.staff:
            self._outbox.append((stream.staff_room(payload["session_id"]), name, payload))
        for user_id, name, payload in outcome.personal:
            self._outbox.append((stream.member_room(payload["session_id"], user_id), name,
                                 payload))
        for sid in outcome.kick:
            self._outbox.append((None, "disconnect", sid))  # no room: a socket to close
        self._send_outbox_soon()
        if outcome.presence and session_id is not None:
            self.presence_soon(session_id)

    def _send_outbox_soon(self) -> None:
        app = current_app._get_current_object()
        delay = 0 if app.testing else app.config["LIVE_BATCH_DELAY"]
        if not delay:
            self._send_outbox()
        elif not self._outbox_due:
            self._outbox_due = True
            self.socketio.start_background_task(self._send_outbox_later, delay)

    def _send_outbox_later(self, delay: float) -> None:
        self.socketio.sleep(delay)
        self._outbox_due = False
        self._send_outbox()

    def _send_outbox(self) -> None:
        with self._outbox_lock:  # one sender at a time keeps the order
            while self._outbox:
                room, name, payload = self._outbox.popleft()
                try:
                    if room is None:
                        self.disconnect(payload)
                    else:
                        self.send_to(room, name, payload)
                except Exception:  # noqa: BLE001 - the rest still goes; clients catch up by seq
                    log.exception("live room could not send %s", name)

    @acknowledged
    def on_join(self, user, data) -> Outcome:
        session_id = data.get("session_id")
        room = stream.room(session_id)
        already_in = room in self.socketio.server.rooms(request.sid, namespace=self.namespace)
        login_id = self.logins.get(request.sid)
        if not sessions.is_alive(login_id):  # signed out since connecting (see live.sockets)
            raise Forbidden(_("Your session has ended. Please sign in again."), code="unauthorized")
        self.enter_room(request.sid, room)  # before reading missed events: none slip between
        try:
            outcome = live_room.join(user, session_id, request.sid, data.get("after_seq"),
                                     login_session_id=login_id)
        except DomainError:
            if not already_in:  # a bad re-join must not cut a member off the room
                self.leave_room(request.sid, room)
            raise
        self.enter_room(request.sid, stream.member_room(session_id, user.id))
        if outcome.reply["state"]["me"]["staff"]:
            self.enter_room(request.sid, stream.staff_room(session_id))
        outcome.reply["proposals"] = deliberation_room.room_state(user, session_id)
        self.publish(outcome, session_id)
        outcome.presence = False
        return outcome

    @acknowledged
    def on_leave(self, user, data) -> Outcome:
        session_id = data.get("session_id")
        outcome = live_room.leave(user, session_id, request.sid)
        self.leave_room(request.sid, stream.room(session_id))
        self.leave_room(request.sid, stream.staff_room(session_id))
        self.leave_room(request.sid, stream.member_room(session_id, user.id))
        self.publish(outcome, session_id)
        outcome.presence = False
        return outcome

    @acknowledged(signed_in=False)
    def on_chat(self, data) -> Outcome:
        """The room's busiest event: the quick path first (no ORM objects); when it cannot
        decide, the member is loaded and `chat` gives the precise answer."""
        session_id, body = data.get("session_id"), data.get("body")
        return live_room.quick_chat(self.users.get(request.sid), session_id, body,
                                    request.sid) \
            or live_room.chat(self.user(), session_id, body, request.sid)

    @acknowledged
    def on_ask(self, user, data) -> Outcome:
        return live_room.ask(user, data.get("session_id"), data.get("body"), request.sid)

    @acknowledged
    def on_upvote(self, user, data) -> Outcome:
        return live_room.upvote(user, data.get("question_id"), request.sid)

    @acknowledged
    def on_hand(self, user, data) -> Outcome:
        return live_room.hand(user, data.get("session_id"), data.get("raised"), request.sid)

    @acknowledged
    def on_vote(self, user, data) -> Outcome:
        return live_room.vote(user, data.get("poll_id"), data.get("choice"), request.sid)

    @acknowledged
    def on_position(self, user, data) -> Outcome:
        """A position on one of the session's proposals; watchers of the proposal's own
        page hear of it too (see forum/blueprints/deliberation/events.py)."""
        outcome, taken = deliberation_positions.take_in_room(
            user, data.get("proposal_id"), data.get("stance"), data.get("reason"), request.sid)
        if taken.changed:
            deliberation_events.publish("proposal", taken.position.proposal_id, taken.broadcast)
        return outcome

    @acknowledged
    def on_moderate(self, user, data) -> Outcome:
        session_id = data.get("session_id")
        outcome = live_moderation.moderate(user, session_id, data.get("action"), data,
                                           request.sid)
        if outcome.presence:
            self.publish(Outcome(presence=True), session_id)
            outcome.presence = False
        return outcome


def broadcast(outcome: Outcome) -> None:
    """Send what a service committed outside a socket handler (an API request) to the room,
    through the same Socket.IO server (or its Redis queue), events in seq order."""
    from forum.extensions import socketio  # noqa: PLC0415

    for wire in outcome.events:
        socketio.emit("event", wire, to=stream.room(wire["session_id"]), namespace="/live")
    for name, payload in outcome.staff:
        socketio.emit(name, payload, to=stream.staff_room(payload["session_id"]),
                      namespace="/live")
    for user_id, name, payload in outcome.personal:
        socketio.emit(name, payload, to=stream.member_room(payload["session_id"], user_id),
                      namespace="/live")
