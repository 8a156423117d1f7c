"""Talking SMTP: one connection reused across emails, and every failure given a verdict.

The verdict decides what happens to the email, so it is made carefully:

* ``RETRY``    nothing was delivered and trying later may work: the server could not be reached,
               stopped answering before DATA, or answered 4xx (421, 451, 452...).
* ``UNKNOWN``  the connection broke after the message was handed over (after the 354 of DATA)
               and before the server's verdict: it may have arrived. Retried with the same
               Message-ID, so a duplicate, if any, is recognisable as one.
* ``FAILED``   the server refused this email for good (5xx); its answer is kept for staff.
* ``BLOCKED``  a problem with the kiosk's settings rather than this email: login rejected (535),
               STARTTLS required but not offered, the TLS handshake failed, no password. Emails
               are not marked failed (nothing is wrong with them and staff would have to retry
               each one); they wait, and the outbox stops trying for a long while, because
               repeating a rejected login can get the sending account locked.
"""

from __future__ import annotations

import base64
import contextlib
import os
import re
import smtplib
import ssl
import time
from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING

from kiosk.delivery.message import message_bytes
from kiosk.i18n import tr

# A connection that answered a whole email this long ago is taken as still open (servers drop
# idle ones after a minute or more); older, a NOOP asks first.
ALIVE_SECONDS = 5.0

if TYPE_CHECKING:
    from email.message import EmailMessage

    from kiosk.config import EmailSettings
    from kiosk.delivery.message import Envelope


class Outcome(StrEnum):
    SENT = "sent"
    RETRY = "retry"
    UNKNOWN = "unknown"
    FAILED = "failed"
    BLOCKED = "blocked"


@dataclass(frozen=True)
class SendResult:
    outcome: Outcome
    code: int | None = None
    detail: str = ""  # what happened, for staff; includes the server's own answer
    unreachable: bool = False  # the server could not be reached or talked to at all
    note: str | None = None  # something staff should know even though the email went out


class _Stop(Exception):
    """Internal: ends the dialogue for one email with ``result``."""

    def __init__(self, result: SendResult):
        self.result = result


def _answer(resp: bytes | str) -> str:
    text = resp.decode("utf-8", "replace") if isinstance(resp, bytes) else str(resp)
    return " ".join(text.split())[:500]


_DOT_AT_LINE_START = re.compile(rb"(?m)^\.")


