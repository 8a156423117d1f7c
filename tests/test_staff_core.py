"""The staff PIN and the day's counts, without Qt."""

from __future__ import annotations

import pytest

from kiosk.app.letters import keep_letters
from kiosk.domain.journey import Delivery, Journey
from kiosk.pin_rules import hash_pin, verify_pin
from kiosk.store.stats import counts, local_day_start_utc


@pytest.fixture(scope="module")
def pin_hash():
    return hash_pin("2468")


def test_pin_is_hashed_and_verified(pin_hash):
    assert "2468" not in pin_hash and pin_hash.startswith("$argon2")
    assert verify_pin(pin_hash, "2468")
    assert not verify_pin(pin_hash, "2469")
    assert not verify_pin(None, "2468")
    assert not verify_pin("not a hash", "2468")


@pytest.mark.parametrize("bad", ["12", "abcd", "1234567890123", " 1234"])
def test_pin_shape_is_checked(bad):
    with pytest.raises(ValueError, match="4 to 12 digits"):
        hash_pin(bad)


# The lockout's rules, kept across restarts: tests/test_pin_lockout.py.


def test_counts_by_recipient_channel_language(campaign, store):
    for lang, rids, delivery in (
        ("en", ["pm", "ircc"], Delivery(print=True, email=False)),
        ("fr", ["pm"], Delivery(print=True, email=True)),
    ):
        j = Journey(campaign)
        j.set_language(lang)
        j.start()
        for r in rids:
            j.toggle_recipient(r)
        j.update(body="x" * 40, first_name="A", last_name="B")
        keep_letters(store, campaign, j.session, j.letters(), delivery)
    c = counts(store)
    assert (c.letters, c.visitors) == (3, 2)
    assert c.by_recipient == {"ircc": 1, "pm": 2}
    assert c.by_channel == {"print": 3, "email": 1}
    assert c.by_language == {"en": 2, "fr": 1}
    today = counts(store, since=local_day_start_utc())
    assert today.letters == 3
    assert counts(store, since="9999").letters == 0
