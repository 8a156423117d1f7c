"""The campaign file: TOML → typed, validated models.

Every error names the file, the key (``recipients[2].email``) and what is allowed, so that a
volunteer editing the file at 8 a.m. on event day can fix it without reading code.
"""

from __future__ import annotations

import re
import tomllib
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from pydantic import (
    BaseModel,
    ValidationError,
)

from kiosk.config.base import LANGUAGES_CONTEXT, Localized, LocalizedLines, _Model, _PerLanguage
from kiosk.config.campaign import Campaign, Recipient, StartingText
from kiosk.config.languages import read_campaign_languages, templates_folder
from kiosk.config.reading import UnreadableFile, read_text_file
from kiosk.errors import Refusal
from kiosk.i18n import english_name

MAX_FILE_BYTES = 1024 * 1024  # the sample is 12 KB
# The deepest the campaign's own keys go is 5 (recipients[0].address.en[0]); anything far
# deeper is a mistake or an attack, and would exhaust Python's stack in the parser or the models.
MAX_NESTING = 12


class ConfigError(Refusal):
    """A campaign file that cannot be used. ``messages`` are ready to show, one per problem
    (each starts with the key it is about); as a Refusal, every command ends it with exit 2."""

    def __init__(self, path: Path, messages: list[str]):
        self.path = path
        self.messages = [_one_safe_line(m) for m in messages]
        super().__init__(f"The campaign file cannot be used: {_one_safe_line(str(path))}",
                         [f"{_one_safe_line(str(path))}: {m}" for m in self.messages])

    def __str__(self) -> str:
        return "\n".join(self.details)


def _one_safe_line(text: str, limit: int = 2000) -> str:
    """A message as it may go to a terminal or a log: one line, control and direction
    characters from the file shown as \\uXXXX (an ESC sequence in a hostile file must not drive
    the staff's terminal), and not endless."""
    import unicodedata

    hidden = ("Cc", "Cf", "Cs", "Co", "Cn", "Zl", "Zp")
    shown = "".join(f"\\u{ord(ch):04x}" if unicodedata.category(ch) in hidden else ch
                    for ch in text)
    return shown if len(shown) <= limit else shown[:limit] + "…"


def _key_path(loc: tuple[Any, ...]) -> str:
    out = ""
    for part in loc:
        if isinstance(part, int):
            out += f"[{part}]"
        elif str(part).startswith(("function-after", "function-before")) or part == "[key]":
            continue
        else:
            out += ("." if out else "") + str(part)
    return out or "(top level)"


def _model_in(annotation: Any) -> type[BaseModel] | None:
    """The model inside ``X``, ``X | None`` or ``list[X]``, if there is one."""
    import typing

    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return annotation
    for arg in typing.get_args(annotation):
        if (found := _model_in(arg)) is not None:
            return found
    return None


def _model_at(loc: tuple[Any, ...]) -> type[BaseModel] | None:
    """The model that the keys at ``loc`` belong to (``("session",)`` → SessionSettings)."""
    model: type[BaseModel] | None = Campaign
    for part in loc:
        if isinstance(part, int) or str(part).startswith(("function-", "model-")):
            continue
        info = model.model_fields.get(str(part)) if model else None
        model = _model_in(info.annotation) if info else None
        if model is None:
            return None
    return model


def _file_keys(model: type[BaseModel]) -> list[str]:
    return [name for name in model.model_fields if name != "source"]


def _all_field_names() -> set[str]:
    names: set[str] = set()
    todo: list[type] = [_Model]
    while todo:
        cls = todo.pop()
        names.update(getattr(cls, "model_fields", {}))
        todo.extend(cls.__subclasses__())
    return names


def _shown(value: Any) -> str:
    if isinstance(value, str):
        if len(value) > 60:
            return f'"{value[:40]}…" ({len(value):,} characters)'
        return f'"{value}"'
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, dict):
        return "a table"
    if isinstance(value, list):
        return "a list"
    return str(value)


# The id and file-name patterns of the models above, in words.
_PATTERN_WORDS = {
    r"^[a-z0-9][a-z0-9_-]{0,63}$": "lower-case letters a-z, digits, - and _ (at most 64)",
    r"^[a-z0-9][a-z0-9-]{0,63}$": "lower-case letters a-z, digits and - (at most 64)",
    r"^https?://\S+$": "a web address starting with https:// and without spaces",
    r"^[A-Za-z0-9_-]+$": "a template name without .txt.j2: letters, digits, - and _",
}