class Mailer:
    """Sends one email at a time over a connection it opens on demand and keeps open.

    Not thread-safe: the outbox worker and a foreground drain each have their own.
    ``ssl_context`` is for tests and unusual servers; by default the system's trusted CAs and
    hostname checking apply.
    """

    def __init__(
        self,
        settings: EmailSettings,
        *,
        lang: str = "en",
        base_dir: Path | None = None,
        ssl_context: ssl.SSLContext | None = None,
    ):
        self.settings = settings
        self.lang = lang
        self.base_dir = base_dir or Path.cwd()
        self.ssl_context = ssl_context
        self._smtp: smtplib.SMTP | None = None
        # Until then the open connection is known alive (it just answered a whole email): no
        # NOOP before the next one, one round trip less an email in a drain.
        self._alive_until = 0.0

    @property
    def server(self) -> str:
        return f"{self.settings.host}:{self.settings.port}"

    def _t(self, key: str, **values: object) -> str:
        return tr(f"email.error.{key}", self.lang, server=self.server, **values)

    # --- connection ------------------------------------------------------------------------------

    def _password(self) -> str | None:
        s = self.settings
        if s.password_env:
            value = os.environ.get(s.password_env)
            if not value:
                raise _Stop(SendResult(Outcome.BLOCKED, detail=self._t(
                    "password_env_missing", name=s.password_env)))
            return value
        if s.password_file:
            from kiosk.config.devices import PASSWORD_FILE_MAX_BYTES
            from kiosk.config.reading import UnreadableFile, read_text_file

            path = self.base_dir / Path(s.password_file).expanduser()
            try:
                # One line; the newline an editor adds is not part of the password. Read
                # without blocking and bounded: a FIFO or /dev/zero there must not hang the worker.
                return read_text_file(path, PASSWORD_FILE_MAX_BYTES).rstrip("\r\n")
            except UnreadableFile as e:
                raise _Stop(SendResult(Outcome.BLOCKED, detail=self._t(
                    "password_file_unreadable", path=path, reason=e.reason))) from None
        return None

    def _context(self) -> ssl.SSLContext:
        return self.ssl_context or ssl.create_default_context()

    def _connect(self) -> smtplib.SMTP:
        s = self.settings
        host = s.host or ""
        try:
            if s.security == "ssl":
                smtp: smtplib.SMTP = smtplib.SMTP_SSL(
                    host, s.port, timeout=s.timeout_seconds, context=self._context())
            else:
                smtp = smtplib.SMTP(host, s.port, timeout=s.timeout_seconds)
        except smtplib.SMTPConnectError as e:  # the greeting was not 220
            raise _Stop(self._refusal(e.smtp_code, e.smtp_error, connecting=True)) from None
        except ssl.SSLError as e:
            raise _Stop(SendResult(Outcome.BLOCKED, detail=self._t(
                "tls_failed", reason=_answer(str(e))))) from None
        except (OSError, smtplib.SMTPException) as e:
            raise _Stop(self._unreachable(e)) from None
        try:
            smtp.ehlo()
            if s.security == "starttls":
                if not smtp.has_extn("starttls"):
                    # Never fall back to plain text: the password and letters would go in clear.
                    raise _Stop(SendResult(Outcome.BLOCKED, detail=self._t("starttls_missing")))
                smtp.starttls(context=self._context())
                smtp.ehlo()
            if s.username:
                _login(smtp, s.username, self._password() or "")
        except _Stop:
            _close_quietly(smtp)
            raise
        except smtplib.SMTPAuthenticationError as e:
            _close_quietly(smtp)
            if 400 <= e.smtp_code < 500:  # 454: temporary authentication failure
                raise _Stop(self._refusal(e.smtp_code, e.smtp_error, connecting=True)) from None
            raise _Stop(SendResult(Outcome.BLOCKED, e.smtp_code, self._t(
                "auth_rejected", code=e.smtp_code, answer=_answer(e.smtp_error)))) from None
        except smtplib.SMTPNotSupportedError:
            _close_quietly(smtp)
            raise _Stop(SendResult(Outcome.BLOCKED, detail=self._t("auth_unsupported"))) from None
        except smtplib.SMTPResponseException as e:
            _close_quietly(smtp)
            raise _Stop(self._refusal(e.smtp_code, e.smtp_error, connecting=True)) from None
        except ssl.SSLError as e:
            _close_quietly(smtp)
            raise _Stop(SendResult(Outcome.BLOCKED, detail=self._t(
                "tls_failed", reason=_answer(str(e))))) from None
        except (OSError, smtplib.SMTPException) as e:
            _close_quietly(smtp)
            raise _Stop(self._unreachable(e)) from None
        return smtp

    def _connection(self) -> smtplib.SMTP:
        """The open connection, checked with NOOP (servers drop idle ones) unless it answered
        a moment ago, or a new one."""
        if self._smtp is not None and time.monotonic() < self._alive_until:
            return self._smtp
        if self._smtp is not None:
            try:
                if self._smtp.noop()[0] == 250:
                    return self._smtp
            except (OSError, smtplib.SMTPException):
                pass
            self.close()
        self._smtp = self._connect()
        return self._smtp

    def close(self) -> None:
        self._alive_until = 0.0
        smtp, self._smtp = self._smtp, None
        if smtp is not None:
            try:
                smtp.quit()
            except (OSError, smtplib.SMTPException):
                _close_quietly(smtp)

    # --- verdicts --------------------------------------------------------------------------------

    def _unreachable(self, e: BaseException, key: str = "unreachable") -> SendResult:
        timed_out = isinstance(e, TimeoutError) or isinstance(e.__context__, TimeoutError) or (
            "timed out" in str(e))
        if timed_out:
            detail = self._t("timeout", seconds=self.settings.timeout_seconds)
        else:
            detail = self._t(key, reason=_answer(str(e) or e.__class__.__name__))
        return SendResult(Outcome.RETRY, detail=detail, unreachable=True)

    def _refusal(self, code: int, resp: bytes | str, *, connecting: bool = False) -> SendResult:
        answer = _answer(resp)
        if 400 <= code < 500:
            return SendResult(Outcome.RETRY, code, self._t("temporary", code=code, answer=answer),
                              unreachable=connecting)
        if connecting:  # e.g. 554 in the greeting: this server will not take mail from us
            return SendResult(Outcome.BLOCKED, code, self._t(
                "server_refuses", code=code, answer=answer))
        return SendResult(Outcome.FAILED, code, self._t("refused", code=code, answer=answer))

    # --- one email -------------------------------------------------------------------------------

    def send(self, msg: EmailMessage, envelope: Envelope) -> SendResult:
        """Hand one email to the server and say what became of it. Never raises for SMTP."""
        unchecked = self._smtp is not None and time.monotonic() < self._alive_until
        try:
            smtp = self._connection()
        except _Stop as stop:
            return stop.result
        try:
            result = self._dialogue(smtp, msg, envelope)
        except _Stop as stop:
            if stop.result.outcome is not Outcome.SENT:
                self._reset_or_close(stop.result)
            result = stop.result
        except (OSError, smtplib.SMTPException) as e:
            # Before DATA was accepted: nothing can have been delivered.
            self.close()
            if unchecked:
                # The connection was taken as alive without a NOOP and was not: as if the
                # NOOP had found it closed, open a new one, once.
                return self.send(msg, envelope)
            return self._unreachable(e, "disconnected")
        if self._smtp is not None:
            self._alive_until = time.monotonic() + ALIVE_SECONDS
        return result

    def _expect(self, reply: tuple[int, bytes], *ok: int) -> None:
        code, resp = reply
        if code not in ok:
            raise _Stop(self._refusal(code, resp))

    def _dialogue(self, smtp: smtplib.SMTP, msg: EmailMessage, env: Envelope) -> SendResult:
        self._expect(smtp.mail(env.mail_from), 250)
        self._expect(smtp.rcpt(env.recipient), 250, 251)
        note = None
        if env.copy_to:
            # The visitor's copy must never cost the letter: if it is refused, the letter goes
            # without it (retrying would send the letter twice to the recipient).
            code, resp = smtp.rcpt(env.copy_to)
            if code == 421:
                raise _Stop(self._refusal(code, resp))
            if code not in (250, 251):
                note = tr("email.note.copy_refused", self.lang, code=code, answer=_answer(resp))
        smtp.putcmd("data")
        self._expect(smtp.getreply(), 354)
        # From here on the server holds (part of) the message: a break means "unknown".
        payload = _DOT_AT_LINE_START.sub(b"..", message_bytes(msg))
        if not payload.endswith(b"\r\n"):
            payload += b"\r\n"
        try:
            smtp.send(payload + b".\r\n")
            code, resp = smtp.getreply()
        except (OSError, smtplib.SMTPException) as e:
            self.close()
            reason = self._unreachable(e, "disconnected").detail
            return SendResult(Outcome.UNKNOWN, detail=self._t("dropped_during_data", reason=reason),
                              unreachable=True)
        if code != 250:
            raise _Stop(self._refusal(code, resp))
        return SendResult(Outcome.SENT, code, _answer(resp), note=note)

    def _reset_or_close(self, result: SendResult) -> None:
        """After a refusal, make the connection fit for the next email, or drop it."""
        if self._smtp is None:
            return
        if result.code == 421 or result.unreachable:  # 421: the server is closing anyway
            self.close()
            return
        try:
            self._smtp.rset()
        except (OSError, smtplib.SMTPException):
            self.close()


