"""Live events: one broker interface, in-process or Redis pub/sub, and the SSE stream.

A worker process keeps ONE hub that fans events out to per-connection queues
(CTFd's design). With the in-process broker, `publish` hands the event to the
hub directly, which is right when one process serves everything (SQLite).
With Redis, `publish` goes to a channel and ONE subscriber per process (a
thread, a greenlet under gevent) feeds the hub; so every worker's
connections get every event, whichever worker published it.

Events with a `seq` are also stored as LiveEvent rows (by the game service);
a client reconnecting with Last-Event-ID is caught up from the database, so
the broker may lose a message without a client losing a state change.
Events without `seq` are transient (answer counts, joins for the host).
"""

from __future__ import annotations

import hashlib
import logging
import os
import queue
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field

import orjson

log = logging.getLogger(__name__)

QUEUE_SIZE = 512


@dataclass(frozen=True)
class Event:
    """One message of a session: its type, data, log position (None if transient), audience."""

    type: str
    data: dict = field(default_factory=dict)
    seq: int | None = None
    # all: players, host and projector; host: host and projector only.
    audience: str = "all"
    # What the streams of this process send of the event, serialised once for all of them
    # (see snapshot.sse_for): one event object reaches every stream of the process.
    rendered: dict = field(default_factory=dict, compare=False, repr=False)

    def to_json(self, session_id: int) -> bytes:
        """Serialise for a pub/sub channel."""
        return dumps(
            {"s": session_id, "t": self.type, "d": self.data, "q": self.seq, "a": self.audience}
        )

    @staticmethod
    def from_json(text: str | bytes) -> tuple[int, Event]:
        """Parse what to_json wrote; return the session id and the event."""
        raw = orjson.loads(text)
        return raw["s"], Event(raw["t"], raw["d"], raw["q"], raw["a"])


def dumps(data) -> bytes:
    """Return compact JSON (UTF-8) of an event's data: orjson, many times faster than json."""
    return orjson.dumps(data, option=orjson.OPT_NON_STR_KEYS)


# Internal control message: the stream ends so the client reconnects and catches up.
RESYNC = Event("resync")


class Subscription:
    """One connection's bounded queue of one session's events."""

    def __init__(self, hub: Hub, session_id: int, audience: str):
        self.hub = hub
        self.session_id = session_id
        self.audience = audience
        self._queue: queue.Queue[Event] = queue.Queue(maxsize=QUEUE_SIZE)
        self.closed = False
        # Set once RESYNC is queued: the stream ends there, so later events are of no use.
        self.resyncing = False

    def put(self, event: Event) -> None:
        """Queue an event; a connection too slow to keep up is told to resync instead."""
        if self.resyncing:
            return
        try:
            self._queue.put_nowait(event)
        except queue.Full:
            self.overflow()

    def overflow(self) -> None:
        """Drop what is queued and leave only RESYNC, so the client catches up from the log."""
        self.resyncing = True
        while True:
            try:
                self._queue.get_nowait()
            except queue.Empty:
                break
        self._queue.put_nowait(RESYNC)

    def get(self, timeout: float) -> Event | None:
        """Return the next event, or None after `timeout` seconds without one."""
        try:
            return self._queue.get(timeout=timeout)
        except queue.Empty:
            return None

    def close(self) -> None:
        """Stop receiving events."""
        if not self.closed:
            self.closed = True
            self.hub.remove(self)

    def __enter__(self) -> Subscription:
        """Use as a context manager that closes the subscription."""
        return self

    def __exit__(self, *exc) -> None:
        """Close on leaving the block."""
        self.close()


