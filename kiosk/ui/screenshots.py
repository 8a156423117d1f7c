"""``python -m kiosk render-screens``: a PNG of every screen in every language, offscreen.

It drives a real window through a sample visitor's journey, so the pictures show the kiosk as
a visitor sees it. The letters it keeps go to a throwaway data dir, never the event's store.
The on-screen keyboard cannot open offscreen: ``keyboard_shots`` photographs it on Xvfb.
"""

from __future__ import annotations

import os
import tempfile
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import TYPE_CHECKING

from kiosk.i18n import NEUTRAL_SAMPLE_VISITOR, language, languages

if TYPE_CHECKING:
    from kiosk.config import Campaign


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

    from kiosk.domain.journey import Step
    from kiosk.ui.app import build_window, make_app
    from kiosk.ui.pages.deliver import DeliverPage
    from kiosk.ui.pages.recipients import RecipientsPage
    from kiosk.ui.pages.sign import SignPage
    from kiosk.ui.pages.write import WritePage

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
        recipients, sign = window.page(Step.RECIPIENTS), window.page(Step.SIGN)
        write, deliver = window.page(Step.WRITE), window.page(Step.DELIVER)
        assert isinstance(recipients, RecipientsPage) and isinstance(sign, SignPage)
        assert isinstance(write, WritePage) and isinstance(deliver, DeliverPage)

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
            j.set_language(lang)
            shot("1-attract", lang)
            j.start()
            j.set_language(lang)
            for r in campaign.recipients[:2]:
                recipients.cards[r.id].click()
            shot("2-recipients", lang)
            j.next()
            write.choice_buttons[campaign.starting_texts[0].id].click()
            shot("3-write", lang)
            j.next()
            for field, value in sample_visitor(lang).items():
                sign.edits[field].setText(value)
                j.update(**{field: value})
            sign.enter()
            shot("4-sign", lang)
            idle.warn()
            shot("9-still-there", lang)
            idle.overlay.dismiss()
            idle.countdown.stop()
            j.next()
            shot("5-review", lang)
            j.next()
            deliver.print_card.setChecked(True)
            deliver.email_card.setChecked(True)
            shot("6-deliver", lang)
            window.ask_start_over()
            shot("7-start-over", lang)
            window.confirm.dismiss()
            window.send()
            assert j.step is Step.THANKS
            shot("8-thanks", lang)
            j.finish()
            j.set_language(lang)
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
            j.set_language(campaign.campaign.default_language)
        services.stop()
        window.allow_close()
        window.close()
        window.deleteLater()
        app.processEvents()
    return written


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

