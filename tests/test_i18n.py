"""Every string a visitor or staff member can see exists in English and French."""

from __future__ import annotations

import re
import string
from pathlib import Path

import pytest

from kiosk.i18n import LANGUAGES, catalog, tr

ROOT = Path(__file__).resolve().parent.parent


def _fields(text: str) -> set[str]:
    return {f for _, f, _, _ in string.Formatter().parse(text) if f}


def test_catalogs_have_the_same_keys():
    en, fr = catalog("en"), catalog("fr")
    assert set(en) - set(fr) == set(), "missing French translations"
    assert set(fr) - set(en) == set(), "French keys with no English original"


@pytest.mark.parametrize("lang", LANGUAGES)
def test_no_empty_or_untranslated_strings(lang):
    for key, text in catalog(lang).items():
        assert text.strip(), f"{lang}:{key} is empty"


def test_french_is_not_a_copy_of_english():
    en, fr = catalog("en"), catalog("fr")
    # Words that are the same in both languages are listed here on purpose.
    # The language buttons (attract.lang_<code>) name each language in itself, in every catalog.
    same_ok = {"email.from_name", "staff.actions", "display.text_size", "display.contrast"}
    copies = [k for k in en if en[k] == fr[k] and k not in same_ok and len(en[k]) > 3
              and not k.startswith("attract.lang_")]
    assert copies == []


def test_placeholders_match():
    en, fr = catalog("en"), catalog("fr")
    for key in en:
        assert _fields(en[key]) == _fields(fr[key]), key


def test_french_typography_keeps_punctuation_with_its_word():
    # A line must never start with "?" or "»": the space before them is non-breaking.
    for key, text in catalog("fr").items():
        assert not re.search(r" [?!:;»]", text), f"fr:{key}: use a non-breaking space"


def test_every_key_used_in_code_exists():
    used = set()
    for path in (ROOT / "kiosk").rglob("*.py"):
        used |= set(re.findall(r"""\b(?:tr|t)\(\s*f?["']([a-z_]+\.[a-z_.]+)["']""",
                               path.read_text(encoding="utf-8")))
    missing = {k for k in used if k not in catalog("en") and "{" not in k}
    assert missing == set()


def test_tr_fills_values():
    assert tr("common.step", "fr", n=2, total=5) == "Étape 2 sur 5"


def test_one_rule_for_dates_in_each_language():
    """Receipts, letters and exports write dates through one function, from one catalog."""
    from datetime import date

    from kiosk.delivery.receipt import format_date
    from kiosk.exports import letter_date
    from kiosk.i18n import long_date

    assert long_date(date(2026, 11, 1), "en") == "November 1, 2026"
    assert long_date(date(2026, 11, 1), "fr") == "1er novembre 2026"
    assert long_date(date(2026, 8, 29), "fr") == "29 août 2026"
    from datetime import datetime

    noon = datetime(2026, 11, 29, 12, 0).astimezone()
    assert format_date(noon, "fr") == "29 novembre 2026"
    assert letter_date(noon.isoformat(), "fr") == "Le 29 novembre 2026"
    assert letter_date(noon.isoformat(), "en") == "November 29, 2026"


@pytest.mark.parametrize("lang", LANGUAGES)
def test_every_language_says_what_code_needs_in_its_language_file(lang):
    """language.toml: names, plural rule, keyboard; each keyboard one the kiosk has a layout
    for, and the language's own name on every language button."""
    from kiosk.i18n import language
    from kiosk.ui.touch_keyboard import LAYOUT_DIR

    facts = language(lang)
    assert facts.code == lang and facts.name and facts.english_name
    assert facts.keyboard in facts.keyboard_choices
    for locale in facts.keyboard_choices:
        assert (LAYOUT_DIR / locale).is_dir(), f"{lang}: no layout for {locale}"
    for other in LANGUAGES:
        assert catalog(other)[f"attract.lang_{lang}"] == facts.name


def test_language_names_and_rules_come_from_the_language_files():
    from kiosk.i18n import english_name, language

    assert (language("en").name, language("fr").name) == ("English", "Français")
    assert (english_name("fr"), english_name("xx")) == ("French", "xx")
    assert (language("en").plural, language("fr").plural) == ("one", "zero_one")
