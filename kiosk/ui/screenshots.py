"""``python -m kiosk render-screens``: a PNG of every screen in every language, offscreen.

It walks a sample visitor through a real window (``kiosk.ui.visitor.Visitor``), so the pictures
show the kiosk as a visitor sees it. The letters it keeps go to a throwaway data dir, never the
event's store. The on-screen keyboard cannot open offscreen: ``keyboard_shots`` photographs it
on Xvfb.
"""

from __future__ import annotations

import os
import tempfile
from collections.abc import Callable, Iterator, Mapping
from pathlib import Path
from typing import TYPE_CHECKING

from kiosk.i18n import NEUTRAL_SAMPLE_VISITOR, language, languages

if TYPE_CHECKING:
    from kiosk.config import Campaign
    from kiosk.store import Store


def sample_visitor(lang: str) -> dict[str, str]:
    """A made-up visitor for the pictures, from the language's language.toml
    (``[sample_visitor]``); a neutral one for a language whose file has none."""
    try:
        return language(lang).sample()
    except KeyError:
        return dict(NEUTRAL_SAMPLE_VISITOR)


class _SampleVisitors(Mapping[str, dict[str, str]]):
    """``SAMPLE_VISITOR[lang]``, as keyboard_shots reads it: sample_visitor(lang)."""

    def __getitem__(self, lang: str) -> dict[str, str]:
        return sample_visitor(lang)

    def __iter__(self) -> Iterator[str]:
        return iter(languages())

    def __len__(self) -> int:
        return len(languages())


SAMPLE_VISITOR: Mapping[str, dict[str, str]] = _SampleVisitors()


def render_screens(
    campaign: Campaign,
    out: Path,
    *,
    data_dir: Path | None = None,
    size: tuple[int, ...] = (1280, 800),
    text_size: int = 100,
    high_contrast: bool = False,
) -> list[Path]:
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    from PySide6.QtWidgets import QApplication

    from kiosk.ui.app import build_window, make_app
    from kiosk.ui.visitor import Visitor

    app = make_app()
    out.mkdir(parents=True, exist_ok=True)
    written: list[Path] = []
    with tempfile.TemporaryDirectory(prefix="kiosk-screens-") as scratch:
        window = build_window(campaign, Path(scratch), kiosk_mode=False)
        window.setFixedSize(*size[:2])
        window.show()
        services, staff, idle = window.services, window.staff, window.idle
        assert services is not None and staff is not None and idle is not None  # build_window
        # The real workers, printing into the scratch dir, so status lines tell the truth.
        services.start()
        j = window.journey
        v = Visitor(window)

        def shot(name: str, lang: str) -> None:
            if (j.session.text_size, j.session.high_contrast) != (text_size, high_contrast):
                j.update(text_size=text_size, high_contrast=high_contrast)
                window.apply_theme()
            for _ in range(8):  # let layouts settle
                QApplication.processEvents()
            path = out / f"{name}-{lang}.png"
            window.grab().save(str(path))
            written.append(path)

        for lang in campaign.languages:
            v.language(lang)
            shot("1-attract", lang)
            v.start()
            v.choose(*(r.id for r in campaign.recipients[:2]))
            shot("2-recipients", lang)
            v.next()
            v.starting_text(campaign.starting_texts[0].id)
            shot("3-write", lang)
            v.next()
            sample = sample_visitor(lang)
            v.sign(first=sample.get("first_name"), last=sample.get("last_name"),
                   city=sample.get("city"), postal_code=sample.get("postal_code"),
                   email=sample.get("email"))
            shot("4-sign", lang)
            idle.warn()
            shot("9-still-there", lang)
            idle.overlay.dismiss()
            idle.countdown.stop()
            if campaign.letter.drawn_signature:
                v.draw_signature()
                shot("4-sign-drawn", lang)
            v.review()
            shot("5-review", lang)
            v.next()
            offered = v.offered()
            v.choose_delivery(print=offered.print, email=offered.email)
            shot("6-deliver", lang)
            v.ask_start_over()
            shot("7-start-over", lang)
            v.answer(False)
            v.send()
            shot("8-thanks", lang)
            v.done()
            v.language(lang)
            staff.pad.open_pad()
            shot("10-staff-pin", lang)
            staff.pad.close_pad()
            staff.panel.open_panel()
            shot("11-staff-panel", lang)
            services.drives = _sample_drives(Path(scratch))
            staff.export.open_screen()
            shot("12-staff-export", lang)
            staff.export.cards[0].click()
            shot("13-staff-export-confirm", lang)
            staff.export.close_screen()
            staff.panel.close_panel()
            v.language(campaign.campaign.default_language)
        services.stop()
        window.allow_close()
        window.close()
        window.deleteLater()
        app.processEvents()
    written += _office_screens(campaign, out, size, shot_names=("5-review-full-page",
                                                                "6-deliver-full-letter",
                                                                "8-thanks-full-letter",
                                                                "11-staff-panel-office",
                                                                "14-staff-envelopes",
                                                                "14-staff-envelopes-print"))
    return written


