"""Whole visitor journeys through the kiosk's accessibility tree only, as a screen-reader user
makes them: the driver of the screen-reader soak (benchmarks/atspi_soak.py) and of
tests/test_screen_reader_journeys.py.

Run inside ``dbus-run-session`` with Debian's /usr/bin/python3 (pyatspi)::

    dbus-run-session -- /usr/bin/python3 tests/support/atspi/journeys.py CONFIG.json

CONFIG (JSON): display, kiosk_command (argv), kiosk_root (the checkout whose catalogs name the
controls), campaign, journeys, step_timeout, start_timeout, log_dir, readers and read_interval
(other clients reading the whole tree in a loop meanwhile: reader.py), touch (tap
text fields through XTest before typing, which opens the on-screen keyboard), restart_every
(a fresh kiosk after that many journeys; 0: the same kiosk throughout).

One long-lived process starts the accessibility bus and the kiosk, then for each journey:
Start → recipient → write (typed through EditableText, or a starting text) → sign (a mode, a
name typed through EditableText) → review → Print (and/or Email) → Send → thank-you → Done (or
the countdown) → attract. Between every step it reads the whole tree (role, name, description,
states, actions, children, text) and asks again about the nodes of the previous screen, and it
handles the events Orca listens to as Orca does, by reading their source at once. The kiosk
keeps running across journeys; when it dies, the journey and step are reported with its stacks
and a new kiosk is started. A step that does not finish within ``step_timeout`` is "stuck".

Prints one JSON object a line: ``kiosk`` (started), ``journey`` (completed), ``crash``,
``stuck``, and ``done`` last.
"""

from __future__ import annotations

import json
import subprocess
import sys
import time
import tomllib
from dataclasses import asdict, dataclass
from pathlib import Path

from kiosk_process import Kiosk, a11y_bus, kiosk_env
from walk import (
    EventReader,
    can_act,
    can_type,
    find_app,
    focus,
    is_checked,
    press,
    pump,
    requery,
    set_text,
    showing,
    showing_names,
    tap,
    text_of,
    wait_for,
    walk,
)

LETTER = {
    "en": "Dear Minister,\nPlease open a safe, discreet route to Canada for the men "
          "fleeing Chechnya, and fund the groups that help them get out.\nThank you.",
    "fr": "Madame, Monsieur,\nOuvrez une voie sûre et discrète vers le Canada pour les hommes "
          "qui fuient la Tchétchénie. Ça presse : c’est une question de vie.\nMerci.",
}
ADDED = {"en": "I am writing from the kiosk.", "fr": "J’écris depuis la borne, à Montréal."}
FIRST, LAST = "Zoë", "Ñúñez-Çelik"
EMAIL = "visitor@example.org"


class KioskGone(Exception):
    """The kiosk process ended."""


class Stuck(Exception):
    """A step did not finish in time."""