def _friendly(err: Mapping[str, Any]) -> str:
    """Pydantic's message, reworded for someone editing TOML: what is wrong, what is allowed."""
    kind = err["type"]
    ctx = err.get("ctx") or {}
    got = f", not {_shown(err['input'])}" if "input" in err else ""
    if kind == "missing":
        return "missing; this key is required"
    if kind == "extra_forbidden":
        import difflib

        model = _model_at(tuple(err["loc"][:-1]))
        if model is None:
            return "unknown key; check the spelling against docs/campaign.md"
        allowed = _file_keys(model)
        close = difflib.get_close_matches(str(err["loc"][-1]), allowed, n=1)
        hint = f"did you mean {close[0]}? " if close else ""
        return f"unknown key; {hint}allowed here: {', '.join(allowed)}"
    if kind == "literal_error":
        return f"must be one of {ctx.get('expected', '')}{got}"
    if kind == "string_pattern_mismatch":
        pattern = str(ctx.get("pattern"))
        allowed_text = _PATTERN_WORDS.get(pattern, f"text matching {pattern}")
        return f"{_shown(err.get('input'))} is not allowed here; use {allowed_text}"
    if kind in ("int_parsing", "int_type", "int_from_float"):
        return f"must be a whole number{got}"
    if kind in ("float_parsing", "float_type"):
        return f"must be a number{got}"
    if kind in ("bool_parsing", "bool_type"):
        return f"must be true or false{got}"
    if kind == "string_type":
        return f"must be text in quotes{got}"
    if kind == "list_type":
        return f"must be a list, e.g. [\"a\", \"b\"]{got}"
    if kind == "model_type" and _model_at(tuple(err["loc"])) in (Localized, LocalizedLines):
        key = str(err["loc"][-1])
        return f'needs one text per language, e.g. {key}.en = "..." and {key}.fr = "..."{got}'
    if kind in ("model_type", "model_attributes_type", "dict_type"):
        return f"must be a table of keys (a [section] or {{ key = value }}){got}"
    if kind == "too_short":
        return "must not be empty"
    if kind == "too_long":
        return f"too many items; at most {ctx.get('max_length')}"
    if kind == "string_too_long":
        return f"too long; at most {ctx.get('max_length'):,} characters"
    if kind in ("greater_than_equal", "greater_than", "less_than_equal", "less_than"):
        words = {
            "greater_than_equal": ("at least", "ge"),
            "greater_than": ("more than", "gt"),
            "less_than_equal": ("at most", "le"),
            "less_than": ("less than", "lt"),
        }[kind]
        return f"must be {words[0]} {ctx.get(words[1])}{got}"
    return str(err["msg"]).removeprefix("Value error, ")


def _error_line(err: Mapping[str, Any]) -> str:
    loc = tuple(err["loc"])
    message = _friendly(err)
    # A check across several keys (a model validator) reports against the section; when its
    # message starts with a key name, point at that key instead: campaign.default_language.
    first = message.split(" ", 1)[0]
    names_a_key = first in _all_field_names() and (not loc or loc[-1] != first)
    if err["type"] == "value_error" and names_a_key:
        model = _model_at(loc)
        if model is not None and first in model.model_fields:
            rest = message.split(" ", 1)[1] if " " in message else ""
            loc = (*loc, first)
            if rest and not rest.startswith("="):
                message = rest
    return f"{_key_path(loc)}: {message}"


# Texts a campaign may leave out entirely: when given, every language needs one.
_OPTIONAL_TEXTS = ("printer.footer", "office_printer.return_address")


def _check_languages(c: Campaign, available: tuple[str, ...]) -> list[str]:
    """Every text the visitor can see must exist in every language the campaign offers, and
    each text per language is keyed by a language the kiosk has catalogs for."""
    import difflib

    problems: list[str] = []

    def walk(obj: Any, key: str) -> None:
        if isinstance(obj, _PerLanguage):
            given = obj.texts()
            for lang in given:
                if lang not in available:
                    close = difflib.get_close_matches(str(lang), available, n=1)
                    hint = f"did you mean {close[0]}? " if close else ""
                    problems.append(
                        f"{key}.{lang}: unknown key; {hint}allowed here: {', '.join(available)} "
                        "(the languages the kiosk has catalogs for)")
            if key.startswith(_OPTIONAL_TEXTS) and not given:
                return  # an optional text left out entirely
            for lang in c.campaign.languages:
                if not obj.has(lang):
                    problems.append(
                        f"{key}.{lang}: missing {english_name(lang)} ({lang}) text; every "
                        f"language in campaign.languages ({', '.join(c.campaign.languages)}) "
                        "needs one"
                    )
        elif isinstance(obj, BaseModel):
            for name in type(obj).model_fields:
                walk(getattr(obj, name), f"{key}.{name}" if key else name)
        elif isinstance(obj, list):
            for i, item in enumerate(obj):
                walk(item, f"{key}[{i}]")

    walk(c, "")
    return problems


def _check_ids(c: Campaign) -> list[str]:
    problems: list[str] = []
    lists: tuple[tuple[str, Sequence[Recipient | StartingText]], ...] = (
        ("recipients", c.recipients), ("starting_texts", c.starting_texts))
    for field, items in lists:
        first_use: dict[str, int] = {}
        for i, item in enumerate(items):
            if item.id in first_use:
                earlier = f"{field}[{first_use[item.id]}]"
                problems.append(
                    f"{field}[{i}].id: \"{item.id}\" is already used by {earlier}; "
                    "every id must be different"
                )
            first_use.setdefault(item.id, i)
    return problems


