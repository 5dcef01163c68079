"""Record ids: time-ordered UUIDs (RFC 9562 version 6).

A record's id is made where the record is made, on whichever PC, and must never collide with
another office's. Version 6 keeps that from a random clock sequence and node (RFC 9562 §6.10: a
random node has the multicast bit set), chosen once per process, with a 60-bit timestamp in
100-nanosecond steps that never repeats or goes back within the process.

Why not version 4 (122 random bits each): ids are most of an upload package. The ids of one
program run share their last 16 hex digits and start with the time, so the package's compression
finds them again; and new rows go to the end of the primary-key indexes instead of anywhere.
Reference data keeps its name-based version 5 ids (models.reference).
"""

from __future__ import annotations

import os
import secrets
import threading
import time
import uuid

# 100-nanosecond steps from the start of the Gregorian calendar (1582-10-15) to the Unix epoch.
GREGORIAN_OFFSET = 0x01B21DD213814000
_MULTICAST = 1 << 40


def ticks_of(unix_seconds: float) -> int:
    """The version 6 timestamp (100-nanosecond steps since 1582-10-15) of a Unix time."""
    return round(unix_seconds * 10_000_000) + GREGORIAN_OFFSET


def id_tail(clock_seq: int, node: int) -> int:
    """The last 64 bits of a version 6 id: the variant, the clock sequence and the (random) node."""
    return (0b10 << 62) | ((clock_seq & 0x3FFF) << 48) | (node & 0xFFFFFFFFFFFF) | _MULTICAST


def id_value(ticks: int, tail: int) -> int:
    """The 128 bits of the version 6 id of *ticks* with *tail* (from :func:`id_tail`)."""
    return ((ticks >> 12) << 80) | (6 << 76) | ((ticks & 0xFFF) << 64) | tail


class _Ids:
    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._last = 0
        self._tail = 0
        self.renew()

    def renew(self) -> None:
        """A new random clock sequence and node (a new process does this; so do tests of collisions)."""
        self._tail = id_tail(secrets.randbits(14), secrets.randbits(48))

    def __call__(self) -> uuid.UUID:
        with self._lock:
            ticks = time.time_ns() // 100 + GREGORIAN_OFFSET
            if ticks <= self._last:
                ticks = self._last + 1
            self._last = ticks
        return uuid.UUID(int=id_value(ticks, self._tail))


new_id = _Ids()
"""A new record id: ``new_id()``."""

if hasattr(os, "register_at_fork"):  # a forked child must not share its parent's clock sequence and node
    os.register_at_fork(after_in_child=new_id.renew)