class Hub:
    """The per-process fan-out from published events to the connections' queues."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._subs: dict[int, dict[str, set[Subscription]]] = {}
        # Called with (session_id, event) for every event this process sees (deadline timers).
        self.observers: list[Callable[[int, Event], None]] = []

    def add(self, session_id: int, audience: str) -> Subscription:
        """Register a new connection's queue."""
        sub = Subscription(self, session_id, audience)
        with self._lock:
            self._subs.setdefault(session_id, {}).setdefault(audience, set()).add(sub)
        return sub

    def remove(self, sub: Subscription) -> None:
        """Forget a connection's queue."""
        with self._lock:
            groups = self._subs.get(sub.session_id, {})
            groups.get(sub.audience, set()).discard(sub)
            if not any(groups.values()):
                self._subs.pop(sub.session_id, None)

    def count(self, session_id: int | None = None) -> int:
        """Return how many connections listen (to one session, or to all)."""
        with self._lock:
            sessions = [self._subs.get(session_id, {})] if session_id else self._subs.values()
            return sum(len(s) for groups in sessions for s in groups.values())

    def dispatch(self, session_id: int, event: Event) -> None:
        """Hand an event to every queue of its session and audience."""
        with self._lock:
            groups = self._subs.get(session_id, {})
            if event.audience == "all":
                targets = [s for subs in groups.values() for s in subs]
            else:
                targets = list(groups.get(event.audience, ()))
        for sub in targets:
            sub.put(event)
        self.notify(session_id, event)

    def notify(self, session_id: int, event: Event) -> None:
        """Show an event to the observers only (e.g. the deadline timers)."""
        for observer in self.observers:
            try:
                observer(session_id, event)
            except Exception:  # an observer's bug must not stop the fan-out
                log.exception("live event observer failed")

    def resync_all(self) -> None:
        """Tell every connection to reconnect and catch up (after the feed was interrupted)."""
        with self._lock:
            targets = [s for groups in self._subs.values() for g in groups.values() for s in g]
        for sub in targets:
            sub.overflow()


class Broker:
    """Publish a session's events and subscribe to them; see the module docstring."""

    def __init__(self) -> None:
        self.hub = Hub()

    def publish(self, session_id: int, event: Event) -> None:
        """Deliver an event to every subscriber of the session, in any worker."""
        raise NotImplementedError

    def subscribe(self, session_id: int, audience: str = "all") -> Subscription:
        """Return a queue of the session's events from now on."""
        return self.hub.add(session_id, audience)

    def close(self) -> None:
        """Release connections and background listeners."""


class InProcessBroker(Broker):
    """Events stay in this process: right when one process serves the app (the default)."""

    def publish(self, session_id: int, event: Event) -> None:
        """Fan the event out to this process's subscribers."""
        self.hub.dispatch(session_id, event)


class RedisBroker(Broker):
    """Events go through Redis pub/sub; ONE subscriber per process feeds the local hub."""

    def __init__(self, url: str, namespace: str = "") -> None:
        import redis

        super().__init__()
        self.url = url
        # Channels are global across Redis databases: scope them to this app's database.
        self.prefix = f"quizapp:live:{namespace}:"
        self._redis = redis.Redis.from_url(url)
        self._lock = threading.Lock()
        self._listener: threading.Thread | None = None
        self._listener_pid = 0
        self._ready = threading.Event()
        self._stopped = False

    def publish(self, session_id: int, event: Event) -> None:
        """Send the event to the session's channel."""
        self._redis.publish(f"{self.prefix}{session_id}", event.to_json(session_id))
        if self._listener is None or self._listener_pid != os.getpid():
            # Nobody listens in this process, so the hub would not see it: its timers must.
            self.hub.notify(session_id, event)

    def subscribe(self, session_id: int, audience: str = "all") -> Subscription:
        """Register a queue, starting this process's listener first if needed."""
        self._ensure_listener()
        return super().subscribe(session_id, audience)

    def _ensure_listener(self) -> None:
        """Start the listener once per process (again after a fork) and wait until it listens."""
        with self._lock:
            if self._listener is None or self._listener_pid != os.getpid():
                self._ready.clear()
                self._listener_pid = os.getpid()
                self._listener = threading.Thread(
                    target=self._listen, name="live-redis-listener", daemon=True
                )
                self._listener.start()
        # Subscribing before the pattern is active could lose the first events.
        if not self._ready.wait(timeout=5):
            log.warning("redis listener not ready after 5 s; clients will resync")

    def _listen(self) -> None:
        """Feed the hub from Redis; after an interruption, every client resyncs."""
        import redis

        interrupted = False
        while not self._stopped:
            pubsub = None
            try:
                client = redis.Redis.from_url(self.url, health_check_interval=30)
                pubsub = client.pubsub(ignore_subscribe_messages=True)
                pubsub.psubscribe(f"{self.prefix}*")
                while pubsub.get_message(timeout=1.0) is not None:
                    pass  # drain the subscribe confirmation
                self._ready.set()
                if interrupted:
                    self.hub.resync_all()
                    interrupted = False
                while not self._stopped:
                    message = pubsub.get_message(timeout=5.0)
                    if message and message["type"] == "pmessage":
                        session_id, event = Event.from_json(message["data"])
                        self.hub.dispatch(session_id, event)
            except (redis.RedisError, OSError) as error:
                log.warning("redis listener interrupted (%s); reconnecting", error)
                interrupted = True
                self._ready.clear()
                time.sleep(1)
            finally:
                if pubsub is not None:
                    try:
                        pubsub.close()
                    except (redis.RedisError, OSError):
                        pass

    def close(self) -> None:
        """Stop the listener and close the connection pool."""
        self._stopped = True
        self._redis.close()


