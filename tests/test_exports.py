"""The end-of-day exports, opened and read back: the PDF with pypdf, the CSVs with csv."""

from __future__ import annotations

import csv
import subprocess
import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from pypdf import PdfReader

from kiosk import exports
from kiosk.app.letters import keep_letters
from kiosk.domain.journey import Delivery, Journey
from kiosk.domain.letter import Signer, SignMode, make_letter
from kiosk.exports import ExportError, TextCleaner, export_all
from kiosk.i18n import tr
from kiosk.store import print_jobs
from kiosk.store.retention import purge_personal_details
from kiosk.store.stats import counts

ROOT = Path(__file__).resolve().parent.parent
PT_PER_MM = 72 / 25.4


def visit(store, campaign, lang, recipients, *, by_print=True, by_email=False, **fields):
    """One visitor through the real journey, kept as the kiosk keeps them."""
    j = Journey(campaign)
    j.set_language(lang)
    j.start()
    for r in recipients:
        j.toggle_recipient(r)
    j.update(**{"body": "Please open a safe way out for these men, now.", **fields})
    delivery = Delivery(print=by_print, email=by_email)
    return keep_letters(store, campaign, j.session, j.letters(), delivery)


def read_csv(path: Path) -> list[dict[str, str]]:
    with open(path, encoding="utf-8-sig", newline="") as f:
        return list(csv.DictReader(f))


def page_texts(path: Path) -> list[str]:
    return [p.extract_text() for p in PdfReader(path).pages]


def everything(result) -> str:
    """Every word a reader of the three files could see."""
    return "\n".join([result.counts_csv.read_text(encoding="utf-8-sig"),
                      result.opt_ins_csv.read_text(encoding="utf-8-sig"),
                      *page_texts(result.letters_pdf)])


def test_pdf_groups_postage_free_first_one_letter_per_page(campaign, store, data_dir, tmp_path):
    visit(store, campaign, "en", ["un-ohchr", "pm"], first_name="Zoé", last_name="Bélanger",
          city="Montréal", postal_code="h2x 1y4")
    visit(store, campaign, "fr", ["ircc"], sign_mode="first", first_name="Élodie",
          last_name="Gagnon", body="Œuvrez vite, ça presse… « Maintenant » ! Merci 🙏🏽 beaucoup.")
    result = export_all(campaign, store, tmp_path / "out", lang="en")

    pages = page_texts(result.letters_pdf)
    assert result.pages == len(pages) == 5  # 2 covers + 3 letters
    assert (result.letters, result.postage_free, result.needs_postage) == (3, 2, 1)
    cover_free, pm, ircc, cover_postage, un = pages
    assert "Postage-free letters: 2" in cover_free
    assert "Prime Minister of Canada: 1" in cover_free
    assert "Minister of Immigration, Refugees and Citizenship: 1" in cover_free
    assert "Letters that need postage: 1" in cover_postage
    assert "UN High Commissioner for Human Rights: 1" in cover_postage
    # Each letter in reading order: date, address, salutation, body, closing, signature.
    order = ["Office of the Prime Minister", "Ottawa ON  K1A 0A2", "Dear Prime Minister,",
             "Please open a safe way out", "Sincerely,", "Zoé Bélanger", "Montréal, H2X 1Y4"]
    assert [pm.index(s) for s in order] == sorted(pm.index(s) for s in order)
    assert "Palais des Nations" in un and "SWITZERLAND" in un and "Zoé Bélanger" in un
    # French: accents, the letter's own date format, first name only, emoji dropped on purpose.
    assert "Chambre des communes" in ircc and "Ministre de l’Immigration" in ircc
    assert "Œuvrez vite, ça presse…" in ircc and "Maintenant" in ircc
    assert "Merci beaucoup." in ircc and "🙏" not in ircc
    assert "Veuillez agréer mes salutations distinguées." in ircc
    assert "Élodie" in ircc and "Gagnon" not in ircc
    assert ircc.lstrip().startswith("Le ")
    assert result.chars_dropped >= 2  # the emoji and its skin tone


def _lines_at(page) -> dict[str, tuple[float, float]]:
    """Text on a page with where it starts, in mm from the page's left and top edges."""
    found: dict[str, tuple[float, float]] = {}
    height = float(page.mediabox.height)

    def visit_text(text, cm, tm, font, size):
        if text.strip():
            x, y = tm[4] * cm[0] + cm[4], tm[5] * cm[3] + cm[5]
            found.setdefault(text.strip(), (x / PT_PER_MM, (height - y) / PT_PER_MM))

    page.extract_text(visitor_text=visit_text)
    return found


