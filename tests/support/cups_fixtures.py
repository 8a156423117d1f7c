"""pytest fixtures for tests against a real CUPS scheduler (issue 13's groundwork).

``tests/conftest.py`` registers them, once, for every test module (a session that runs no
CUPS test starts no scheduler: the fixture is made when first asked for).

The fixtures:

- ``cups`` (session): a started :class:`~tests.support.cups.CupsScheduler`, removed at the end of
  the session. A test may ``stop()`` it; the next test that asks for ``cups_queue`` finds it
  started again (same socket, same queues).
- ``cups_queue`` (function): a fresh queue on it, a :class:`CupsQueue` (``name``, ``folder``
  where its jobs land as ``job-<N>.prn``), removed after the test.

A machine without CUPS fails these tests with what to install; it never skips them
(``scripts/setup`` installs Debian's ``cups-daemon`` and ``cups-client``).
"""

from __future__ import annotations

import secrets
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from tests.support.cups import CupsError, CupsMissing, CupsScheduler


@dataclass(frozen=True)
class CupsQueue:
    """A queue of the test scheduler and the folder its jobs are written to."""

    name: str
    folder: Path


@pytest.fixture(scope="session")
def cups() -> Iterator[CupsScheduler]:
    scheduler = CupsScheduler()
    try:
        scheduler.start()
    except (CupsMissing, CupsError) as e:
        scheduler.destroy()
        pytest.fail(str(e), pytrace=False)
    yield scheduler
    scheduler.destroy()


@pytest.fixture
def cups_queue(cups: CupsScheduler) -> Iterator[CupsQueue]:
    if not cups.running:  # an earlier test stopped it and failed before starting it
        cups.start()
    name = f"kiosk_{secrets.token_hex(4)}"
    yield CupsQueue(name, cups.add_queue(name))
    if not cups.running:
        cups.start()
    cups.run("cancel", "-a", name, check=False)
    cups.remove_queue(name)
