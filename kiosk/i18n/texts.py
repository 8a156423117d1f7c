"""Catalog texts: flattening a catalog's tables into keys, filling placeholders (with the
``{n:singular|plural}`` choice), and checking a translated catalog against the kiosk's own.
"""

from __future__ import annotations

import string
from collections.abc import Callable, Mapping
from typing import Any

PLURAL_MARK = "|"  # in a placeholder's format spec: "singular|plural"
# Problems listed a catalog file at most; the rest are counted.
MAX_PROBLEMS_A_FILE = 20


def flatten(node: Mapping[str, Any], prefix: str = "") -> dict[str, object]:
    """``{"common": {"back": "Back"}}`` → ``{"common.back": "Back"}``; leaves as they are."""
    flat: dict[str, object] = {}
    todo: list[tuple[str, Mapping[str, Any]]] = [(prefix, node)]
    while todo:
        where, table = todo.pop()
        for k, v in table.items():
            key = f"{where}.{k}" if where else str(k)
            if isinstance(v, dict):
                todo.append((key, v))
            else:
                flat[key] = v
    return flat


class CountFormatter(string.Formatter):
    """``str.format``, plus ``{n:singular|plural}`` choosing the word for the count ``n``."""

    def __init__(self, is_one: Callable[[int], bool]):
        self.is_one = is_one

    def format_field(self, value: object, format_spec: str) -> str:
        if PLURAL_MARK not in format_spec:
            text: str = super().format_field(value, format_spec)
            return text
        one, _, other = format_spec.partition(PLURAL_MARK)
        return one if self.is_one(abs(int(value))) else other  # type: ignore[call-overload]


def fill(text: str, is_one: Callable[[int], bool], values: Mapping[str, object]) -> str:
    if PLURAL_MARK in text:
        return CountFormatter(is_one).format(text, **values)
    return text.format(**values)


def fields(text: str) -> set[str]:
    """The placeholders of ``text``; ValueError if its braces are not placeholders."""
    return {f for _, f, _, _ in string.Formatter().parse(text) if f}


def _fills_alike(reference: str, text: str) -> str | None:
    """Why ``text`` fails where ``reference`` fills (with every placeholder a number, then a
    word), or None: a translation must never crash where the original works."""
    for value in (1, 2, "x"):
        values = dict.fromkeys(fields(reference), value)
        try:
            fill(reference, lambda n: n == 1, values)
        except (ValueError, TypeError, KeyError, IndexError):
            continue
        try:
            fill(text, lambda n: n == 1, values)
        except (ValueError, TypeError, KeyError, IndexError) as e:
            return f"cannot be filled in: {e}"
    return None


def text_problem(reference: str, text: object) -> str | None:
    """What is wrong with ``text`` as a translation of ``reference``, or None."""
    if not isinstance(text, str):
        return 'must be text in quotes, e.g. back = "Atrás"'
    if not text.strip():
        return "empty; every text needs a translation"
    try:
        own = fields(text)
    except ValueError as e:
        return (f"not a usable text ({e}); a {{ or }} that is not a placeholder is written twice: "
                "{{ }}")
    allowed = fields(reference)
    if unknown := sorted(own - allowed):
        may = (f"this text may use {', '.join('{' + f + '}' for f in sorted(allowed))}"
               if allowed else "this text has none")
        return (f"{', '.join('{' + f + '}' for f in unknown)} is not a placeholder here; {may}")
    return _fills_alike(reference, text)


def catalog_problems(reference: Mapping[str, str], given: Mapping[str, object]) -> list[str]:
    """What keeps the flattened catalog ``given`` from standing in for ``reference``: each
    line starts with the key it is about."""
    problems: list[str] = []
    for key, original in reference.items():
        if key not in given:
            problems.append(f'{key}: missing; every key of the kiosk\'s catalog is needed '
                            f'(in English: "{_short(original)}")')
        elif (problem := text_problem(original, given[key])) is not None:
            problems.append(f"{key}: {problem}")
    problems += [f"{key}: unknown key; the kiosk's catalog has no such text (check its name "
                 "and the [table] above it)" for key in given if key not in reference]
    if len(problems) > MAX_PROBLEMS_A_FILE:
        more = len(problems) - MAX_PROBLEMS_A_FILE
        problems = [*problems[:MAX_PROBLEMS_A_FILE], f"and {more} more problems like these"]
    return problems


def _short(text: str, limit: int = 60) -> str:
    return text if len(text) <= limit else text[:limit] + "…"
