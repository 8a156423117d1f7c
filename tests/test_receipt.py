"""The receipt layout, the locked code page and the printer settings, without a printer."""

from __future__ import annotations

import unicodedata
from datetime import datetime

import pytest

from kiosk.app.preflight import load_campaign, qr_problems
from kiosk.config import ConfigError, PrinterSettings
from kiosk.delivery.codepage import PLACEHOLDER, CodePage
from kiosk.delivery.receipt import (
    ReceiptFormat,
    build_receipt,
    preview_lines,
    receipt_bytes,
    wrap,
)
from kiosk.domain.letter import Signer, make_letter
from tests.support.campaigns import printer_campaign, sample_text
from tests.support.peers.escpos_printer import decode

WHEN = datetime(2025, 3, 1, 14, 30)
ACCENTS = "É È À Ç Ô Œ « » é è à ç ô œ ù û ê â î ï ë ü"
LONG_BODY = (
    "Je vous écris aujourd’hui parce que des hommes gais et bisexuels de Tchétchénie sont "
    "arrêtés, torturés et parfois tués. Le Canada peut leur offrir une voie sûre ! Agissez "
    "« maintenant » : chaque semaine compte ; leurs familles aussi sont menacées. "
    + ACCENTS
)


def _letter(campaign, body=LONG_BODY, lang="fr", recipient="pm"):
    return make_letter(campaign, recipient, lang, body,
                       Signer(first_name="Zoë", last_name="Çelik", city="Montréal"))


def _body_lines(lines):
    texts = [pl.text for pl in lines]
    start = texts.index("Bonjour,") + 2
    end = texts.index("", start)
    return lines[start:end]


@pytest.mark.parametrize(
    ("profile", "paper", "columns"),
    [("default", 58, 32), ("default", 80, 42), ("TM-T20II", 80, 48), ("POS-5890", 58, 32)],
)
def test_body_wraps_to_the_profile_columns_without_splitting_words(
    campaign, profile, paper, columns
):
    c = printer_campaign(campaign, profile=profile, paper_width_mm=paper, codepage="CP1252")
    lines = preview_lines(_letter(c), c, WHEN)
    assert ReceiptFormat.from_settings(c.printer).columns == columns
    for pl in lines:
        assert pl.style == "qr" or len(pl.text) <= pl.width, pl  # qr: the link, drawn as a code
        assert pl.width == columns or pl.style == "small"
    body = _body_lines(lines)
    assert max(len(pl.text) for pl in body) > columns - 10  # lines are actually filled
    # Every word arrives whole and in order: joining the lines gives the text back.
    assert " ".join(pl.text for pl in body).split() == LONG_BODY.replace("’", "’").split()
    # French punctuation stays with its word.
    assert not any(pl.text.startswith(("!", ":", ";", "»")) for pl in body)
    assert not any(pl.text.endswith("«") for pl in body)


def test_only_a_word_longer_than_a_line_is_broken():
    assert wrap("a " + "x" * 10 + " b", 10) == ["a", "x" * 10, "b"]
    assert wrap("ab " + "y" * 25 + " c", 10) == ["ab", "y" * 10, "y" * 10, "yyyyy c"]
    assert wrap("Ottawa ON  K1A 0A6", 32) == ["Ottawa ON  K1A 0A6"]  # two spaces kept


def test_receipt_contents_in_order(campaign):
    lines = preview_lines(_letter(campaign), campaign, WHEN)
    texts = [pl.text for pl in lines]
    styles = [pl.style for pl in lines]
    assert lines[0].style == "title" and lines[0].align == "center"
    assert texts[0].startswith("Écrivez")
    assert "1er mars 2025" in texts
    assert texts.index("Cabinet du premier ministre") < texts.index("Bonjour,")
    assert any(t.startswith("Pas besoin de timbre") for t in texts)
    assert "Zoë Çelik" in texts and "Montréal" in texts
    assert lines[texts.index("Zoë Çelik")].style == "bold"
    qr = lines[styles.index("qr")]
    assert qr.text == campaign.donation.url and qr.align == "center"
    assert any("Balayez le code" in t for t in texts)  # caption
    assert any("Merci d" in t for t in texts)  # footer
    assert styles[-1] == "cut" and styles.count("cut") == 1
    en = preview_lines(_letter(campaign, lang="en", recipient="un-ohchr"), campaign, WHEN)
    en_texts = [pl.text for pl in en]
    assert "March 1, 2025" in en_texts
    assert any("Needs a stamp" in t for t in en_texts)
    assert not any("No stamp needed" in t for t in en_texts)


def test_qr_and_cut_can_be_turned_off(campaign):
    c = printer_campaign(campaign, print_qr=False, cut=False)
    lines = preview_lines(_letter(c), c, WHEN)
    assert "qr" not in [pl.style for pl in lines]
    data = receipt_bytes(lines, ReceiptFormat.from_settings(c.printer))
    assert b"\x1dV" not in data and b"\x1dv0" not in data
    (receipt,) = decode(data)
    assert receipt.qr == [] and not receipt.cut


