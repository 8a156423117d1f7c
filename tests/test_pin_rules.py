"""PIN rules: only a PIN the pad can type is hashed, and a campaign's pin_hash must be one the
pad can check (issue 10, point 3)."""

from __future__ import annotations

import re

import pytest

from kiosk.pin_rules import hash_pin, pin_hash_problem, pin_problem, verify_pin
from tests.support.checks.kiosk_cli import assert_refused, kiosk_cli

UNTYPABLE = [
    "１２３４",  # full-width digits: str.isdigit() says yes
    "٢٤٦٨",  # Arabic-Indic
    "۱۲۳۴",  # extended Arabic-Indic (Persian)
    "१२३४",  # Devanagari
    "12³4",  # superscript three
    "12 34", "12a4", "", "123", "1234567890123",
]


@pytest.mark.parametrize("pin", UNTYPABLE)
def test_only_ascii_digits_make_a_pin(pin):
    assert pin_problem(pin) is not None
    with pytest.raises(ValueError, match="0 to 9"):
        hash_pin(pin)


@pytest.mark.parametrize("pin", ["１２３４", "٢٤٦٨", "12a4", ""])
def test_hash_pin_refuses_untypable_pins_with_exit_2(pin):
    done = kiosk_cli("hash-pin", "--stdin", stdin=pin + "\n")
    assert_refused(done, "Not a usable PIN", "0 to 9", "Nothing was changed")
    assert "pin_hash" not in done.stdout


def test_hash_pin_with_no_input_is_refused_with_exit_2():
    assert_refused(kiosk_cli("hash-pin", "--stdin", stdin=""), "Not a usable PIN")


def test_hash_pin_prints_a_hash_the_campaign_accepts():
    done = kiosk_cli("hash-pin", "--stdin", stdin="24681357\n")
    assert done.returncode == 0, done.stderr
    (hashed,) = re.findall(r'^pin_hash = "(\$argon2id\$[^"]+)"$', done.stdout, re.M)
    assert pin_hash_problem(hashed) is None
    assert verify_pin(hashed, "24681357") and not verify_pin(hashed, "24681358")
