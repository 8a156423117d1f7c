"""The CUPS test harness itself (issue 13's groundwork): a private scheduler on a Unix socket, a
raw queue whose jobs land whole in a folder, a stopped queue holding a job, a rejecting queue,
and a scheduler that is not running. Runs as root too (cupsd's children run as ``lp``).

No test sleeps to let something happen: each polls the scheduler or the folder with a deadline.
"""

from __future__ import annotations

import os
import pwd
from pathlib import Path

import pytest

from tests.support.cups import CupsScheduler
from tests.support.cups_fixtures import CupsQueue

DEADLINE = 30.0  # seconds: generous, only reached when something is wrong


@pytest.fixture
def pdf(tmp_path: Path) -> Path:
    """A small file with a PDF's header and every byte value, to check nothing is altered."""
    path = tmp_path / "letter.pdf"
    path.write_bytes(b"%PDF-1.4\n" + bytes(range(256)) * 64 + b"\n\xc3\xa9t\xc3\xa9\n%%EOF\n")
    return path


def test_scheduler_is_private(cups: CupsScheduler) -> None:
    env = cups.env()
    assert env["CUPS_SERVER"] == str(cups.socket_path)
    assert cups.socket_path.is_socket()
    assert cups.scheduler_answers()


def test_job_arrives_intact(cups: CupsScheduler, cups_queue: CupsQueue, pdf: Path) -> None:
    job = cups.lp(cups_queue.name, pdf)
    assert job.startswith(f"{cups_queue.name}-")
    printed = cups.wait_printed(cups_queue.folder, job, timeout=DEADLINE)
    assert printed.read_bytes() == pdf.read_bytes()
    assert [j.id for j in cups.jobs("completed", cups_queue.name)] == [job]
    assert not list(cups_queue.folder.glob(".*.part"))


def test_each_job_its_own_file(cups: CupsScheduler, cups_queue: CupsQueue, pdf: Path,
                               tmp_path: Path) -> None:
    other = tmp_path / "other.pdf"
    other.write_bytes(b"%PDF-1.4\nanother letter\n%%EOF\n")
    first, second = cups.lp(cups_queue.name, pdf), cups.lp(cups_queue.name, other)
    assert cups.wait_printed(cups_queue.folder, first).read_bytes() == pdf.read_bytes()
    assert cups.wait_printed(cups_queue.folder, second).read_bytes() == other.read_bytes()
    assert len(list(cups_queue.folder.glob("job-*.prn"))) == 2


def test_stopped_queue_holds_the_job(cups: CupsScheduler, cups_queue: CupsQueue,
                                     pdf: Path) -> None:
    cups.stop_queue(cups_queue.name, reason="paper jam")
    assert "disabled" in cups.queue_status(cups_queue.name)
    job = cups.lp(cups_queue.name, pdf)
    pending = cups.jobs(queue=cups_queue.name)
    assert [j.id for j in pending] == [job]
    assert pending[0].size > 0
    # CUPS itself says why: the job stays pending while the queue is stopped.
    state = cups.run("lpstat", "-l", "-o", cups_queue.name).stdout
    assert job in state
    assert not list(cups_queue.folder.glob("job-*.prn"))
    cups.start_queue(cups_queue.name)
    printed = cups.wait_printed(cups_queue.folder, job, timeout=DEADLINE)
    assert printed.read_bytes() == pdf.read_bytes()
    assert cups.jobs(queue=cups_queue.name) == []


def test_rejecting_queue_refuses_lp(cups: CupsScheduler, cups_queue: CupsQueue,
                                    pdf: Path) -> None:
    cups.reject(cups_queue.name, reason="out of envelopes")
    assert "not accepting" in cups.queue_status(cups_queue.name)
    refused = cups.run("lp", "-d", cups_queue.name, str(pdf), check=False)
    assert refused.returncode != 0
    assert "not accepting" in refused.stderr.lower(), refused.stderr
    assert cups.jobs("all", cups_queue.name) == []
    cups.accept(cups_queue.name)
    job = cups.lp(cups_queue.name, pdf)
    assert cups.wait_printed(cups_queue.folder, job).read_bytes() == pdf.read_bytes()


def test_scheduler_not_running(pdf: Path) -> None:
    """Its own scheduler: stopped, the clients say so; started again, the queue is still there."""
    with CupsScheduler() as sched:
        folder = sched.add_queue("office")
        sched.stop()
        assert not sched.running
        status = sched.run("lpstat", "-r", check=False)
        assert "scheduler is not running" in status.stdout
        listing = sched.run("lpstat", "-p", check=False)
        assert listing.returncode != 0
        assert "scheduler is not running" in listing.stderr.lower(), listing.stderr
        # lp fails too, but CUPS 2.4 words it "The printer or class does not exist": the kiosk
        # must not show that to staff as is (ask lpstat -r, as above, to tell the two apart).
        refused = sched.run("lp", "-d", "office", str(pdf), check=False)
        assert refused.returncode != 0
        assert refused.stderr.strip(), "lp said nothing"
        sched.start()
        job = sched.lp("office", pdf)
        assert sched.wait_printed(folder, job).read_bytes() == pdf.read_bytes()
        base = sched.base
    assert base is not None and not base.exists()


def test_runs_children_as_lp_when_root(cups: CupsScheduler, cups_queue: CupsQueue,
                                       pdf: Path) -> None:
    job = cups.lp(cups_queue.name, pdf)
    printed = cups.wait_printed(cups_queue.folder, job)
    expected_owner = pwd.getpwnam("lp").pw_uid if os.geteuid() == 0 else os.geteuid()
    assert printed.stat().st_uid == expected_owner