@dataclass
class Plan:
    """What one journey does: varied so that many journeys cover many paths."""

    lang: str
    switch_language: bool  # press the language button on the recipients step
    recipients: int
    write: str  # "typed", "starting_text" or "starting_text+typed"
    sign: str  # "full", "first" or "anonymous"
    email: bool  # type an address and choose Email too
    wait_for_countdown: bool  # leave the thank-you screen by its countdown, not Done

    @classmethod
    def for_journey(cls, n: int, languages: list[str], can_email: bool) -> Plan:
        return cls(lang=languages[n % len(languages)],
                   switch_language=len(languages) > 1 and n % 4 == 2,
                   recipients=1 + (n % 5 == 3),
                   write=("typed", "starting_text", "starting_text+typed")[(n // 2) % 3],
                   sign=("full", "first", "anonymous")[n % 3],
                   email=can_email and n % 4 == 1,
                   wait_for_countdown=n % 6 == 4)


def _language_name(kiosk_root: Path, code: str) -> str:
    path = kiosk_root / "kiosk" / "i18n" / code / "language.toml"
    return tomllib.loads(path.read_text(encoding="utf-8"))["name"]


def load_names(kiosk_root: Path, campaign: dict, lang: str) -> dict[str, str]:
    """The accessible names the journey looks for, from the kiosk's own catalogs and the
    campaign: the harness follows the wording instead of copying it."""
    catalog: dict = {}
    for f in sorted((kiosk_root / "kiosk" / "i18n" / lang).glob("*.toml")):
        catalog.update(tomllib.loads(f.read_text(encoding="utf-8")))

    def t(key: str) -> str:
        node = catalog
        for part in key.split("."):
            node = node[part]
        return node

    return {
        "start": t("attract.start"), "next": t("common.next"),
        "switch_language": t("common.switch_language"),
        # Each language button is named by the language itself (its language.toml's name).
        **{f"lang_{code}": _language_name(kiosk_root, code)
           for code in campaign["campaign"]["languages"]},
        "editor": t("write.editor_name"), "mode_full": t("sign.mode_full"),
        "mode_first": t("sign.mode_first"), "mode_anonymous": t("sign.mode_anonymous"),
        "first_name": t("sign.first_name"), "last_name": t("sign.last_name"),
        "email_field": t("sign.email"), "review": t("review.title"),
        "print": t("deliver.print"), "email": t("deliver.email"), "send": t("deliver.send"),
        "send_many": t("deliver.send_many"), "done": t("thanks.done"),
        "thanks": t("thanks.title"),
        **{f"recipient{i}": r["name"][lang] for i, r in enumerate(campaign["recipients"])},
        "starting_text": campaign["starting_texts"][0]["title"][lang],
    }


def _same_text(a: str | None, b: str) -> bool:
    # Qt may hand paragraphs over with U+2029 instead of a newline.
    return a is not None and a.replace("\u2029", "\n").strip() == b.strip()


class Journeys:
    def __init__(self, config: dict) -> None:
        self.config = config
        self.kiosk_root = Path(config["kiosk_root"])
        self.campaign = tomllib.loads(Path(config["campaign"]).read_text(encoding="utf-8"))
        c = self.campaign
        self.languages = list(c["campaign"]["languages"])
        self.names = {lang: load_names(self.kiosk_root, c, lang) for lang in self.languages}
        self.can_print = c.get("printer", {}).get("enabled", True)
        self.can_email = c.get("email", {}).get("enabled", False)
        self.thanks_seconds = c.get("session", {}).get("thanks_seconds", 30)
        self.touch = bool(config.get("touch", False))
        self.step_timeout = float(config.get("step_timeout", 90))
        self.start_timeout = float(config.get("start_timeout", 180))
        self.log_dir = Path(config["log_dir"])
        self.env = kiosk_env(config["display"])
        self.kiosk: Kiosk | None = None
        self.instances = self.journeys_of_kiosk = 0
        self.app = None
        self.step = self.action = ""
        self.deadline = self.step_began = 0.0
        self.step_seconds: dict[str, float] = {}
        self.lang = self.languages[0]
        self.remembered: list = []
        self.nodes_read = self.requery_errors = self.thanks_missed = 0

    # --- output ------------------------------------------------------------------------------

    @staticmethod
    def emit(event: str, **fields: object) -> None:
        print(json.dumps({"event": event, **fields}), flush=True)

    # --- the kiosk process -------------------------------------------------------------------

    def start_kiosk(self) -> None:
        self.instances += 1
        log = self.log_dir / f"kiosk-{self.instances}.log"
        t0 = time.monotonic()
        # Core files for the native backtrace, unless gdb is already watching the kiosk.
        cores = None if self.config.get("gdb") else self.log_dir / f"kiosk-{self.instances}"
        self.kiosk = Kiosk(self.config["kiosk_command"], self.env, log, core_dir=cores)
        self.step, self.action = "startup", "waiting for the kiosk on the accessibility bus"
        self.app = find_app(timeout=self.start_timeout, alive=self.alive)
        if self.app is None:
            raise Stuck(f"the kiosk was not on the accessibility bus after "
                        f"{self.start_timeout:.0f} s")
        self.remembered = []
        self.journeys_of_kiosk = 0
        self.emit("kiosk", instance=self.instances, pid=self.kiosk.pid, log=str(log),
                  seconds_to_bus=round(time.monotonic() - t0, 2))

    def alive(self) -> None:
        if self.kiosk is not None and self.kiosk.poll() is not None:
            raise KioskGone()

    def stop_kiosk(self) -> None:
        if self.kiosk is not None:
            self.kiosk.stop()
            self.kiosk = None

    # --- waiting and acting, with a deadline per step ----------------------------------------

    def begin(self, step: str, extra: float = 0.0) -> None:
        now = time.monotonic()
        if self.step and self.step != "startup":
            self.step_seconds[self.step] = round(now - self.step_began, 2)
        self.step, self.step_began = step, now
        self.deadline = now + self.step_timeout + extra

    def stuck(self, what: str) -> Stuck:
        try:
            screen = showing_names(self.app)
        except Exception as e:
            screen = [f"(could not read the screen: {e})"]
        return Stuck(f"{what}; showing: {', '.join(screen[:40])}")

    def left(self) -> float:
        return max(0.0, self.deadline - time.monotonic())

    def wait(self, name: str, check=None, what: str = ""):
        """The showing node named ``name`` (for which ``check`` holds), once it is there."""
        self.action = f"waiting for {what or repr(name)}"

        def look():
            return next((node for node in showing(self.app, name)
                         if check is None or check(node)), None)

        found = wait_for(look, self.left(), self.alive)
        if found is None:
            raise self.stuck(f"{what or repr(name)} not there after {self.step_timeout:.0f} s")
        return found

    def act(self, name: str, doing: str, action, kind=can_act) -> None:
        """Find the control ``name`` (of ``kind``) and do ``action`` to it once, looking again
        if it was torn down meanwhile."""
        last = ""
        while True:
            node = self.wait(name, check=kind)
            self.action = doing
            try:
                action(node)
                pump()  # handle the events it caused, as Orca does, while the screen changes
                return
            except Exception as e:
                self.alive()
                last = f"{type(e).__name__}: {e}"
            if time.monotonic() > self.deadline:
                raise self.stuck(f"could not {doing}: {last}")
            pump(0.05)

    def press(self, name: str) -> None:
        self.act(name, f"pressing {name!r}", press)
        # While the kiosk changes screens: ask about what was on the old one at once.
        self.requery_previous()

    def choose(self, name: str) -> None:
        """Check a check box, toggle button or radio button (never uncheck it)."""
        if is_checked(self.wait(name, check=can_act)):
            return
        self.act(name, f"checking {name!r}", press)
        self.wait(name, check=lambda node: can_act(node) and is_checked(node),
                  what=f"{name!r} checked")

    def type_into(self, name: str, text: str) -> None:
        # A screen-reader user moves the focus to the field; one who also uses the touch
        # screen taps it, which opens the on-screen keyboard.
        self.act(name, f"moving to {name!r}", tap if self.touch else focus, kind=can_type)
        self.act(name, f"typing into {name!r}", lambda node: set_text(node, text), kind=can_type)
        self.wait(name, check=lambda node: can_type(node) and _same_text(text_of(node), text),
                  what=f"the text typed into {name!r}")

    # --- reading, as Orca does ---------------------------------------------------------------

    def requery_previous(self) -> None:
        self.action = "asking again about the previous screen's nodes"
        _, errors = requery(self.remembered)
        self.requery_errors += errors
        self.alive()

    def read_tree(self) -> None:
        """The whole tree, between every step; its nodes are kept to be asked about again."""
        self.requery_previous()
        self.action = "reading the whole tree"
        rows, nodes = walk(self.app)
        self.alive()
        self.nodes_read += len(rows)
        self.remembered = nodes

    # --- one journey -------------------------------------------------------------------------

    @property
    def n(self) -> dict[str, str]:
        return self.names[self.lang]

    def journey(self, plan: Plan) -> None:
        self.attract(plan.lang)
        self.press(self.n["start"])

        self.begin("recipients")
        self.wait(self.n["recipient0"])
        self.read_tree()
        for i in range(plan.recipients):
            self.choose(self.n[f"recipient{i}"])
        if plan.switch_language:
            self.press(self.n["switch_language"])
            self.lang = next(c for c in self.languages if c != self.lang)
            self.wait(self.n["recipient0"], check=lambda node: can_act(node) and is_checked(node),
                      what="the recipients in the other language")
        self.press(self.n["next"])

        self.begin("write")
        self.wait(self.n["editor"])
        self.read_tree()
        self.write(plan.write)
        self.press(self.n["next"])

        self.begin("sign")
        self.wait(self.n["mode_full"])
        self.read_tree()
        self.choose(self.n[f"mode_{plan.sign}"])
        if plan.sign != "anonymous":
            self.type_into(self.n["first_name"], FIRST)
        if plan.sign == "full":
            self.type_into(self.n["last_name"], LAST)
        if plan.email:
            self.type_into(self.n["email_field"], EMAIL)
        self.press(self.n["next"])

        self.begin("review")
        self.wait(self.n["review"])
        self.read_tree()
        self.press(self.n["next"])

        self.begin("deliver")
        send = (self.n["send"] if plan.recipients == 1
                else self.n["send_many"].format(n=plan.recipients))
        self.wait(send)
        self.read_tree()
        if self.can_print:
            self.choose(self.n["print"])
        if plan.email or not self.can_print:
            self.choose(self.n["email"])
        self.press(send)

        self.begin("thanks")
        done = self.thanks_or_attract()
        if done is not None:
            self.read_tree()
            if plan.wait_for_countdown:
                self.begin("thanks (countdown to attract)", extra=self.thanks_seconds)
            else:
                self.action = "pressing Done"
                try:
                    press(done)
                    pump()
                except Exception:  # the countdown may have won the race: that is fine
                    self.alive()
                self.requery_previous()
                self.begin("back to attract")
        self.wait_for_start()
        self.read_tree()
        self.begin("")

    def attract(self, lang: str) -> None:
        self.begin("attract")
        self.wait_for_start()
        self.read_tree()
        if self.lang != lang:
            self.choose(self.names[self.lang][f"lang_{lang}"])
            self.lang = lang
            self.wait(self.n["start"], what="the attract screen in the chosen language")

    def thanks_or_attract(self):
        """The Done button; or None when the kiosk is back on the attract screen already (on a
        slow machine the thank-you countdown can end before the screen has been read)."""
        self.action = "waiting for the thank-you screen"
        starts = [self.names[lang]["start"] for lang in self.languages]

        def look():
            done = next((n for n in showing(self.app, self.n["done"]) if can_act(n)), None)
            if done is not None:
                return done
            return "attract" if any(showing(self.app, s) for s in starts) else None

        found = wait_for(look, self.left(), self.alive)
        if found is None:
            raise self.stuck("neither the thank-you screen nor the attract screen came")
        if found == "attract":
            self.thanks_missed += 1
            return None
        return found

    def wait_for_start(self) -> None:
        """The attract screen, in whichever language it is; sets ``self.lang``."""
        self.action = "waiting for the attract screen"

        def look():
            return next((lang for lang in self.languages
                         if showing(self.app, self.names[lang]["start"])), None)

        lang = wait_for(look, self.left(), self.alive)
        if lang is None:
            raise self.stuck("the attract screen did not come back")
        self.lang = lang

    def write(self, how: str) -> None:
        n = self.n
        if how.startswith("starting_text"):
            self.choose(n["starting_text"])
            self.wait(n["editor"],
                      check=lambda node: can_type(node) and bool((text_of(node) or "").strip()),
                      what="the starting text in the editor")
        if how == "typed":
            self.type_into(n["editor"], LETTER[self.lang])
        elif how == "starting_text+typed":
            editor = self.wait(n["editor"], check=can_type)
            current = (text_of(editor) or "").replace("\u2029", "\n")
            self.type_into(n["editor"], current.rstrip() + "\n\n" + ADDED[self.lang])

    # --- the soak ----------------------------------------------------------------------------

    def start_readers(self) -> list[subprocess.Popen]:
        """Other screen-reader clients reading the whole tree in a loop, on their own
        connections, while this one drives (``readers`` in the config; 0 for none)."""
        reader = Path(__file__).with_name("reader.py")
        return [subprocess.Popen([sys.executable, str(reader),
                                  str(self.config.get("read_interval", 0.03))],
                                 stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
                for _ in range(int(self.config.get("readers", 0)))]

    @staticmethod
    def stop_readers(readers: list[subprocess.Popen]) -> list[dict]:
        done = []
        for r in readers:
            out, _ = r.communicate(timeout=120)  # closing stdin stops it
            done += [json.loads(line) for line in out.splitlines() if line.startswith("{")]
        return done

    def run(self, journeys: int) -> dict:
        events = EventReader()
        readers = self.start_readers()
        restart_every = int(self.config.get("restart_every", 0))
        totals = {"completed": 0, "crashes": 0, "stuck": 0}
        failed_starts = 0
        n = 0
        while n < journeys:
            try:
                if self.kiosk is None:
                    self.start_kiosk()
                    failed_starts = 0
                plan = Plan.for_journey(n, self.languages, self.can_email)
                t0 = time.monotonic()
                self.nodes_read = self.requery_errors = self.thanks_missed = 0
                self.step_seconds = {}
                self.journey(plan)
                totals["completed"] += 1
                self.emit("journey", journey=n, seconds=round(time.monotonic() - t0, 2),
                          steps=self.step_seconds, plan=asdict(plan), nodes_read=self.nodes_read,
                          requery_errors=self.requery_errors, events=events.events,
                          thanks_missed=self.thanks_missed,
                          event_errors=events.errors)
                self.journeys_of_kiosk += 1
                if restart_every and self.journeys_of_kiosk >= restart_every:
                    self.stop_kiosk()  # a fresh kiosk: its first journeys crashed most
            except KioskGone:
                totals["crashes"] += 1
                self.emit("crash", journey=n, step=self.step, action=self.action,
                          log=str(self.kiosk.log), **self.kiosk.crash())
                self.stop_kiosk()
            except (Stuck, subprocess.SubprocessError) as e:
                totals["stuck"] += 1
                self.emit("stuck", journey=n, step=self.step, action=self.action, detail=str(e),
                          log=str(self.kiosk.log) if self.kiosk else "")
                if self.step == "startup":
                    failed_starts += 1
                self.stop_kiosk()  # a fresh kiosk for the next journey
                if failed_starts >= 3:
                    break
            n += 1
        self.stop_kiosk()
        events.close()
        totals["readers"] = self.stop_readers(readers)
        return totals


def main() -> int:
    config = json.loads(Path(sys.argv[1]).read_text(encoding="utf-8"))
    with a11y_bus():
        totals = Journeys(config).run(int(config["journeys"]))
    Journeys.emit("done", **totals)
    return 0


if __name__ == "__main__":
    sys.exit(main())
