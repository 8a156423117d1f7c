"""email.password_file is an organiser's path like the campaign file: a FIFO or a device there
must not hang the outbox worker or fill its memory (issue 10, point 3: never a hang)."""

from __future__ import annotations

import os
import threading

import pytest

from kiosk.delivery.outbox import OutboxService
from tests.support.letters import queue_letters
from tests.support.peers.smtp_server import USERNAME, FaultySMTPServer

DEADLINE = 60  # seconds: a drain against a local server takes well under one


@pytest.mark.parametrize("kind", ["fifo", "dev-zero"])
def test_a_password_file_that_is_no_file_blocks_sending_without_hanging(
        make_campaign, store, data_dir, tmp_path, kind):
    folder = tmp_path / "campaign"
    folder.mkdir()
    if kind == "fifo":
        os.mkfifo(folder / "smtp-password")
    else:
        (folder / "smtp-password").symlink_to("/dev/zero")
    with FaultySMTPServer() as server:
        campaign = make_campaign(host=server.host, port=server.port, security="none",
                                 username=USERNAME, password_file="smtp-password")
        assert any("email.password_file: " in w and "not a regular file" in w
                   for w in campaign.email.warnings(campaign.source.parent))
        queue_letters(store, campaign)
        results = []
        worker = threading.Thread(
            target=lambda: results.append(OutboxService(campaign, store).drain()),
            daemon=True)
        worker.start()
        worker.join(DEADLINE)
        assert not worker.is_alive(), "the drain is stuck reading the password file"
        (result,) = results
        assert result.blocked and "smtp-password" in result.blocked
        assert "not a regular file" in result.blocked
        assert server.messages == []
