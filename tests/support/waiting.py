"""Waiting for something to happen in another thread or process: a condition, never a delay."""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import TypeVar

T = TypeVar("T")


def wait_until(predicate: Callable[[], T], timeout: float = 60.0, interval: float = 0.02,
               what: str = "") -> T:
    """Poll ``predicate`` (every ``interval`` seconds) until it returns something truthy, and
    return that; fail the test after ``timeout``: a generous deadline, only ever reached when
    something is wrong (a busy machine is only slower)."""
    deadline = time.monotonic() + timeout
    while True:
        value = predicate()
        if value:
            return value
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out after {timeout} s waiting for {what or predicate}")
        time.sleep(interval)