def _login(smtp: smtplib.SMTP, username: str, password: str) -> None:
    """Log in; with non-ASCII credentials too.

    ``SMTP.login`` encodes credentials as ASCII and raises UnicodeEncodeError on "é" (CPython
    bpo-29750), yet a passphrase with accents is normal for a French-speaking organiser. AUTH
    PLAIN and LOGIN carry UTF-8 (RFC 4616, RFC 4954), so those are spoken directly then.
    """
    if (username + password).isascii():
        smtp.login(username, password)
        return
    smtp.ehlo_or_helo_if_needed()
    if not smtp.has_extn("auth"):
        raise smtplib.SMTPNotSupportedError("SMTP AUTH extension not supported by server.")
    mechanisms = smtp.esmtp_features["auth"].upper().split()

    def b64(text: str) -> str:
        return base64.b64encode(text.encode("utf-8")).decode("ascii")

    if "PLAIN" in mechanisms:
        code, resp = smtp.docmd("AUTH", "PLAIN " + b64(f"\0{username}\0{password}"))
    elif "LOGIN" in mechanisms:
        code, resp = smtp.docmd("AUTH", "LOGIN " + b64(username))
        if code == 334:
            code, resp = smtp.docmd(b64(password))
    else:
        raise smtplib.SMTPException("No suitable authentication method found.")
    if code not in (235, 503):  # 503: already authenticated
        raise smtplib.SMTPAuthenticationError(code, resp)


def _close_quietly(smtp: smtplib.SMTP) -> None:
    with contextlib.suppress(OSError):
        smtp.close()