def _too_deep(raw: Any) -> str | None:
    """The key under which ``raw`` nests deeper than MAX_NESTING, if it does (no recursion:
    the point is to survive 5,000 levels)."""
    todo: list[tuple[Any, str, int]] = [(raw, "", 0)]
    while todo:
        value, key, depth = todo.pop()
        if depth > MAX_NESTING:
            return key or "(top level)"
        if isinstance(value, dict):
            todo += [(v, f"{key}.{k}" if key else str(k), depth + 1) for k, v in value.items()]
        elif isinstance(value, list):
            # List items are reported under the key that holds the list.
            todo += [(v, key, depth + 1) for v in value]
    return None


_HEADER = re.compile(r"^\s*\[\[?\s*([^\]]+?)\s*\]\]?\s*(#.*)?$")
_KEY = re.compile(r"^\s*([A-Za-z0-9_.\-\"' ]+?)\s*=")


def _where_too_deep(text: str) -> str:
    """For a file the TOML parser gave up on: the key (``session.x``) and line where brackets
    first nest deeper than MAX_NESTING. Quotes and comments are skipped roughly; it only has
    to point a person at the right line."""
    section, key, depth = "", "", 0
    for number, line in enumerate(text.splitlines(), start=1):
        if depth == 0:
            if m := _HEADER.match(line):
                section, key = m.group(1).replace(" ", ""), ""
                continue
            if m := _KEY.match(line):
                key = m.group(1).replace(" ", "").replace('"', "").replace("'", "")
        quote = ""
        for ch in line:
            if quote:
                quote = "" if ch == quote else quote
            elif ch in "\"'":
                quote = ch
            elif ch == "#":
                break
            elif ch in "[{":
                depth += 1
                if depth > MAX_NESTING:
                    full = ".".join(p for p in (section, key) if p) or "(top level)"
                    return f"{full}: lists or tables nested too deeply (line {number})"
            elif ch in "]}":
                depth = max(0, depth - 1)
    return "(top level): lists or tables nested too deeply"


def _nesting_message(where: str) -> str:
    return (f"{where}; the kiosk reads at most {MAX_NESTING} levels of [ ] and {{ }} inside "
            "each other; check the brackets")


def _read(path: Path) -> str:
    given = Path(path).expanduser().absolute()
    try:
        return read_text_file(given, MAX_FILE_BYTES)
    except UnreadableFile as e:
        reason = e.reason
        if reason.startswith("this is a folder"):
            reason = "this is a folder; give the campaign's .toml file"
        raise ConfigError(given, [reason]) from None


def _parse(path: Path, text: str) -> dict[str, Any]:
    try:
        raw = tomllib.loads(text)
    except RecursionError:
        raise ConfigError(path, [_nesting_message(_where_too_deep(text))]) from None
    except tomllib.TOMLDecodeError as e:
        message = f"not valid TOML: {e}"
        if m := re.search(r"\(at line (\d+), column \d+\)", str(e)):
            lines = text.splitlines()
            n = int(m.group(1))
            if 0 < n <= len(lines):
                message = (
                    f"line {n}: not valid TOML: {e}; the line reads: {lines[n - 1].strip()}; "
                    "check its quotes, brackets and = sign"
                )
        raise ConfigError(path, [message]) from None
    if (key := _too_deep(raw)) is not None:
        raise ConfigError(path, [_nesting_message(f"{key}: lists or tables nested too deeply")])
    return raw


def read_campaign_problems(path: str | Path) -> tuple[Campaign, list[str]]:
    """The campaign in ``path`` and what the models' own cross-checks found wrong with it
    (every text in every language, ids used once). Raises ConfigError when the file cannot
    be read, parsed or validated at all."""
    text = _read(Path(path))
    path = Path(path).expanduser().resolve()
    raw = _parse(path, text)
    # `source` is where the file was read from, set below; in the file it is an unknown key.
    early = [_error_line({"type": "extra_forbidden", "loc": ("source",), "msg": ""})
             ] if raw.pop("source", None) is not None else []
    # The campaign's own languages first: campaign.languages may list them.
    own = read_campaign_languages(templates_folder(path, raw))
    early += own.problems
    try:
        campaign = Campaign.model_validate(
            raw, context={LANGUAGES_CONTEXT: own.available}).model_copy(update={"source": path})
    except ValidationError as e:
        raise ConfigError(path, early + [_error_line(err) for err in e.errors()]) from None
    own.add_to_kiosk()
    return campaign, early + _check_languages(campaign, own.available) + _check_ids(campaign)


def read_campaign(path: str | Path) -> Campaign:
    """Read and validate a campaign file as far as the file itself goes; raise ConfigError
    listing every problem found. ``kiosk.app.preflight.load_campaign`` adds the checks that need
    more than the file (its templates render, its QR code fits the paper): commands use that."""
    campaign, problems = read_campaign_problems(path)
    problems += campaign.printer.missing_packages()
    problems += campaign.office_printer.missing_packages()
    if problems:
        raise ConfigError(campaign.source or Path(path), problems)
    return campaign


# The name this function had when it also rendered the templates. Kept for what needs only the
# file read and checked: kiosk/cli/records.py (the campaign's language) and tests' helpers.
load_campaign = read_campaign
