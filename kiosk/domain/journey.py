"""The visitor journey: one explicit state machine that every screen renders.

Pages never own state. They read ``Journey.session`` and call the events below; the machine
decides what comes next, and a listener (the window) shows the matching page. Unexpected errors
go through ``fail()`` which, like an idle timeout, wipes the session and returns to the attract
screen: a stuck kiosk is worse than a lost draft of an unconfirmed letter.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from enum import StrEnum
from typing import TYPE_CHECKING, cast

from kiosk.domain.letter import Letter, Signer, SignMode, make_letter
from kiosk.domain.text_rules import (
    CITY_MAX,
    NAME_MAX,
    POSTAL_MAX,
    EmailFault,
    body_length,
    check_email,
    clean_line,
    clean_text,
    email_fault,
    format_postal_code,
)

if TYPE_CHECKING:
    from kiosk.config import Campaign


class Step(StrEnum):
    ATTRACT = "attract"
    RECIPIENTS = "recipients"
    WRITE = "write"
    SIGN = "sign"
    REVIEW = "review"
    DELIVER = "deliver"
    THANKS = "thanks"


TEXT_SIZES = (100, 150, 200)

# The numbered steps a visitor sees ("Step 2 of 5").
NUMBERED_STEPS = (Step.RECIPIENTS, Step.WRITE, Step.SIGN, Step.REVIEW, Step.DELIVER)
_ORDER = (Step.ATTRACT, *NUMBERED_STEPS, Step.THANKS)


class Problem(StrEnum):
    """Why the visitor cannot go on yet; each has a kind message in the catalogs."""

    NO_RECIPIENT = "no_recipient"
    BODY_TOO_SHORT = "body_too_short"
    BODY_TOO_LONG = "body_too_long"
    NAME_MISSING = "name_missing"
    LAST_NAME_MISSING = "last_name_missing"
    EMAIL_INVALID = "email_invalid"
    EMAIL_NOT_ASCII = "email_not_ascii"  # jöhn@…: the kiosk cannot send to it (no SMTPUTF8)
    NO_CHANNEL = "no_channel"


@dataclass
class VisitorSession:
    """Everything one visitor has chosen and typed. Replaced whole on every wipe."""

    language: str
    id: str = field(default_factory=lambda: uuid.uuid4().hex)
    recipient_ids: list[str] = field(default_factory=list)
    starting_text_id: str | None = None
    body: str = ""
    sign_mode: SignMode = SignMode.FULL
    first_name: str = ""
    last_name: str = ""
    city: str = ""
    postal_code: str = ""
    email: str = ""
    opt_in: bool = False
    send_copy: bool = False
    drawing: bytes | None = field(default=None, repr=False)  # a drawn signature, PNG
    # How this visitor wants to see the screen; the next visitor starts from the defaults.
    text_size: int = 100
    high_contrast: bool = False

    def signer(self) -> Signer:
        email = check_email(self.email) or ""
        mode = SignMode(self.sign_mode)  # a plain string too: never a name on "anonymous"
        named = mode is not SignMode.ANONYMOUS
        return Signer(
            mode=mode,
            first_name=clean_line(self.first_name, NAME_MAX) if named else "",
            last_name=clean_line(self.last_name, NAME_MAX) if mode is SignMode.FULL else "",
            city=clean_line(self.city, CITY_MAX),
            postal_code=format_postal_code(clean_line(self.postal_code, POSTAL_MAX)),
            email=email,
            # Consent is only meaningful with an address to write to.
            opt_in=self.opt_in and bool(email),
            send_copy=self.send_copy and bool(email),
            # A drawing beside no name would sign for nobody in particular: an anonymous
            # letter is never signed by hand.
            drawing=self.drawing if named else None,
        )


@dataclass(frozen=True)
class Delivery:
    print: bool  # on the receipt printer
    email: bool
    full_letter: bool = False  # a full page on the office printer (issue 13)

    @property
    def any(self) -> bool:
        return self.print or self.email or self.full_letter


Listener = Callable[["Journey"], None]
Committer = Callable[[VisitorSession, list[Letter], Delivery], object]


class Journey:
    def __init__(self, campaign: Campaign, commit: Committer | None = None):
        self.campaign = campaign
        # A language code the campaign offers; staff may pick another (set_default_language).
        self.default_language: str = campaign.campaign.default_language
        self.step = Step.ATTRACT
        self.session = VisitorSession(language=self.default_language)
        self.last_commit: object = None
        self._commit = commit
        self._listeners: list[Listener] = []

    # --- observation ---------------------------------------------------------------------------

    def subscribe(self, listener: Listener) -> None:
        self._listeners.append(listener)

    def _changed(self) -> None:
        for listener in list(self._listeners):
            listener(self)

    @property
    def language(self) -> str:
        return self.session.language

    def step_number(self) -> int | None:
        """1-based position among the numbered steps, or None on attract/thanks."""
        return NUMBERED_STEPS.index(self.step) + 1 if self.step in NUMBERED_STEPS else None

    # --- what the visitor has made -------------------------------------------------------------

    def letters(self) -> list[Letter]:
        """One letter per chosen recipient, in the order the campaign lists them."""
        s = self.session
        body = clean_text(s.body)
        signer = s.signer()
        chosen = [r.id for r in self.campaign.recipients if r.id in s.recipient_ids]
        return [make_letter(self.campaign, rid, s.language, body, signer) for rid in chosen]

    def problems(self, step: Step | None = None) -> list[Problem]:
        """What stops the visitor leaving ``step`` (default: the current one) forwards."""
        step = step or self.step
        s = self.session
        rules = self.campaign.session
        out: list[Problem] = []
        if step is Step.RECIPIENTS and not s.recipient_ids:
            out.append(Problem.NO_RECIPIENT)
        elif step is Step.WRITE:
            n = body_length(s.body)
            if n < rules.body_min_chars:
                out.append(Problem.BODY_TOO_SHORT)
            elif n > rules.body_max_chars:
                out.append(Problem.BODY_TOO_LONG)
        elif step is Step.SIGN:
            if s.sign_mode is not SignMode.ANONYMOUS and not clean_line(s.first_name, NAME_MAX):
                out.append(Problem.NAME_MISSING)
            if s.sign_mode is SignMode.FULL and not clean_line(s.last_name, NAME_MAX):
                out.append(Problem.LAST_NAME_MISSING)
            if s.email.strip() and not check_email(s.email):
                accents = email_fault(s.email) is EmailFault.NON_ASCII_LOCAL
                out.append(Problem.EMAIL_NOT_ASCII if accents else Problem.EMAIL_INVALID)
        return out

    # --- events --------------------------------------------------------------------------------

    def start(self) -> None:
        if self.step is Step.ATTRACT:
            self.step = Step.RECIPIENTS
            self._changed()

    def next(self) -> bool:
        """Go forwards if the current step is complete. Returns whether it moved."""
        if self.step not in (Step.RECIPIENTS, Step.WRITE, Step.SIGN, Step.REVIEW):
            return False
        if self.problems():
            return False
        self.step = _ORDER[_ORDER.index(self.step) + 1]
        self._changed()
        return True

    def back(self) -> None:
        if self.step in NUMBERED_STEPS:
            self.step = _ORDER[_ORDER.index(self.step) - 1]
            if self.step is Step.ATTRACT:
                self._wipe()
            self._changed()

    def set_language(self, lang: str) -> None:
        if lang not in self.campaign.languages:
            raise ValueError(f"language {lang!r} is not offered by this campaign")
        if lang != self.session.language:
            self.session.language = lang
            self._changed()

    def update(self, **fields: object) -> None:
        """Record what the visitor typed or chose; pages call this on every edit."""
        allowed = VisitorSession.__dataclass_fields__.keys() - {"id", "language"}
        unknown = fields.keys() - allowed
        if unknown:
            raise AttributeError(f"not a session field: {sorted(unknown)}")
        if "sign_mode" in fields:
            # The rules compare with `is`: a plain "anonymous" string must not sign a name.
            fields["sign_mode"] = SignMode(cast(str, fields["sign_mode"]))  # or a SignMode
        for k, v in fields.items():
            setattr(self.session, k, v)

    def toggle_recipient(self, recipient_id: str) -> None:
        self.campaign.recipient(recipient_id)  # KeyError on a stale id, before any change
        ids = self.session.recipient_ids
        if recipient_id in ids:
            ids.remove(recipient_id)
        else:
            ids.append(recipient_id)

    def confirm(self, delivery: Delivery) -> object:
        """Keep the letters (through the committer) and thank the visitor.

        The thank-you screen shows only after the committer returns: if saving fails the
        exception propagates and the visitor stays on the deliver step with their letter.
        """
        if self.step is not Step.DELIVER:
            raise RuntimeError("confirm() is only possible on the deliver step")
        if not delivery.any:
            raise ValueError(Problem.NO_CHANNEL)
        letters = self.letters()
        result = self._commit(self.session, letters, delivery) if self._commit else letters
        self.last_commit = result
        self.step = Step.THANKS
        self._changed()
        return result

    def finish(self) -> None:
        """The thank-you countdown ended, or the visitor tapped Done."""
        self._to_attract()

    def start_over(self) -> None:
        self._to_attract()

    def idle_timeout(self) -> None:
        self._to_attract()

    def fail(self) -> None:
        """Failsafe after an unexpected error: never leave a visitor on a broken screen."""
        self._to_attract()

    def _to_attract(self) -> None:
        self._wipe()
        self.step = Step.ATTRACT
        self._changed()

    def _wipe(self) -> None:
        # A new object, not cleared fields: nothing of the last visitor can survive by accident.
        self.session = VisitorSession(language=self.default_language)
        self.last_commit = None

    def set_default_language(self, lang: str) -> None:
        """Staff choice: the language the attract screen and each new session start in."""
        if lang not in self.campaign.languages:
            raise ValueError(f"language {lang!r} is not offered by this campaign")
        self.default_language = lang
        if self.step is Step.ATTRACT:
            self.session = replace(self.session, language=lang)
            self._changed()
