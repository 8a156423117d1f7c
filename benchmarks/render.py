"""Rendering one letter: to the ESC/POS bytes the printer gets, and to the email on the wire."""

from __future__ import annotations

import tempfile
import time
from datetime import datetime
from pathlib import Path

from benchmarks._common import SAMPLE, Figures, Result


def _letters(campaign):
    """A French and an English letter, from the longest starting text, with accents, kept as
    the kiosk keeps them; returns [(letter, outbox item)]."""
    from kiosk.app.letters import keep_letters
    from kiosk.compose import starting_text
    from kiosk.domain.journey import Delivery, Journey
    from kiosk.store import Store
    from kiosk.store import outbox as q

    out = []
    with tempfile.TemporaryDirectory(prefix="bench-render-") as tmp:
        store = Store(Path(tmp))
        for lang, first, last in (("fr", "Zoë", "Bélanger-Côté"), ("en", "Jordan", "Lee")):
            j = Journey(campaign)
            j.start()
            j.set_language(lang)
            j.toggle_recipient("pm")
            j.next()
            body = starting_text(campaign, "asylum", lang) + (
                "\n\nÇa presse « maintenant » — œuvrez !")
            j.update(starting_text_id="asylum", body=body)
            j.next()
            j.update(first_name=first, last_name=last, city="Winnipeg",
                     email="visitor@example.com", send_copy=True)
            j.next()
            j.next()
            letters = j.letters()
            kept = keep_letters(store, campaign, j.session, letters, Delivery(True, True))
            item = q.get(store, kept[0].outbox_id)
            out.append((letters[0], item))
        store.close()
    return out


def _time(fn, repeats: int) -> Figures:
    fn()  # first call: imports (python-escpos, email) and caches, as the worker's first job
    values = []
    for _ in range(repeats):
        t0 = time.perf_counter()
        fn()
        values.append((time.perf_counter() - t0) * 1000)
    return Figures(values)


def render(repeats: int, command: str) -> Result:
    from kiosk.app.preflight import load_campaign
    from kiosk.delivery.message import build_message, message_bytes
    from kiosk.delivery.receipt import letter_bytes

    campaign = load_campaign(SAMPLE)
    cases = _letters(campaign)
    when = datetime.now().astimezone()
    escpos, email = [], []
    for letter, item in cases:
        escpos += _time(lambda letter=letter: letter_bytes(letter, campaign, when), repeats).values
        email += _time(lambda item=item: message_bytes(build_message(item, campaign.email)[0]),
                       repeats).values
    fe, fm = Figures(escpos), Figures(email)
    worst = max(fe.median, fm.median)
    return Result(
        name="rendering one letter (ESC/POS bytes; email message)",
        goal="median ≤ 5 ms each",
        measured=f"ESC/POS {fe.median:.2f} ms, email {fm.median:.2f} ms (medians)",
        baseline="—",
        ratio="—",
        met=worst <= 5.0,
        command=command,
        notes=[f"ESC/POS bytes (image QR, CP858): {fe.line()}",
               f"email message (bytes on the wire): {fm.line()}",
               "letters: the 'asylum' starting text plus accents, in French and in English"],
        raw={"escpos": fe.as_dict(), "email": fm.as_dict()},
    )
