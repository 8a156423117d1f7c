"""Organisers' templates run bounded in time, memory and output, at check time and at run time:
whatever a campaign file asks for, one render stops within a few seconds and a few megabytes."""

from __future__ import annotations

import time
import tracemalloc

import pytest
from jinja2 import StrictUndefined, TemplateError

from kiosk.template_sandbox import BoundedEnvironment, Limits, TemplateLimit

DEADLINE = 10.0  # seconds: far above the 2 s a render gets, far below "for ever"
MEMORY = 64 * 1024 * 1024  # bytes traced at the peak; the unbounded versions take gigabytes

HOSTILE = {
    "repeat": "{{ 'x' * 200000000 }}",
    "repeat a list": "{{ ([1] * 10**8)|length }}",
    "join": "{{ 'x' * 99999 ~ 'x' * 99999 }}",
    "doubling with ~": "{% set ns = namespace(s='x') %}{% for i in range(60) %}"
                       "{% set ns.s = ns.s ~ ns.s %}{% endfor %}{{ ns.s|length }}",
    "doubling with +": "{% set ns = namespace(s='x') %}{% for i in range(60) %}"
                       "{% set ns.s = ns.s + ns.s %}{% endfor %}{{ ns.s|length }}",
    "doubling a list": "{% set ns = namespace(l=[1]) %}{% for i in range(60) %}"
                       "{% set ns.l = ns.l + ns.l %}{% endfor %}{{ ns.l|length }}",
    "power": "{{ 9 ** 99999999 }}",
    "squaring": "{% set ns = namespace(n=3) %}{% for i in range(60) %}"
                "{% set ns.n = ns.n * ns.n %}{% endfor %}{{ ns.n }}",
    "long range": "{% for i in range(10**7) %}x{% endfor %}",
    "nested loops": "{% for a in range(10000) %}{% for b in range(10000) %}"
                    "{% for c in range(10000) %}{% endfor %}{% endfor %}{% endfor %}",
    "nested loops in a macro": "{% macro m() %}{% for a in range(10000) %}"
                               "{% for b in range(10000) %}xxxxxxxxxx{% endfor %}{% endfor %}"
                               "{% endmacro %}{{ m()|length }}",
    "nested loops in a set block": "{% set x %}{% for a in range(10000) %}"
                                   "{% for b in range(10000) %}{{ 'y' * 1000 }}{% endfor %}"
                                   "{% endfor %}{% endset %}{{ x|length }}",
    "exponential macro": "{% macro f(n) %}{% if n %}{{ f(n-1) }}{{ f(n-1) }}{% else %}x"
                         "{% endif %}{% endmacro %}{{ f(60) }}",
    "recursive macro": "{% macro f(n) %}{{ f(n) }}{% endmacro %}{{ f(1) }}",
    "center": "{{ 'x'|center(10**9) }}",
    "ljust": "{{ 'ab'.ljust(10**9) }}",
    "expandtabs": "{{ ('\\t' * 100000).expandtabs(100000) }}",
    "replace filter": "{{ ('x' * 100000)|replace('x', 'y' * 100000) }}",
    "replace method": "{{ ('x' * 100000).replace('x', 'y' * 100000) }}",
    "wordwrap": "{{ ('x' * 1000)|wordwrap(1, wrapstring='y' * 100000) }}",
    "indent": "{{ ('a\\n' * 50000)|indent(100000) }}",
    "join filter": "{{ (['x' * 100000] * 100000)|join }}",
    "join separator": "{{ range(10000)|map('string')|join('x' * 100000) }}",
    "format method": "{{ '{:>1000000000}'.format(1) }}",
    "percent": "{{ '%1000000000d' % 1 }}",
    "lipsum": "{{ lipsum(100000) }}",
    "recursive loop": "{% for x in 'x' * 100000 recursive %}{{ loop('x' * 100000) }}{% endfor %}",
    "append": "{% set l = [] %}{% for i in range(10000) %}{% set _ = l.append('x' * 99999) %}"
              "{% endfor %}",
    "searching in loops": "{% for a in range(10000) %}{% for b in range(10000) %}"
                          "{% if ('x' * 100000) in ('y' * 100000) %}{% endif %}{% endfor %}"
                          "{% endfor %}",
    "printing a big list": "{{ [['y' * 100000] * 100000] }}",
    "string filter": "{{ (['y' * 100000] * 100000)|string }}",
    "joining a big list": "{{ 'a' ~ (['y' * 100000] * 100000) }}",
    "to_bytes": "{{ (1).to_bytes(100000000, 'big') }}",
    "fromkeys": "{{ dict.fromkeys(range(10000), 'x' * 100000) }}",
    "include": "{% include 'x' %}",
    "internals": "{{ ''.__class__.__mro__ }}",
    "batch": "{{ ('x' * 100000)|batch(100000, 'y' * 100000)|list }}",
    "slices": "{% set ns = namespace(s='x' * 100000) %}{% for i in range(10000) %}"
              "{% set ns.s = ns.s[1:] ~ 'x' %}{% endfor %}{{ ns.s|length }}",
    "deep parentheses": "{{ " + "(" * 5000 + "1" + ")" * 5000 + " }}",
    "many outputs": "{% for i in range(10000) %}{{ 'z' * 50000 }}{% endfor %}",
    "random": "{{ [1, 2]|random }}",
    "a namespace full of text": "{% set ns = namespace() %}{% set s = 'x' * 99999 %}"
                                + "".join(f"{{% set ns.a{i} = s %}}" for i in range(1000))
                                + "{{ [ns] }}",
}