def test_address_sits_in_a_window_envelope_window(campaign, store, data_dir, tmp_path):
    visit(store, campaign, "fr", ["ircc", "un-ohchr"], first_name="Zoé", last_name="Roy")
    result = export_all(campaign, store, tmp_path / "out")
    reader = PdfReader(result.letters_pdf)
    for page_no, recipient in ((1, "ircc"), (3, "un-ohchr")):
        where = _lines_at(reader.pages[page_no])
        address = campaign.recipient(recipient).address.get("fr")
        # Long first lines wrap: find each line by its start.
        for line in address:
            x, y = next(at for text, at in where.items() if text.startswith(line[:18]))
            # A #10 window: 22-136 mm from the left, about 52-80 mm from the top when folded.
            assert 22 <= x <= 40 and 52 <= y <= 80, (line, x, y)
        assert where["Bonjour,"][1] > 85, "the salutation stays out of the window"


def test_a_long_letter_still_fits_on_its_page(campaign, store, data_dir, tmp_path):
    body = "\n\n".join(["Canada can help these men reach safety. " * 14] * 6)
    assert 3000 < len(body) <= campaign.session.body_max_chars
    visit(store, campaign, "en", ["pm"], body=body, first_name="Ann", last_name="Lee")
    result = export_all(campaign, store, tmp_path / "out")
    pages = page_texts(result.letters_pdf)
    assert len(pages) == 2
    assert "Sincerely," in pages[1] and "Ann Lee" in pages[1]


def test_counts_csv_today_and_whole_campaign(campaign, store, data_dir, tmp_path):
    visit(store, campaign, "en", ["pm", "un-ohchr"], first_name="A", last_name="B", email="a@b.ca")
    visit(store, campaign, "fr", ["pm"], first_name="C", last_name="D", email="c@d.ca")
    # The French visitor came three days ago.
    old = (datetime.now(UTC) - timedelta(days=3)).isoformat(timespec="milliseconds")
    store.conn.execute("UPDATE letters SET created_at = ? WHERE language = 'fr'", (old,))
    result = export_all(campaign, store, tmp_path / "out")
    rows = {(r["scope"], r["dimension"], r["key"]): int(r["count"])
            for r in read_csv(result.counts_csv)}
    assert rows[("today", "total", "letters")] == 2
    assert rows[("today", "total", "visitors")] == 1
    assert rows[("campaign", "total", "letters")] == 3
    assert rows[("campaign", "total", "visitors")] == 2
    assert rows[("today", "recipient", "pm")] == 1 and rows[("campaign", "recipient", "pm")] == 2
    assert rows[("campaign", "recipient", "foreign-affairs")] == 0
    assert rows[("campaign", "language", "fr")] == 1 and rows[("today", "language", "fr")] == 0
    assert rows[("campaign", "channel", "print")] == 3
    # The same numbers the staff panel shows.
    c = counts(store)
    assert {k: rows[("campaign", "recipient", k)] for k in c.by_recipient} == c.by_recipient
    assert {k: rows[("campaign", "channel", k)] for k in c.by_channel} == c.by_channel


def test_opt_ins_one_row_per_visitor_with_the_consent_they_saw(campaign, store, data_dir,
                                                                tmp_path):
    visit(store, campaign, "fr", ["pm", "ircc"], first_name="Zoé", last_name="Bélanger",
          email="zoe@example.org", opt_in=True)
    visit(store, campaign, "en", ["pm"], sign_mode="anonymous", first_name="Typed",
          last_name="Thenchanged", email="anon@example.org", opt_in=True)
    visit(store, campaign, "en", ["pm"], sign_mode="first", first_name="Sam",
          last_name="Hiddenlast", email="sam@example.org", opt_in=True)
    visit(store, campaign, "en", ["pm"], first_name="No", last_name="Thanks",
          email="no@example.org", opt_in=False)
    # A visitor whose details retention has removed is gone from the list.
    gone = visit(store, campaign, "en", ["pm"], first_name="Old", last_name="Visitor",
                 email="old@example.org", opt_in=True)
    print_jobs.mark_printed(store, gone[0].print_job_id, "online")
    assert purge_personal_details(store, 0) == 1

    result = export_all(campaign, store, tmp_path / "out")
    rows = read_csv(result.opt_ins_csv)
    assert [(r["name"], r["email"], r["language"]) for r in rows] == [
        ("Zoé Bélanger", "zoe@example.org", "fr"),
        ("", "anon@example.org", "en"),
        ("Sam", "sam@example.org", "en"),
    ]
    assert result.opt_ins == 3
    organiser = campaign.email.sender_name
    assert rows[0]["consent_wording"] == tr("sign.opt_in", "fr", organiser=organiser)
    assert rows[1]["consent_wording"] == tr("sign.opt_in", "en", organiser=organiser)
    stored = store.conn.execute("SELECT opt_in_at FROM letters ORDER BY id").fetchone()[0]
    given = datetime.fromisoformat(rows[0]["consent_given_at"])
    assert rows[0]["consent_given_at"].endswith("Z") and given.utcoffset() == timedelta(0)
    assert abs(given - datetime.fromisoformat(stored)) < timedelta(seconds=1)


