"""A kiosk process sending a queue is killed with SIGKILL mid-drain and started again: every
email ends delivered, and any duplicate carries the same Message-ID as its original."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from collections import Counter
from pathlib import Path

import pytest

from kiosk.store import outbox as q
from tests.support.letters import queue_letters, states
from tests.support.waiting import wait_until

ROOT = Path(__file__).resolve().parent.parent

pytestmark = pytest.mark.skipif(os.name != "posix", reason="SIGKILL and pid checks are POSIX")


def _send_process(campaign, data_dir) -> subprocess.Popen:
    return subprocess.Popen(
        [sys.executable, "-m", "kiosk", "outbox", "send", "--config", str(campaign.source),
         "--data-dir", str(data_dir)],
        cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
    )


def _kill(proc: subprocess.Popen) -> None:
    proc.send_signal(signal.SIGKILL)
    proc.communicate(timeout=10)  # reaped: until then the pid still "exists" (a zombie)
    assert proc.returncode == -signal.SIGKILL


def _check_everything_delivered(store, server, n: int) -> Counter:
    assert set(states(store).values()) == {"sent"}
    ids = {r[0] for r in store.conn.execute("SELECT message_id FROM outbox")}
    assert len(ids) == n
    received = Counter(m.message_id for m in server.messages)
    assert set(received) == ids  # nothing lost
    for mid in received:
        assert len({m.data for m in server.messages if m.message_id == mid}) == 1
    return received


def test_killed_while_the_server_holds_an_email_then_restarted(
    mail_campaign, store, data_dir, smtp_server
):
    queue_letters(store, mail_campaign, visitors=6, recipients=("pm", "ircc"))  # 12 emails
    # The 5th email reaches the server, which then holds its verdict: the process is killed
    # in the worst possible moment, with the email possibly delivered.
    smtp_server.set_fault("hang_data", times=1, after=4)
    first = _send_process(mail_campaign, data_dir)
    try:
        assert smtp_server.handler.hung.wait(20), "the drain never reached the 5th email"
    finally:
        _kill(first)
    smtp_server.release()
    assert len(smtp_server.messages) == 5
    rows = states(store)
    assert list(rows.values()).count("sent") == 4 and list(rows.values()).count("sending") == 1

    second = _send_process(mail_campaign, data_dir)
    out, err = second.communicate(timeout=30)
    assert second.returncode == 0, err
    assert "sent 8, failed 0" in out  # the interrupted one and the seven never tried

    received = _check_everything_delivered(store, smtp_server, 12)
    twice = [mid for mid, n in received.items() if n == 2]
    assert len(twice) == 1 and sum(received.values()) == 13
    [item] = [i for i in q.list_items(store) if i.message_id == twice[0]]
    assert item.maybe_delivered and item.attempts == 2


def test_killed_at_a_random_moment_then_restarted(mail_campaign, store, data_dir, smtp_server):
    queue_letters(store, mail_campaign, visitors=15, recipients=("pm", "ircc"))  # 30 emails
    smtp_server.handler.data_delay = 0.02  # a slowish server, so the kill lands mid-drain
    first = _send_process(mail_campaign, data_dir)
    try:
        smtp_server.wait_for_messages(3, timeout=20)
    finally:
        _kill(first)
    assert len(smtp_server.messages) < 30, "the drain finished before it could be killed"
    smtp_server.handler.data_delay = 0.0

    second = _send_process(mail_campaign, data_dir)
    out, err = second.communicate(timeout=30)
    assert second.returncode == 0, err
    assert "failed 0, still waiting 0" in out
    wait_until(lambda: len(smtp_server.messages) >= 30)
    received = _check_everything_delivered(store, smtp_server, 30)
    assert sum(received.values()) - 30 <= 1  # at most the one in flight at the kill
