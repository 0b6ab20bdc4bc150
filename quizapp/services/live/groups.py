"""Group commit: the requests of one process that wait for the same work go in one transaction.

A live game's answers arrive in crowds (30 phones in a second, thousands in a big game), and
each one alone runs its own transaction: the game's lock, a read, a write, a commit, each a
round trip to the database. `Groups.run` lets the first request of a key (a game) lead: it
takes every request of that key waiting in this process, runs their work in one call (one
transaction), and hands each its own outcome. Requests that arrive meanwhile wait for the
next call, led by the first of them. Each request returns only when its work is committed,
so an acknowledged answer is still a stored answer.

Works with threads and with gevent's greenlets (the events are made per request, after
gevent patched the standard library). The mutex is held only while lists change, never
across a call that could switch greenlets.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Hashable, Sequence
from dataclasses import dataclass
from typing import Any

# At most this many requests in one call: one transaction stays short however big the crowd.
MAX_GROUP = 64


@dataclass
class _Waiter:
    """One request in the queue of its key."""

    item: Any
    done: threading.Event | None = None  # made for a request that waits (a leader does not)
    lead: bool = False  # woken to lead the next call rather than with an outcome
    outcome: Any = None
    failure: BaseException | None = None


class Groups:
    """Queues of waiting requests, by key; see the module's docstring."""

    def __init__(self, max_group: int = MAX_GROUP):
        self.max_group = max_group
        self._mutex = threading.Lock()
        self._queues: dict[Hashable, list[_Waiter]] = {}
        self._busy: set[Hashable] = set()

    def run(
        self,
        key: Hashable,
        item: Any,
        work: Callable[[Sequence[Any]], tuple[Sequence[Any], Any]],
    ) -> tuple[Any, Any, bool]:
        """Have `item` done by `work` together with the other items of `key` waiting now.

        `work(items)` returns (one outcome per item, in order; a report of the call). Returns
        (this item's outcome, the report, whether this request led the call: only the leader
        gets the report, others get None). If `work` raises, every request of its call raises
        the same exception.
        """
        me = _Waiter(item)
        with self._mutex:
            self._queues.setdefault(key, []).append(me)
            leads = key not in self._busy
            self._busy.add(key)
            if not leads:
                me.done = threading.Event()
        if not leads:
            me.done.wait()
            if not me.lead:
                if me.failure is not None:
                    raise me.failure
                return me.outcome, None, False
        with self._mutex:
            queue = self._queues[key]
            group, self._queues[key] = queue[: self.max_group], queue[self.max_group :]
        try:
            outcomes, report = work([waiter.item for waiter in group])
        except BaseException as error:
            for waiter in group:
                waiter.failure = error
            raise
        else:
            for waiter, outcome in zip(group, outcomes, strict=True):
                waiter.outcome = outcome
        finally:
            self._hand_on(key, group, me)
        return me.outcome, report, True

    def _hand_on(self, key: Hashable, group: list[_Waiter], leader: _Waiter) -> None:
        """Wake the group's requests with their outcomes, and the first request that came
        meanwhile to lead the next call (else the key is free again)."""
        with self._mutex:
            queue = self._queues.get(key)
            following = queue[0] if queue else None
            if following is None:
                self._queues.pop(key, None)
                self._busy.discard(key)
        for waiter in group:
            if waiter is not leader:
                waiter.done.set()
        if following is not None:
            following.lead = True
            following.done.set()