def test_exports_never_name_an_anonymous_visitor(campaign, store, data_dir, tmp_path):
    # Through the journey: a name typed, then "anonymous" chosen.
    visit(store, campaign, "fr", ["pm", "un-ohchr"], first_name="Zébulon", last_name="Secretname",
          sign_mode="anonymous", email="z@example.org", opt_in=True, city="Laval")
    # And a row that holds a name anyway (an older kiosk, a bug): still never shown.
    signer = Signer(mode=SignMode.ANONYMOUS, first_name="Ghislaine", last_name="Cachée",
                    email="g@example.org", opt_in=True)
    letter = make_letter(campaign, "pm", "en", "Please act now, for their safety.", signer)
    store.keep(session_id="s-anon", campaign_id="c", letters=[letter], by_print=True,
               by_email=False, emails=[None], opt_in_wording="wording")
    store.conn.execute("UPDATE letters SET signature = 'Ghislaine Cachée' "
                       "WHERE first_name = 'Ghislaine'")
    result = export_all(campaign, store, tmp_path / "out")
    seen = everything(result)
    for name in ("Zébulon", "Secretname", "Ghislaine", "Cachée"):
        assert name not in seen
    assert seen.count(tr("letter.anonymous_signature", "fr")) == 2
    assert "Laval" in seen, "the place they chose to give stays on their letter"
    assert [r["name"] for r in read_csv(result.opt_ins_csv)] == ["", ""]


def test_letters_staff_cancelled_are_not_posted(campaign, store, data_dir, tmp_path):
    kept = visit(store, campaign, "en", ["pm", "ircc"], first_name="A", last_name="B")
    assert print_jobs.cancel(store, kept[1].print_job_id)
    result = export_all(campaign, store, tmp_path / "out")
    pages = page_texts(result.letters_pdf)
    assert (result.letters, result.left_out, len(pages)) == (1, 1, 2)
    assert "Minister of Immigration" not in "".join(pages)


def test_no_letters_gives_one_page_saying_so(campaign, store, tmp_path):
    result = export_all(campaign, store, tmp_path / "out", lang="fr")
    [page] = page_texts(result.letters_pdf)
    assert page.startswith(tr("exports.no_letters", "fr"))
    assert read_csv(result.opt_ins_csv) == []


def test_missing_font_is_a_clear_error_and_nothing_is_written(campaign, store, tmp_path,
                                                               monkeypatch):
    monkeypatch.setattr(exports, "FONT_DIRS", (tmp_path / "no-fonts",))
    with pytest.raises(ExportError, match="apt install fonts-dejavu-core"):
        export_all(campaign, store, tmp_path / "out")
    assert not (tmp_path / "out").exists()


def test_text_cleaner_drops_emoji_and_marks_what_it_cannot_draw():
    clean = TextCleaner(frozenset(ord(c) for c in "abcdefghijklmnopqrstuvwxyz é!f.\n"))
    assert clean("merci 👨‍👩‍👧 beaucoup !") == "merci beaucoup !"
    assert clean("e\u0301t\u00e9") == "été", "decomposed accents are joined first"
    assert clean("ｆine\tok") == "fine    ok"
    assert clean("a 中文 b") == "a [...] b"
    assert clean("♥ love") == " love"
    assert clean("a\u200bb\x07") == "ab", "invisible characters are dropped, not marked"
    assert (clean.dropped, clean.replaced) == (8, 3)


def test_export_command_writes_and_audits(campaign, store, data_dir, tmp_path):
    visit(store, campaign, "en", ["pm"], first_name="Astrid", last_name="Bergeron")
    out = tmp_path / "usb"
    done = subprocess.run(
        [sys.executable, "-m", "kiosk", "export", "--data-dir", str(data_dir), "--out", str(out)],
        cwd=ROOT, capture_output=True, text=True, timeout=120,
    )
    assert done.returncode == 0, done.stderr
    assert "fontTools" not in done.stderr, "no glyph-by-glyph log of what the letters say"
    for name in ("counts.csv", "letters.pdf", "opt-ins.csv"):
        assert str(out / name) in done.stdout and (out / name).stat().st_size > 0
    assert "Letters in the PDF: 1 (1 postage-free, 0 needing postage). Opt-ins: 0." in done.stdout
    audit = store.conn.execute("SELECT actor, action, detail FROM audit").fetchall()
    assert [(a["actor"], a["action"]) for a in audit] == [("cli", "export")]
    assert "Bergeron" not in audit[0]["detail"] and "letters 1," in audit[0]["detail"]


def test_the_drawn_signature_is_on_the_posted_letter(campaign, store, data_dir, tmp_path):
    """The end-of-day letters.pdf carries what the visitor drew, as the full letter does; never
    for an anonymous letter."""
    from tests.test_letter_pdf import signature_png

    visit(store, campaign, "en", ["pm"], first_name="Ann", last_name="Lee",
          drawing=signature_png())
    visit(store, campaign, "en", ["ircc"], first_name="Bo", last_name="Ek")
    result = export_all(campaign, store, tmp_path / "out", now=datetime.now(UTC))
    pages = PdfReader(result.letters_pdf).pages
    with_images = [p.extract_text() for p in pages if p.images]
    assert len(with_images) == 1 and "Ann Lee" in with_images[0]