@pytest.fixture(scope="module")
def env() -> BoundedEnvironment:
    return BoundedEnvironment(undefined=StrictUndefined, trim_blocks=True, lstrip_blocks=True)


@pytest.mark.parametrize("source", HOSTILE.values(), ids=HOSTILE.keys())
def test_hostile_templates_stop_quickly_in_little_memory(env, source):
    tracemalloc.start()
    started = time.monotonic()
    try:
        with pytest.raises((TemplateError, RecursionError)):
            env.render(env.from_string(source), {})
        took = time.monotonic() - started
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert took < DEADLINE, took
    assert peak < MEMORY, peak


def test_a_slow_template_runs_out_of_time_not_of_patience(env):
    limits = Limits(seconds=0.2, max_steps=10**9, max_work_chars=10**12)
    source = ("{% for a in range(10000) %}{% for b in range(10000) %}{% endfor %}{% endfor %}")
    started = time.monotonic()
    with pytest.raises(TemplateLimit, match="takes too long"):
        env.render(env.from_string(source), {}, limits)
    assert time.monotonic() - started < DEADLINE


def test_the_output_is_capped_while_it_streams(env):
    with pytest.raises(TemplateLimit, match="more than 1,000 characters"):
        env.render(env.from_string("{% for i in range(100) %}{{ 'x' * 50 }}{% endfor %}"), {},
                   Limits(max_chars=1000))


def test_what_a_letter_template_may_do_still_works(env):
    source = (
        "{% macro para(text) %}{{ text|trim|capitalize }}{% endmacro %}"
        "{{ para('  dear friends,  ') }}\n"
        "{% for point in points if point %}- {{ loop.index }}. {{ point|upper }}\n{% endfor %}"
        "{% if language == 'fr' %}Bonjour{% else %}Hello{% endif %} "
        "{{ campaign.title|replace('safe', 'a safe') }} "
        "{{ ', '.join(['a', 'b']) }} {{ points|join(' / ') }} {{ 'x' * 3 }} {{ 2 ** 10 }} "
        "{{ (campaign.title ~ '!')|length }} {{ campaign.title[:5] }} {{ range(3)|list }}"
    )
    context = {"language": "en", "campaign": {"title": "Write for safe haven"},
               "points": ["one", "", "two"]}
    assert env.render(env.from_string(source), context) == (
        "Dear friends,\n- 1. ONE\n- 2. TWO\nHello Write for a safe haven a, b one /  / two xxx "
        "1024 21 Write [0, 1, 2]")


def test_visitor_text_is_data_never_source(env):
    typed = "{{ 'x' * 200000000 }} {% for i in range(10**7) %}{% endfor %}"
    assert env.render(env.from_string("{{ body }}"), {"body": typed}) == typed


def test_a_campaign_template_is_bounded_at_run_time_too(tmp_path):
    """A template that never went through check-config (here: a campaign pointed at another
    folder after loading) is still bounded when a visitor picks it."""
    from kiosk.app.preflight import load_campaign
    from kiosk.compose import TemplateProblem, starting_text
    from tests.support.campaigns import copy_templates, write_campaign

    campaign = load_campaign(write_campaign(tmp_path / "c.toml",
                                            templates_dir=copy_templates(tmp_path / "good")))
    bad = copy_templates(tmp_path / "bad", {"letters/en/short.txt.j2": "{{ 'x' * 200000000 }}"})
    moved = campaign.model_copy(update={"campaign": campaign.campaign.model_copy(
        update={"templates_dir": str(bad)})})
    tracemalloc.start()
    started = time.monotonic()
    try:
        with pytest.raises(TemplateProblem, match="200,000,000 characters"):
            starting_text(moved, "short", "en")
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert time.monotonic() - started < DEADLINE and peak < MEMORY