def _office_screens(campaign: Campaign, out: Path, size: tuple[int, ...],
                    shot_names: tuple[str, str, str, str, str, str]) -> list[Path]:
    """The steps an office printer changes (issue 13), for a copy of the campaign with one:
    Review with the full page, Send with "Print a full letter", the thank-you line, the
    staff panel with the printer stopped in CUPS, and Envelopes and labels with its print
    question. No worker runs: the printer's states are given as CUPS would report them, so
    the pictures do not depend on this machine's CUPS."""
    from PySide6.QtWidgets import QApplication

    from kiosk.delivery.office_queue import OfficeKind, OfficeStatus
    from kiosk.ui.app import build_window
    from kiosk.ui.visitor import Visitor

    office = campaign.office_printer.model_validate(
        {**campaign.office_printer.model_dump(), "enabled": True, "queue": "office"})
    campaign = campaign.model_copy(update={"office_printer": office})
    review, deliver, thanks, panel, envelopes, print_question = shot_names
    written: list[Path] = []
    with tempfile.TemporaryDirectory(prefix="kiosk-screens-") as scratch:
        window = build_window(campaign, Path(scratch), kiosk_mode=False)
        window.setFixedSize(*size[:2])
        window.show()
        services, staff = window.services, window.staff
        assert services is not None and staff is not None
        v = Visitor(window)
        _printed_today(services.store, campaign, receipt=12, full_page=5)

        def shot(name: str, lang: str) -> None:
            for _ in range(8):
                QApplication.processEvents()
            path = out / f"{name}-{lang}.png"
            window.grab().save(str(path))
            written.append(path)

        for lang in campaign.languages:
            services.office_changed.emit(OfficeStatus(OfficeKind.READY, queue="office"))
            v.language(lang)
            v.start()
            v.choose(campaign.recipients[0].id)
            v.next()
            v.starting_text(campaign.starting_texts[0].id)
            v.next()
            sample = sample_visitor(lang)
            v.sign(first=sample.get("first_name"), last=sample.get("last_name"),
                   city=sample.get("city"), postal_code=sample.get("postal_code"))
            if campaign.letter.drawn_signature:
                v.draw_signature()
            v.review()
            page = window.current_page()
            full_pages = getattr(page, "full_pages", list)
            _wait_for(full_pages)
            scroller = getattr(page, "scroller", None)
            if scroller is not None:  # down to the full page
                scroller.verticalScrollBar().setValue(scroller.verticalScrollBar().maximum())
            shot(review, lang)
            v.next()
            v.choose_delivery(print=True, full_letter=True)
            shot(deliver, lang)
            v.send(print=False)  # no receipt worker runs here to say it is printing
            shot(thanks, lang)
            v.done()
            v.language(lang)
            services.office_changed.emit(OfficeStatus(
                OfficeKind.STOPPED, "Paper jam", queue="office", queued=2, printed=14,
                queued_ids=(15, 16)))
            staff.panel.open_panel()
            shot(panel, lang)
            staff.envelopes.open_screen()
            shot(envelopes, lang)
            staff.envelopes.print.click()
            shot(print_question, lang)
            staff.envelopes.close_screen()
            staff.panel.close_panel()
        services.stop()  # the staff's audit lines written and the store closed before rmtree
        window.allow_close()
        window.close()
        window.deleteLater()
        QApplication.processEvents()
    return written


def _printed_today(store: Store, campaign: Campaign, *, receipt: int, full_page: int) -> None:
    """Letters printed today in the scratch store, so Envelopes and labels has some to count:
    ``receipt`` on the receipt printer alone, ``full_page`` on a full page too. Marked printed
    by hand: no printer runs for these pictures."""
    from kiosk.domain.letter import Signer, make_letter
    from kiosk.store import print_jobs

    for i in range(receipt + full_page):
        recipient = campaign.recipients[i % len(campaign.recipients)].id
        letter = make_letter(campaign, recipient, campaign.campaign.default_language,
                             "…", Signer(first_name="Sample"))
        office = i >= receipt
        [kept] = store.keep(session_id="sample", campaign_id=campaign.campaign.id,
                            letters=[letter], by_print=True, by_email=False, emails=[None],
                            by_office=office)
        assert kept.print_job_id is not None
        print_jobs.mark_printed(store, kept.print_job_id, "online")
        if kept.office_job_id is not None:
            print_jobs.mark_printed(store, kept.office_job_id, "online")


def _wait_for(ready: Callable[[], object], seconds: float = 30.0) -> None:
    """Let Qt run until ``ready()`` (a page laid out off the GUI thread), for a picture of it."""
    import time

    from PySide6.QtWidgets import QApplication

    deadline = time.monotonic() + seconds
    while not ready() and time.monotonic() < deadline:
        QApplication.processEvents()
        time.sleep(0.01)
    for _ in range(8):  # and its layout settled, so the page scrolls to all of it
        QApplication.processEvents()


def _sample_drives(scratch: Path):  # -> DriveFinder
    """Two USB sticks, as folders in the scratch dir with a mount table naming them: the export
    screen as staff see it with their stick and a visitor's plugged in."""
    from kiosk.export_targets import DriveFinder

    root = scratch / "media"
    lines = []
    for name in ("KINGSTON", "SANDISK ULTRA"):
        (root / name).mkdir(parents=True, exist_ok=True)
        lines.append(f"/dev/sample {root / name.replace(' ', chr(92) + '040')} vfat rw 0 0")
    (scratch / "mounts").write_text("\n".join(lines) + "\n")
    return DriveFinder(roots=(root,), mounts_file=scratch / "mounts")

