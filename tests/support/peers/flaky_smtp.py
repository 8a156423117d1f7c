"""An SMTP server on 127.0.0.1 for the event's outbox tests: it keeps the Message-ID of what it
accepted and, when asked, answers 451 to some recipients, drops the line after taking some
messages (the sender cannot know those arrived), or takes its time over one message. Seeded: the
same faults each run."""

from __future__ import annotations

import asyncio
import random
import threading
from email import message_from_bytes

from aiosmtpd.controller import Controller

from tests.support.postgres import free_port


class FlakyServer:
    """``temp_fail``, ``drop``: the share of recipients answered 451 and of messages whose
    line is dropped after they were taken; ``slow[message_id] = seconds`` delays one DATA."""

    def __init__(self, *, temp_fail: float = 0.0, drop: float = 0.0):
        self.received: list[str] = []  # Message-IDs, in the order they arrived
        self.lock = threading.Lock()
        self.rng = random.Random(1234)
        self.temp_fail, self.drop = temp_fail, drop
        self.slow: dict[str, float] = {}  # Message-ID -> seconds before its first DATA is answered
        self.port = free_port()
        self.controller = Controller(self, hostname="127.0.0.1", port=self.port,
                                     ready_timeout=5.0)

    async def handle_RCPT(self, server, session, envelope, address, options):
        with self.lock:
            fail = self.rng.random() < self.temp_fail
        if fail:
            return "451 4.3.0 Mailbox temporarily unavailable, try again later"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        header = str(message_from_bytes(envelope.original_content)["Message-ID"])
        message_id = "".join(header.split())  # unfolded
        with self.lock:
            drop = self.rng.random() < self.drop
            self.received.append(message_id)
            slow = self.slow.pop(message_id, 0.0)
        if slow:
            await asyncio.sleep(slow)
        if drop:
            server.transport.abort()  # taken, but the answer never reaches the sender
        return "250 OK"

    def __enter__(self) -> FlakyServer:
        self.controller.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.controller.stop()
