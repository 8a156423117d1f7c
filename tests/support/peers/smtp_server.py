"""A real SMTP server for tests: aiosmtpd on 127.0.0.1, switchable into the faults mail servers
really produce (421, 451, 452, 550, 554, 535, no STARTTLS, a dropped or silent connection).

aiosmtpd 1.4.6 cannot listen on port 0 (#276), so ``free_port()`` asks the OS for one first.
"""

from __future__ import annotations

import asyncio
import socket
import ssl
import threading
from dataclasses import dataclass, field
from email import message_from_bytes, policy
from email.message import EmailMessage

from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult, LoginPassword

USERNAME = "kiosk@example.org"
PASSWORD = "corréct horse"  # non-ASCII on purpose: the password file is UTF-8

# name -> (hook it applies to, reply). "drop" closes the connection; "hang" stops answering.
FAULTS = {
    "421": ("MAIL", "421 4.3.2 Service not available, closing transmission channel"),
    "451": ("RCPT", "451 4.3.0 Mailbox temporarily unavailable, try again later"),
    "452": ("RCPT", "452 4.5.3 Insufficient system storage"),
    "550": ("RCPT", "550 5.1.1 No such user here"),
    "554": ("DATA", "554 5.7.1 Message rejected: looks like spam"),
    "535": ("AUTH", ""),
    "drop_data": ("DATA", "drop"),
    "hang_mail": ("MAIL", "hang"),
    "hang_data": ("DATA", "hang"),
}


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@dataclass
class Received:
    mail_from: str
    rcpt_tos: list[str]
    data: bytes

    @property
    def message(self) -> EmailMessage:
        # As a mailbox stores it: CRLF on the wire, LF on disk.
        raw = self.data.replace(b"\r\n", b"\n")
        return message_from_bytes(raw, policy=policy.default)  # type: ignore[return-value]

    @property
    def message_id(self) -> str:
        return str(self.message["Message-ID"]).strip()  # folded: "Message-ID:\n <...>"


@dataclass
class _Fault:
    name: str
    times: int | None  # None: until cleared
    after: int  # let this many matching events through first


@dataclass
class Handler:
    messages: list[Received] = field(default_factory=list)
    logins: list[str] = field(default_factory=list)
    ehlos: int = 0
    data_delay: float = 0.0  # a slow server: seconds before each DATA is answered
    fault: _Fault | None = None
    refuse_rcpt: dict[str, str] = field(default_factory=dict)  # address -> reply
    release: threading.Event = field(default_factory=threading.Event)
    changed: threading.Condition = field(default_factory=threading.Condition)
    hung: threading.Event = field(default_factory=threading.Event)

    def _take(self, hook: str) -> str | None:
        """The fault's reply if it applies to this event."""
        f = self.fault
        if f is None or FAULTS[f.name][0] != hook:
            return None
        if f.after > 0:
            f.after -= 1
            return None
        if f.times is not None:
            f.times -= 1
            if f.times <= 0:
                self.fault = None
        return FAULTS[f.name][1]

    async def _hang(self) -> None:
        self.hung.set()
        loop = asyncio.get_running_loop()
        await loop.run_in_executor(None, self.release.wait, 30)

    async def handle_EHLO(self, server, session, envelope, hostname, responses):
        session.host_name = hostname
        with self.changed:
            self.ehlos += 1
        return responses

    async def handle_MAIL(self, server, session, envelope, address, options):
        reply = self._take("MAIL")
        if reply == "hang":
            await self._hang()
            return "451 4.3.0 too late"
        if reply:
            return reply
        envelope.mail_from = address
        envelope.mail_options.extend(options)
        return "250 OK"

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        if address in self.refuse_rcpt:
            return self.refuse_rcpt[address]
        reply = self._take("RCPT")
        if reply:
            return reply
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        if self.data_delay:
            await asyncio.sleep(self.data_delay)
        reply = self._take("DATA")
        if reply and reply not in ("drop", "hang"):
            return reply
        # Recorded before a drop or a hang: the server has the message, the client cannot know.
        with self.changed:
            self.messages.append(Received(envelope.mail_from, list(envelope.rcpt_tos),
                                          bytes(envelope.original_content)))
            self.changed.notify_all()
        if reply == "drop":
            server.transport.abort()
            return "250 OK"  # never reaches the client
        if reply == "hang":
            await self._hang()
        return "250 OK"

    def authenticate(self, server, session, envelope, mechanism, auth_data) -> AuthResult:
        if self._take("AUTH") is not None:
            return AuthResult(success=False, handled=False)
        ok = (isinstance(auth_data, LoginPassword) and auth_data.login.decode() == USERNAME
              and auth_data.password.decode("utf-8") == PASSWORD)
        if ok:
            self.logins.append(USERNAME)
        return AuthResult(success=ok, handled=False)


class FaultySMTPServer:
    """``with FaultySMTPServer() as server: ...``; ``server.set_fault("451", times=1)``."""

    def __init__(self, port: int | None = None, *, tls: ssl.SSLContext | None = None,
                 implicit_tls: bool = False):
        self.host = "127.0.0.1"
        self.port = port or free_port()
        self.handler = Handler()
        kwargs: dict = {"authenticator": self.handler.authenticate, "auth_require_tls": False}
        if tls is not None and implicit_tls:
            kwargs["ssl_context"] = tls
        elif tls is not None:
            kwargs["tls_context"] = tls
        self.controller = Controller(self.handler, hostname=self.host, port=self.port,
                                     ready_timeout=5.0, **kwargs)

    def start(self) -> FaultySMTPServer:
        self.controller.start()
        with self.handler.changed:
            self.handler.ehlos = 0  # the controller's own start-up probe does not count
        return self

    def stop(self) -> None:
        self.handler.release.set()
        self.controller.stop()

    def __enter__(self) -> FaultySMTPServer:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    # --- controlling and observing -------------------------------------------------------------

    def set_fault(self, name: str | None, *, times: int | None = None, after: int = 0) -> None:
        assert name is None or name in FAULTS, name
        self.handler.fault = _Fault(name, times, after) if name else None
        self.handler.release.clear()
        self.handler.hung.clear()

    def release(self) -> None:
        """Let a hanging handler answer again."""
        self.handler.release.set()

    @property
    def messages(self) -> list[Received]:
        with self.handler.changed:
            return list(self.handler.messages)

    def wait_for_messages(self, n: int, timeout: float = 60.0) -> list[Received]:
        with self.handler.changed:
            ok = self.handler.changed.wait_for(lambda: len(self.handler.messages) >= n, timeout)
        assert ok, f"expected {n} messages, server has {len(self.messages)}"
        return self.messages

