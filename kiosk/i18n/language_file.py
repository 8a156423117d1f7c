"""``language.toml``: what the kiosk needs to know about a language besides its texts.

Every catalog folder has one: the language's name (in itself and in English), how its counts
choose a word, the on-screen keyboard, and a sample visitor for the pictures of the screens.
Code asks for these facts by language code, so a language is added with files, not Python.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

LANGUAGE_FILE = "language.toml"
# A language code: ISO 639-1 or -3 (en, fr, es, oji), as catalog folders and the store use it.
CODE = re.compile(r"^[a-z]{2,3}$")
# A Qt Virtual Keyboard locale: en_CA, fr_FR, es_ES.
KEYBOARD_LOCALE = re.compile(r"^[a-z]{2,3}_[A-Z]{2}$")

# Which counts take the first (singular) word of "{n:one|other}", by the name a language.toml
# gives its rule. Whole numbers only, as CLDR's rules for them.
PLURAL_RULES: dict[str, Callable[[int], bool]] = {
    "one": lambda n: n == 1,
    "zero_one": lambda n: n in (0, 1),
    "none": lambda n: False,
}
SAMPLE_VISITOR_FIELDS = ("first_name", "last_name", "city", "postal_code", "email")
# For a language whose file gives no sample visitor.
NEUTRAL_SAMPLE_VISITOR: Mapping[str, str] = {
    "first_name": "Alex", "last_name": "Morgan", "city": "Winnipeg",
    "postal_code": "R3C 4T3", "email": "alex@example.com",
}
_KEYS = ("name", "english_name", "plural", "keyboard", "keyboard_choices", "sample_visitor")
_MAX_NAME = 60


@dataclass(frozen=True)
class Language:
    code: str
    name: str  # in itself: "Français"
    english_name: str  # "French"
    plural: str  # a key of PLURAL_RULES
    keyboard: str  # the on-screen keyboard's locale unless the campaign chooses another
    keyboard_choices: tuple[str, ...] = ()  # the locales a campaign may choose (keyboard first)
    sample_visitor: Mapping[str, str] = field(default_factory=dict)

    def is_one(self, n: int) -> bool:
        return PLURAL_RULES[self.plural](n)

    def sample(self) -> dict[str, str]:
        """A made-up visitor's details; the neutral one's for any the file leaves out."""
        return {**NEUTRAL_SAMPLE_VISITOR, **self.sample_visitor}


def _choices(names: Any) -> str:
    items = [f'"{n}"' for n in names]
    return ", ".join(items[:-1]) + f" or {items[-1]}" if len(items) > 1 else "".join(items)


def _text(raw: Mapping[str, Any], key: str, problems: list[str], pattern: re.Pattern[str] | None,
          allowed: str) -> str:
    value = raw.get(key)
    if value is None:
        problems.append(f"{key}: missing; this key is required ({allowed})")
        return ""
    if not isinstance(value, str) or not value.strip():
        problems.append(f"{key}: must be text in quotes ({allowed})")
        return ""
    value = value.strip()
    if len(value) > _MAX_NAME or (pattern is not None and not pattern.match(value)):
        problems.append(f'{key}: "{value[:_MAX_NAME]}" is not allowed here; use {allowed}')
        return ""
    return value


def parse_language(code: str, raw: Mapping[str, Any]) -> tuple[Language | None, list[str]]:
    """The facts in a language.toml already parsed into ``raw``, and what is wrong with them
    (each problem starts with its key). The Language is None when anything is wrong."""
    problems = [f"{key}: unknown key; allowed here: {', '.join(_KEYS)}"
                for key in raw if key not in _KEYS]
    name = _text(raw, "name", problems, None, 'the language\'s name in itself, e.g. "Español"')
    english = _text(raw, "english_name", problems, None,
                    'the language\'s name in English, e.g. "Spanish"')
    plural = raw.get("plural")
    if not (isinstance(plural, str) and plural in PLURAL_RULES):
        got = ("missing" if plural is None else f'not "{plural[:_MAX_NAME]}"'
               if isinstance(plural, str) else "not text in quotes")
        problems.append(f"plural: must be one of {_choices(PLURAL_RULES)}, {got}: \"one\" when "
                        "only 1 takes the singular (English), \"zero_one\" when 0 and 1 do "
                        "(French), \"none\" when the word never changes")
    where = "a Qt keyboard locale: language_COUNTRY, e.g. es_ES"
    keyboard = _text(raw, "keyboard", problems, KEYBOARD_LOCALE, where)
    choices = raw.get("keyboard_choices", [keyboard] if keyboard else [])
    if "keyboard_choices" not in raw and not keyboard:
        choices = []  # the keyboard's own problem is reported
    elif not (isinstance(choices, list) and choices
            and all(isinstance(c, str) and KEYBOARD_LOCALE.match(c) for c in choices)):
        problems.append(f"keyboard_choices: must be a list of keyboard locales ({where})")
        choices = [keyboard]
    elif keyboard and keyboard not in choices:
        problems.append(f'keyboard_choices: must include keyboard "{keyboard}"')
    sample = raw.get("sample_visitor", {})
    if not isinstance(sample, dict):
        problems.append("sample_visitor: must be a table of keys ([sample_visitor])")
        sample = {}
    for key, value in sample.items():
        if key not in SAMPLE_VISITOR_FIELDS:
            problems.append(f"sample_visitor.{key}: unknown key; allowed here: "
                            f"{', '.join(SAMPLE_VISITOR_FIELDS)}")
        elif not isinstance(value, str) or len(value) > _MAX_NAME:
            problems.append(f"sample_visitor.{key}: must be text in quotes, at most "
                            f"{_MAX_NAME} characters")
    if problems:
        return None, problems
    return Language(code=code, name=name, english_name=english, plural=str(plural),
                    keyboard=keyboard, keyboard_choices=tuple(choices),
                    sample_visitor=dict(sample)), []


def read_package_language(folder: Path) -> Language:
    """The language.toml of a catalog folder the kiosk ships (tests check every one)."""
    import tomllib

    with open(folder / LANGUAGE_FILE, "rb") as f:
        language, problems = parse_language(folder.name, tomllib.load(f))
    if language is None:
        raise ValueError(f"{folder / LANGUAGE_FILE}: {'; '.join(problems)}")
    return language
