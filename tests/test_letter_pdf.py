"""Full-page letters (kiosk.delivery.paper.letter_pdf), read back with pypdf: the page, where
the address falls against each envelope's window, the visitor's words, the drawn signature."""

from __future__ import annotations

import io
import logging
import re
from dataclasses import replace
from datetime import datetime

import pytest
from fpdf import FPDF
from PIL import Image, ImageDraw

from kiosk.delivery.paper.fonts import find_font
from kiosk.delivery.paper.geometry import WINDOW_ENVELOPES
from kiosk.delivery.paper.letter_pdf import READABLE, full_letter_pdf
from kiosk.domain.letter import Signer, SignMode, make_letter
from kiosk.domain.typography import NNBSP
from tests.support.pdf_text import images, page_size_mm, reader, runs, where

WRITTEN = datetime(2026, 11, 3, 12, 0).astimezone()  # noon, kiosk's local time
PT = 0.3528
PAPERS = [("letter", "us10", (215.9, 279.4)), ("a4", "dl", (210.0, 297.0))]


def signature_png(width: int = 600, height: int = 200) -> bytes:
    img = Image.new("RGBA", (width, height), (0, 0, 0, 0))
    ImageDraw.Draw(img).line([(20, 150), (200, 40), (400, 160), (580, 60)],
                             fill=(10, 20, 120, 255), width=6)
    buf = io.BytesIO()
    img.save(buf, "PNG")
    return buf.getvalue()


def letter(campaign, recipient="pm", lang="en", body="Please open a safe way out, now.",
           **signer):
    fields = {"first_name": "Zoé", "last_name": "Bélanger", "city": "Montréal",
              "postal_code": "H2X 1Y4", **signer}
    return make_letter(campaign, recipient, lang, body, Signer(**fields))


def pdf(letters, paper="letter"):
    return reader(full_letter_pdf([(x, WRITTEN) for x in letters], paper=paper, title="t"))


def text_width(text: str, size: float) -> float:
    doc = FPDF(unit="mm")
    doc.add_font("d", "", str(find_font()[0]))
    doc.set_font("d", "", size)
    return doc.get_string_width(text)


@pytest.mark.parametrize(("paper", "_", "size"), PAPERS)
def test_each_letter_starts_a_page_of_the_paper_asked(campaign, paper, _, size):
    doc = pdf([letter(campaign), letter(campaign, "ircc", "fr")], paper)
    assert len(doc.pages) == 2
    for page in doc.pages:
        assert page_size_mm(page) == pytest.approx(size, abs=0.1)
    assert doc.pages[1].extract_text().lstrip().startswith("Le 3 novembre 2026")
    assert doc.pages[0].extract_text().lstrip().startswith("November 3, 2026")


@pytest.mark.parametrize(("paper", "envelope", "_"), PAPERS)
@pytest.mark.parametrize("lang", ["en", "fr"])
def test_the_address_shows_in_the_window_wherever_the_page_settles(campaign, paper, envelope,
                                                                     _, lang):
    window = WINDOW_ENVELOPES[envelope].always_shown
    for recipient in campaign.recipients:
        [page] = pdf([letter(campaign, recipient.id, lang)], paper).pages
        drawn = runs(page)
        address = recipient.address.get(lang)
        # The address is the second block of the page, after the date; long lines wrap.
        start = next(i for i, r in enumerate(drawn) if r[0].startswith(address[0][:15]))
        block = drawn[start:]
        block = block[:next(i for i, r in enumerate(block) if r[0].startswith(address[-1]))
                      + 1]
        # Four lines fit where the window always shows them. A longer address (the UN's in
        # French wraps to five) rises into what the window shows with the page settled at the
        # bottom, as mail stands when it is read: its last lines (town, country) stay shown.
        low = WINDOW_ENVELOPES[envelope].window_low
        for n, (text, x, baseline, size) in enumerate(block):
            assert 8 <= size <= 11, (text, size)
            top, bottom = baseline - 0.8 * size * PT, baseline + 0.25 * size * PT
            right = x + text_width(text, size)
            assert window.x <= x and right <= window.right, (recipient.id, text, x, right)
            shown = window if len(block) <= 4 or n >= len(block) - 3 else low
            assert shown.y <= top and bottom <= shown.bottom, (recipient.id, text, top, bottom)
        # Nothing else shows through the window, however the page moves.
        env = WINDOW_ENVELOPES[envelope]
        lowest = max(env.window_low.bottom, env.window_high.bottom)
        others = drawn[:start] + drawn[start + len(block):]
        assert all(y < env.window_low.y - 3 or y - 11 * PT > lowest for _, _, y, _ in others)


def test_the_visitor_s_words_and_accents_french_typography(campaign):
    body = "Œuvrez vite, ça presse… « Maintenant » ! Pourquoi attendre ? L'été passe."
    [page] = pdf([letter(campaign, "ircc", "fr", body, first_name="Élodie", last_name="Gagnon",
                         mode=SignMode.FULL)]).pages
    text = page.extract_text()
    assert f"Œuvrez vite, ça presse… «{NNBSP}Maintenant{NNBSP}»{NNBSP}!" in text
    assert f"attendre{NNBSP}? L’été passe." in text
    assert "Élodie Gagnon" in text and "Montréal, H2X 1Y4" in text
    assert "Ministre de l’Immigration" in text
    order = [text.index(s) for s in ("Le 3 novembre", "Chambre des communes", "Œuvrez",
                                     "Élodie Gagnon")]
    assert order == sorted(order)


