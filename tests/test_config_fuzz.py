"""Hostile values for every key of the campaign file: each outcome is either a campaign that
works (its letters, subjects, receipt and QR code can all be made) or a ConfigError whose every
line names a key. Never another exception, never a hang (each load has a deadline)."""

from __future__ import annotations

import copy
import functools
import json
import math
import os
import re
import time
import tomllib
import typing
from datetime import datetime
from pathlib import Path
from typing import Any

import pytest
from pydantic import BaseModel

from kiosk.app.preflight import campaign_warnings, load_campaign
from kiosk.config import Campaign, ConfigError
from tests.support.campaigns import sample_text

# What an organiser, a careless copy-paste or a hostile file might put anywhere. Every key gets
# the first group; the others rotate over the keys so the suite stays quick (KIOSK_FUZZ_ALL=1:
# every value for every key, about four times as long).
EVERY_KEY: list[Any] = [
    0, -1, 2**63 - 1, math.nan, math.inf, True, "", "x" * 100_000, "\u0000", [], {},
]
ROTATING: list[Any] = [
    -(2**63), 1.5, -0.0, -math.inf, 1e308, " ", "a\nb\rc", "\x1b[2J\x7f", "\u202egnp.exe",
    "e\u0301" * 50, "\ufeff😀" * 500, "{{ 7*7 }}", "{% for %}", "../../../etc/passwd",
    "/dev/zero", "REPLACE-ME", [""], ["x"] * 2000, [[["x"]]], {"en": "x"},
    {"a": {"b": {"c": 1}}},
]
ROTATING_PER_KEY = 5

KEY_RE = re.compile(r"^[A-Za-z0-9_-]+(\[\d+\])*(\.[A-Za-z0-9_-]+(\[\d+\])*)*$")
SECONDS_PER_LOAD = 20  # generous: a busy two-core machine; a hang is far longer


def _models_in(annotation: Any) -> list[type[BaseModel]]:
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return [annotation]
    return [m for arg in typing.get_args(annotation) for m in _models_in(arg)]


def every_key(model: type[BaseModel] = Campaign, prefix: tuple = ()) -> list[tuple]:
    """Every key the file may hold, as a path: ("recipients", 0, "name", "en")."""
    keys = []
    for name, field in model.model_fields.items():
        if name == "source":
            continue
        path = (*prefix, name)
        inner = _models_in(field.annotation)
        is_list = typing.get_origin(field.annotation) is list or any(
            typing.get_origin(a) is list for a in typing.get_args(field.annotation))
        if inner:
            sub = (*path, 0) if is_list else path
            keys += every_key(inner[0], sub)
        keys.append(path)
    return keys


def set_key(raw: dict, path: tuple, value: Any) -> None:
    node: Any = raw
    for part in path[:-1]:
        if isinstance(part, int):
            node = node[part]
        else:
            if not isinstance(node.get(part), dict | list):
                node[part] = {}
            node = node[part]
    node[path[-1]] = value


def _key(k: str) -> str:
    return k if re.fullmatch(r"[A-Za-z0-9_-]+", k) else _string(k)


def _string(s: str) -> str:
    return json.dumps(s, ensure_ascii=False).replace("\x7f", "\\u007f")


def inline(v: Any) -> str:
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, int):
        return str(v)
    if isinstance(v, float):
        if math.isnan(v):
            return "nan"
        return ("inf" if v > 0 else "-inf") if math.isinf(v) else repr(v)
    if isinstance(v, str):
        return _string(v)
    if isinstance(v, list):
        return "[" + ", ".join(inline(x) for x in v) + "]"
    return "{" + ", ".join(f"{_key(k)} = {inline(x)}" for k, x in v.items()) + "}"


def dump_toml(raw: dict) -> str:
    top, tables = [], []
    for k, v in raw.items():
        if isinstance(v, dict):
            tables.append(f"[{_key(k)}]")
            tables += [f"{_key(kk)} = {inline(vv)}" for kk, vv in v.items()]
        elif isinstance(v, list) and v and all(isinstance(x, dict) for x in v):
            for item in v:
                tables.append(f"[[{_key(k)}]]")
                tables += [f"{_key(kk)} = {inline(vv)}" for kk, vv in item.items()]
        else:
            top.append(f"{_key(k)} = {inline(v)}")
    return "\n".join(top + tables) + "\n"


@functools.cache
def _sample() -> dict:
    raw = tomllib.loads(sample_text())
    # The sample's PIN check costs an Argon2 run in every warnings() call: the fuzzed keys
    # include staff.pin_hash itself.
    del raw["staff"]["pin_hash"]
    return raw


def base() -> dict:
    return copy.deepcopy(_sample())


def exercise(campaign: Campaign) -> None:
    """Everything a visitor's letter goes through that depends on the campaign file."""
    from kiosk.compose import email_subject, starting_text
    from kiosk.delivery.qr import qr_matrix
    from kiosk.delivery.receipt import letter_bytes, sample_letter

    campaign_warnings(campaign)
    qr_matrix(campaign.donation.url)
    for lang in campaign.languages:
        for t in campaign.starting_texts:
            starting_text(campaign, t.id, lang)
        for r in campaign.recipients:
            email_subject(campaign, r.id, lang)
        letter_bytes(sample_letter(campaign, lang), campaign, datetime(2025, 6, 1))


def outcome(path: Path) -> str:
    started = time.monotonic()
    try:
        campaign = load_campaign(path)
    except ConfigError as e:
        bad = [m for m in e.messages if not KEY_RE.match(m.split(": ", 1)[0])]
        assert not bad, f"lines that name no key: {bad}"
        result = "refused"
    else:
        exercise(campaign)
        result = "ok"
    assert time.monotonic() - started < SECONDS_PER_LOAD
    return result


KEYS = every_key()


def values_for(key: tuple) -> list[Any]:
    if os.environ.get("KIOSK_FUZZ_ALL") == "1":
        return EVERY_KEY + ROTATING
    start = KEYS.index(key) * ROTATING_PER_KEY
    return EVERY_KEY + [ROTATING[(start + i) % len(ROTATING)] for i in range(ROTATING_PER_KEY)]


@pytest.mark.parametrize("key", KEYS, ids=lambda p: ".".join(map(str, p)))
def test_every_hostile_value_is_either_usable_or_refused_with_its_key(tmp_path, key):
    seen = set()
    for i, value in enumerate(values_for(key)):
        raw = base()
        set_key(raw, key, value)
        path = tmp_path / f"c{i}.toml"
        path.write_text(dump_toml(raw), encoding="utf-8")
        try:
            seen.add(outcome(path))
        except Exception as e:
            raise AssertionError(f"{'.'.join(map(str, key))} = {inline(value)[:80]}: "
                                 f"{type(e).__name__}: {e}") from e
    assert "refused" in seen or key[-1] in ("footer",), seen  # every key has a wrong value


def test_the_serialiser_round_trips_the_sample(tmp_path):
    raw = base()
    path = tmp_path / "c.toml"
    path.write_text(dump_toml(raw), encoding="utf-8")
    assert tomllib.loads(path.read_text(encoding="utf-8")) == raw
    assert outcome(path) == "ok"