def make_broker(redis_url: str | None, database_uri: str = "") -> Broker:
    """Return a Redis broker when REDIS_URL is set, else the in-process one."""
    if redis_url:
        namespace = hashlib.sha256(database_uri.encode()).hexdigest()[:10]
        return RedisBroker(redis_url, namespace)
    return InProcessBroker()


# Log positions are 64-bit integers in the database.
MAX_POSITION = 2**63 - 1


def event_position(raw: str | None) -> int:
    """Return the log position a client says it has seen (Last-Event-ID or ?after=).

    Anything but plain ASCII digits naming a position the log can hold ("²", "-1", "1.5",
    thousands of digits) counts as 0: the client is caught up from the start.
    """
    if not raw or len(raw) > 19 or not (raw.isascii() and raw.isdigit()):
        return 0
    value = int(raw)
    return value if value <= MAX_POSITION else 0


def sse_message(event: Event, data: dict | None = None) -> str:
    """Format one server-sent event: `id:` is the log position, `event:` the type."""
    lines = []
    if event.seq is not None:
        lines.append(f"id: {event.seq}")
    lines.append(f"event: {event.type}")
    payload = dumps(event.data if data is None else data).decode()
    lines.append(f"data: {payload}")
    return "\n".join(lines) + "\n\n"


def sse_stream(
    sub: Subscription,
    backlog: list[Event],
    after: int,
    personalise: Callable[[Event], dict | None],
    fill_gap: Callable[[int, int], list[Event]],
    heartbeat_s: float = 10.0,
    retry_ms: int = 2000,
    render: Callable[[Event], tuple[str, bool] | None] | None = None,
) -> Iterator[str]:
    """Yield a client's SSE stream: the backlog, then live events, with heartbeats.

    `personalise(event)` returns the data this client sees (None: skip the event);
    `render(event)`, if given, returns instead the whole message and whether it is the
    last one (so parts shared by every stream are serialised once per process).
    `fill_gap(after, before)` returns logged events the broker did not deliver
    (pub/sub may reorder or drop); the stream ends after a final event
    (`podium` ends nothing; `closed` and a player's `kicked` do) or a RESYNC.
    """
    if render is None:

        def render(event: Event) -> tuple[str, bool] | None:
            data = personalise(event)
            return None if data is None else (sse_message(event, data), bool(data.get("final")))

    last = after
    try:
        yield f"retry: {retry_ms}\n\n"
        pending = list(backlog)
        while True:
            for event in pending:
                if event is RESYNC or event.type == "resync":
                    yield sse_message(RESYNC, {})
                    return
                if event.seq is not None:
                    if event.seq <= last:
                        continue  # already sent (backlog and live overlap)
                    if event.seq > last + 1:
                        for missing in fill_gap(last, event.seq):
                            message = render(missing)
                            last = max(last, missing.seq or last)
                            if message is not None:
                                yield message[0]
                    last = event.seq
                message = render(event)
                if message is None:
                    continue
                yield message[0]
                if message[1]:
                    return
            event = sub.get(timeout=heartbeat_s)
            # A comment line: proxies see traffic and keep the stream open.
            pending = [event] if event is not None else []
            if event is None:
                yield ": ping\n\n"
    finally:
        sub.close()