def test_the_signature_lines_are_the_visitor_s_choice(campaign):
    first = letter(campaign, first_name="Sam", last_name="Hiddenlast", mode=SignMode.FIRST,
                   city="", postal_code="")
    anonymous = letter(campaign, first_name="Secret", last_name="Hiddenname",
                       mode=SignMode.ANONYMOUS, city="Laval", postal_code="")
    texts = [p.extract_text() for p in pdf([first, anonymous]).pages]
    assert "Sam" in texts[0] and "Hiddenlast" not in texts[0]
    assert "Secret" not in texts[1] and "Hiddenname" not in texts[1]
    assert anonymous.signature_lines[0] in texts[1] and "Laval" in texts[1]


def test_a_drawn_signature_is_on_the_letter_and_only_when_drawn(campaign):
    drawn = letter(campaign, drawing=signature_png())
    typed = letter(campaign)
    signed, unsigned = pdf([drawn, typed]).pages
    assert images(signed) == 1 and images(unsigned) == 0
    # Above the typed name, below the closing.
    assert where(signed, "Sincerely")[1] < where(signed, "Zoé Bélanger")[1] - 10


@pytest.mark.parametrize("shape", [(3000, 40), (40, 3000), (1, 1)])
def test_a_drawn_signature_keeps_its_shape_within_bounds(campaign, shape):
    [page] = pdf([letter(campaign, drawing=signature_png(*shape))]).pages
    assert images(page) == 1
    # fpdf2 draws an image with "w 0 0 h x y cm": its size on the page.
    content = page.get_contents().get_data().decode("latin-1")
    w, _, _, h = (float(v) / (72 / 25.4) for v in
                  content.split(" cm")[0].rsplit("q", 1)[-1].split()[:4])
    assert w <= 70.01 and h <= 20.01
    assert w / h == pytest.approx(shape[0] / shape[1], rel=0.02)


@pytest.mark.parametrize("bad", [b"not a png", b"\x89PNG\r\n\x1a\n" + b"\x00" * 40, b""])
def test_an_unreadable_signature_is_left_out_with_a_warning(campaign, caplog, bad):
    caplog.set_level(logging.WARNING)
    [page] = pdf([letter(campaign, drawing=bad)]).pages
    assert images(page) == 0
    assert "Zoé Bélanger" in page.extract_text()
    if bad:
        assert "drawn signature" in caplog.text


def test_a_long_letter_flows_onto_numbered_pages_at_a_readable_size(campaign):
    body = "\n\n".join(["Canada can help these men reach safety. " * 14] * 7)
    doc = pdf([letter(campaign, body=body), letter(campaign, "un-ohchr")])
    pages = [p.extract_text() for p in doc.pages]
    assert len(pages) == 3
    assert "1/2" in pages[0] and "2/2" in pages[1]
    assert not re.search(r"\b\d/\d\b", pages[2]), "a one-page letter has no page numbers"
    assert "Sincerely," in pages[1] and "Zoé Bélanger" in pages[1]
    body_sizes = {round(s, 1) for t, _, _, s in runs(doc.pages[0]) if t.startswith("Canada can")}
    assert body_sizes and min(body_sizes) >= READABLE


def test_postage_free_note_only_where_it_applies(campaign):
    pm, un = pdf([letter(campaign, "pm"), letter(campaign, "un-ohchr")]).pages
    assert "Postage-free" in pm.extract_text()
    assert "Postage-free" not in un.extract_text()
    _, y = where(pm, "Postage-free")
    assert y > 279.4 - 22, "in the footer, far from the window"
    fr = pdf([letter(campaign, "pm", "fr")]).pages[0].extract_text()
    assert "franchise postale" in fr


def test_hostile_text_is_handled(campaign):
    body = ("Merci 🙏🏽👨‍👩‍👧 beaucoup\x07\x1b[31m \u202eevil\u202c \u200f{{ name }} {% if x %}"
            + " mot" * 400 + " " + "x" * 5000)
    hostile = letter(campaign, "ircc", "fr", body, first_name="\u202eZoé\x00",
                     last_name="{{ last }}", city="<script>")
    doc = pdf([hostile])
    text = "".join(p.extract_text() for p in doc.pages)
    assert "🙏" not in text and "\u202e" not in text and "\x07" not in text
    assert "Merci beaucoup" in text and "{{ name }}" in text and "{% if x %}" in text
    assert "Zoé {{ last }}" in text and "<script>" in text
    assert text.count("x") >= 5000  # the long word is broken across lines, not lost
    assert all(page_size_mm(p) == pytest.approx((215.9, 279.4), abs=0.1) for p in doc.pages)


def test_no_letters_is_refused(campaign):
    with pytest.raises(ValueError):
        full_letter_pdf([], paper="letter", title="t")


def test_the_letter_s_own_date_is_its_local_day(campaign):
    late = datetime(2026, 11, 1, 23, 30).astimezone()
    one = replace(letter(campaign, lang="fr"))
    text = reader(full_letter_pdf([(one, late)], paper="a4", title="t")).pages[0].extract_text()
    assert "Le 1er novembre 2026" in text
