"""Counts read as plain English and French: "1 try left", "2 tries left", "1 essai restant"."""

from __future__ import annotations

import re
import string

import pytest

from kiosk.i18n import LANGUAGES, catalog, plural_is_one, tr


def test_pin_pad_counts_in_both_languages():
    assert tr("staff.pin_wrong", "en", left=1) == "Wrong PIN. 1 try left."
    assert tr("staff.pin_wrong", "en", left=2) == "Wrong PIN. 2 tries left."
    assert tr("staff.pin_wrong", "fr", left=1) == "NIP incorrect. 1 essai restant."
    assert tr("staff.pin_wrong", "fr", left=2) == "NIP incorrect. 2 essais restants."
    assert tr("staff.pin_locked", "en", n=1).endswith("in 1 second.")
    assert tr("staff.pin_locked", "fr", n=1).endswith("dans 1 seconde.")
    assert tr("staff.pin_digits", "en", n=0) == "0 digits typed"
    assert tr("staff.pin_digits", "fr", n=0) == "0 chiffre tapé"


@pytest.mark.parametrize(("lang", "n", "one"), [
    ("en", 0, False), ("en", 1, True), ("en", 2, False), ("en", 21, False),
    ("fr", 0, True), ("fr", 1, True), ("fr", 2, False), ("fr", 1000, False),
])
def test_plural_rule(lang, n, one):
    # French counts 0 as singular ("0 essai"), English does not ("0 tries").
    assert plural_is_one(lang, n) is one


def test_a_plural_choice_leaves_other_format_specs_alone():
    assert tr("display.text_size_name", "en", size=150) == "Text size: 150%"


# Placeholders that are not counts: filled with a word. Any other placeholder is taken as a count,
# so a new count string is checked without anyone listing it here.
_NOT_COUNTS = {"answer", "campaign", "capacity", "code", "codepage", "day", "detail", "error",
               "folder", "id", "message_id", "month", "name", "organiser", "path", "places",
               "profile", "reason", "recipient", "server", "signature", "space", "state",
               "status", "table", "target", "title", "to", "url", "when", "year"}
_SINGULAR_NOUN_AFTER_ONE = {
    "en": re.compile(r"\b1 (?:print )?[a-z]+s\b"),
    "fr": re.compile(r"\b1 (?!sans\b)[a-zéèêàç]+[sx]\b"),  # "1 sans affranchissement" is fine
}
# Shown only for two letters or more: one letter has its own wording, deliver.send.
_MANY_ONLY = {"deliver.send_many"}


def _fields(text: str) -> set[str]:
    return {f for _, f, _, _ in string.Formatter().parse(text) if f}


def _values(fields: set[str], n: int) -> dict[str, object]:
    return {f: "X" if f in _NOT_COUNTS else n for f in fields}


@pytest.mark.parametrize("lang", LANGUAGES)
def test_no_string_says_one_of_something_in_the_plural(lang):
    """Every count in every catalog, at 1: "1 tries", "1 secondes", "1 retenus" are caught."""
    wrong = []
    for key, text in catalog(lang).items():
        fields = _fields(text)
        if not fields or key in _MANY_ONLY:
            continue
        said = tr(key, lang, **_values(fields, 1))
        if _SINGULAR_NOUN_AFTER_ONE[lang].search(said):
            wrong.append(f"{key}: {said!r}")
    assert wrong == []


@pytest.mark.parametrize("lang", LANGUAGES)
def test_every_count_reads_well_at_two(lang):
    # The other side of the choice: a plural form must not be singular by mistake.
    for key, text in catalog(lang).items():
        fields = _fields(text)
        if fields:
            said = tr(key, lang, **_values(fields, 2))
            assert not re.search(r"\b2 (try|second|letter|email|digit|day|essai|seconde|"
                                 r"lettre|courriel|chiffre|jour)\b", said), f"{key}: {said!r}"
