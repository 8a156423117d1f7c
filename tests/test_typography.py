"""French typography on paper, and what every language gets: kiosk.domain.typography."""

from __future__ import annotations

import pytest

from kiosk.domain.typography import NBSP, NNBSP, typeset

FR_CASES = [
    ("Merci !", f"Merci{NNBSP}!"),
    ("Merci!", f"Merci{NNBSP}!"),
    ("Merci   !", f"Merci{NNBSP}!"),
    ("Pourquoi ? Parce que ; voilà.", f"Pourquoi{NNBSP}? Parce que{NNBSP}; voilà."),
    ("Quoi ?!", f"Quoi{NNBSP}?!"),
    ("« Maintenant » !", f"«{NNBSP}Maintenant{NNBSP}»{NNBSP}!"),
    ("«Maintenant»", f"«{NNBSP}Maintenant{NNBSP}»"),
    ("ÉCOUTEZ : vite", f"ÉCOUTEZ{NBSP}: vite"),
    ("Note:", f"Note{NBSP}:"),
    ("(vraiment!)", f"(vraiment{NNBSP}!)"),
    ("l'été, aujourd'hui", "l’été, aujourd’hui"),
    ("Merci 🙏 !", f"Merci 🙏{NNBSP}!"),
    ("Écrit le 3 : voir", f"Écrit le 3{NBSP}: voir"),
    ("zoe@example.org: merci", f"zoe@example.org{NBSP}: merci"),
]

UNCHANGED_FR = [
    "Rendez-vous à 10:30, ou 9:05.",  # times
    "Un rapport de 1:2.",
    "Voir https://example.org/page?x=1&y=2!",  # a web address, whatever it holds
    "www.example.ca?a=b",
    "écrivez à zoe@example.org:8080",
    "Super :-) et ;-) et :)",  # emoticons
    "a;b",
    "«\nCitation\n»",  # a guillemet at the end of a line keeps its line break
    f"Bonjour{NBSP}! Oui{NNBSP}? «{NBSP}Non{NBSP}»{NNBSP}; Note{NNBSP}: fin",  # already right
    "",
    "\n\n",
    "Ça presse… ",
    "{{ body }} {% if x %}",
]


@pytest.mark.parametrize(("typed", "set_"), FR_CASES)
def test_french_spacing(typed, set_):
    assert typeset(typed, "fr") == set_


@pytest.mark.parametrize("text", UNCHANGED_FR)
def test_french_leaves_these_alone(text):
    assert typeset(text, "fr") == text


@pytest.mark.parametrize("text", [t for t, _ in FR_CASES] + UNCHANGED_FR)
def test_idempotent(text):
    once = typeset(text, "fr")
    assert typeset(once, "fr") == once
    assert typeset(typeset(text, "en"), "en") == typeset(text, "en")


def test_english_only_gets_apostrophes():
    assert typeset("Don't wait! Why? Note: 10:30 « x »", "en") == \
        "Don’t wait! Why? Note: 10:30 « x »"
    assert typeset("O'Neil's 'quoted' words", "en") == "O’Neil’s 'quoted' words"
    assert typeset("rock 'n' roll, '90s", "en") == "rock 'n' roll, '90s"


def test_signs_never_start_a_line():
    # Only no-break spaces stand before a sign: a line can never start with one.
    text = typeset("Vite ! « Oui » ; non ? Note : fin", "fr")
    for sign in "!?;:»":
        assert f" {sign}" not in text
    assert "« " not in text


def test_regional_language_codes_are_french():
    assert typeset("Oui !", "fr-CA") == f"Oui{NNBSP}!"


def test_hostile_text_survives():
    text = "\u202e!\u200f? " + "é" * 5000 + " ! \x00 ;\x07"
    out = typeset(text, "fr")
    assert typeset(out, "fr") == out
    assert out.count("é") == 5000


def test_french_percent_and_currency_keep_to_their_number():
    assert typeset("50 % des gens", "fr") == "50\u202f% des gens"
    assert typeset("Donnez 20 $ par mois.", "fr") == "Donnez 20\u202f$ par mois."
    assert typeset("Coûte 15 € !", "fr") == "Coûte 15\u202f€\u202f!"
    assert typeset("le 50%", "fr") == "le 50%"  # no space typed: none added
    assert typeset("5 $x", "fr") == "5 $x"  # not a sign standing alone
    assert typeset("50 % of people", "en") == "50 % of people"
    once = typeset("50 % et 20 $", "fr")
    assert typeset(once, "fr") == once