def test_what_you_see_is_what_prints(campaign):
    for codepage in ("CP858", "CP1252"):
        c = printer_campaign(campaign, codepage=codepage)
        fmt = ReceiptFormat.from_settings(c.printer)
        lines = build_receipt(_letter(c, LONG_BODY + " 🏳️‍🌈 Спасибо"), c, WHEN, fmt)
        (receipt,) = decode(receipt_bytes(lines, fmt))
        shown = [pl.text for pl in lines if pl.style not in ("qr", "cut") and pl.text]
        printed = [line.text for line in receipt.lines if line.text]
        assert printed == shown
        assert receipt.qr == [c.donation.url] and receipt.cut
        # One code page, locked once right after ESC @; never a MagicEncode switch (CP857 = 13).
        assert receipt.codepage_tables == [fmt.codepage.table]
        assert receipt.find("Zoë").bold and receipt.lines[0].double_height


def test_codepage_substitutes_on_purpose():
    cp858 = CodePage.for_printer("default", "CP858")
    assert cp858.table == 19
    text = "Œuvre, cœur, « oui », l’été “enfin” — … 5 € 🏳️‍🌈👍🏽 Спасибо 谢谢 ok?"
    out = cp858.substitute(text)
    # The emoji go and their gap closes, as in the export's PDF (kiosk/domain/output_text.py).
    assert out == "OEuvre, coeur, « oui », l'été \"enfin\" - ... 5 € [...] [...] ok?"
    assert cp858.encode(out).count(b"?") == 1  # only the visitor's own
    cp1252 = CodePage.for_printer("default", "CP1252")
    assert cp1252.substitute("Œuvre « l’été » — €") == "Œuvre « l’été » — €"
    assert CodePage.for_printer("default", "CP863").substitute("5 €") == "5 EUR"
    cp437 = CodePage.for_printer("default", "CP437")
    assert cp437.substitute("À l’ÉTÉ, Ô ÈVE ÇA") == "A l'ÉTÉ, O EVE ÇA"  # CP437 lacks À È Ô
    assert PLACEHOLDER == "[...]"


def test_the_receipt_and_the_pdf_clean_visitor_text_by_one_rule():
    from kiosk.exports import TextCleaner

    cp = CodePage.for_printer("default", "CP858")
    can_show = frozenset(i for i in range(0x110000) if cp.can_hold(chr(i)) and chr(i) != "\t")
    pdf = TextCleaner(can_show)  # a font that draws what CP858 holds, no more
    text = ("Œuvre « l’été » — 5 € 🏳️‍🌈 Merci 🙏🏽 beaucoup\u200b ! Ｆine Ⅻ ĉu? Спасибо 谢谢\n"
            "Zoë, Ďakujem, ﬁn ♥ ok")
    assert cp.substitute(text) == pdf(text)
    assert "  " not in pdf(text) and pdf.dropped > 0 and pdf.replaced > 0


def test_no_accidental_question_marks():
    cp = CodePage.for_printer("default", "CP858")
    # Every BMP character plus a sample of emoji: never '?' unless the input had one
    # (⁇ ⁈ ⁉ are question marks too, and print as "??", "?!", "!?").
    everything = "".join(chr(i) for i in range(0x20, 0xD800)
                         if "?" not in unicodedata.normalize("NFKD", chr(i)))
    everything += "".join(chr(i) for i in range(0x1F300, 0x1F6FF))
    assert b"?" not in cp.encode(cp.substitute(everything))


def test_printer_settings_are_checked():
    with pytest.raises(ValueError, match=r"not a python-escpos profile.*TM-T20II"):
        PrinterSettings(path="x", profile="TM-9000")
    with pytest.raises(ValueError, match=r"has no code page CP858.*codepage_table"):
        PrinterSettings(path="x", profile="ZJ-5870", paper_width_mm=58)
    PrinterSettings(path="x", profile="ZJ-5870", paper_width_mm=58, codepage="CP1252")
    PrinterSettings(path="x", profile="ZJ-5870", paper_width_mm=58, codepage_table=19)
    with pytest.raises(ValueError, match="for 58 mm paper"):
        PrinterSettings(path="x", profile="POS-5890", paper_width_mm=80)
    with pytest.raises(ValueError, match="cannot draw QR"):
        PrinterSettings(path="x", profile="ZJ-5870", paper_width_mm=58, codepage="CP1252",
                        qr_native=True)
    with pytest.raises(ValueError, match="serial_baudrate"):
        PrinterSettings(connection="serial", serial_device="/dev/ttyS0", serial_baudrate=1234)
    small = PrinterSettings(path="x", paper_width_mm=58, qr_size=16)
    (problem,) = qr_problems(small, "https://example.org/" + "d" * 60)
    assert "dots wide but 58 mm paper prints 384" in problem and "qr_size = " in problem
    assert qr_problems(PrinterSettings(path="x", qr_size=4), "https://example.org/d") == []


def test_check_config_names_the_printer_key(tmp_path, sample_path):

    text = sample_text()
    bad = tmp_path / "bad.toml"
    bad.write_text(text.replace('profile = "default"', 'profile = "TM-9000"'), encoding="utf-8")
    with pytest.raises(ConfigError) as e:
        load_campaign(bad)
    assert any(m.startswith("printer") and "TM-9000" in m for m in e.value.messages)
