"""Jinja2 for organisers' templates, with every render bounded in time, work and size.

Campaign files travel between organisations, so their templates are treated as hostile. Jinja2's
sandbox stops them reaching Python's insides but not from asking for ``'x' * 200000000`` or
loops inside loops. This environment adds, on top of the immutable sandbox:

- a size check on everything that can make a value much larger than its inputs (``*`` ``**``
  ``+`` ``~``, the filters kept, the text methods kept) *before* it is made;
- a budget per render: loop turns and calls, characters made along the way, a clock, and how
  deep macros may call each other;
- the output streamed with ``generate()`` and stopped at a cap.

What does not fit is refused with ``TemplateLimit`` and a message in plain words. Visitor text
is never template source here: it is only ever a value in the context.
"""

from __future__ import annotations

import contextvars
import time
import types
from collections.abc import Callable, Collection, Iterable, Iterator, Mapping
from dataclasses import dataclass
from typing import Any, TypeVar

from jinja2 import Undefined, nodes
from jinja2.compiler import CodeGenerator
from jinja2.exceptions import SecurityError, TemplateSyntaxError
from jinja2.sandbox import ImmutableSandboxedEnvironment
from jinja2.utils import Namespace
from jinja2.visitor import NodeTransformer


@dataclass(frozen=True)
class Limits:
    max_chars: int = 100_000  # the text one render makes, and any one value made on the way
    max_work_chars: int = 4_000_000  # every value made along the way, added up
    max_steps: int = 200_000  # loop turns and calls
    max_depth: int = 40  # macros calling macros
    max_range: int = 10_000  # items in range()
    max_int_bits: int = 4096  # about 1,200 digits
    seconds: float = 2.0


class TemplateLimit(SecurityError):
    """A template asked for more than a letter could ever need."""


# Filters a letter template may use; each is wrapped by _guarded(). Left out: those that can
# turn a little text into a lot with no size to check first (format, pprint, tojson, urlize,
# xmlattr…), sum (quadratic on lists) and random (a template must render the same every time).
ALLOWED_FILTERS = frozenset({
    "abs", "attr", "batch", "capitalize", "center", "count", "d", "default", "dictsort", "e",
    "escape", "first", "float", "forceescape", "groupby", "indent", "int", "items", "join",
    "last", "length", "list", "lower", "map", "max", "min", "reject", "rejectattr", "replace",
    "reverse", "round", "safe", "select", "selectattr", "slice", "sort", "string", "striptags",
    "title", "trim", "truncate", "unique", "upper", "wordcount", "wordwrap",
})

# Methods a template may call on text (no format, expandtabs, translate, encode: each can make
# far more text than it is given).
_STR_METHODS = frozenset({
    "capitalize", "casefold", "center", "count", "endswith", "find", "index", "isalnum",
    "isalpha", "isdecimal", "isdigit", "islower", "isnumeric", "isspace", "istitle", "isupper",
    "join", "ljust", "lower", "lstrip", "partition", "removeprefix", "removesuffix", "replace",
    "rfind", "rindex", "rjust", "rpartition", "rsplit", "rstrip", "split", "splitlines",
    "startswith", "strip", "swapcase", "title", "upper", "zfill",
})
_CONTAINER_METHODS = frozenset({"count", "index", "get", "items", "keys", "values"})

_SIZED = (str, bytes, list, tuple, dict, set, frozenset)


class _Budget:
    """What one render has left. Lives in a context variable, so concurrent renders (the GUI
    thread and a worker) each have their own."""

    def __init__(self, limits: Limits):
        self.limits = limits
        self.deadline = time.monotonic() + limits.seconds
        self.steps = 0
        self.work = 0
        self.depth = 0

    def tick(self) -> None:
        self.steps += 1
        if self.steps > self.limits.max_steps:
            raise TemplateLimit(
                f"repeats too much (more than {self.limits.max_steps:,} loop turns and calls)")
        self.check_clock()

    def check_clock(self) -> None:
        if time.monotonic() > self.deadline:
            raise TemplateLimit(f"takes too long (more than {self.limits.seconds:g} s)")

    def charge(self, chars: int) -> None:
        self.work += chars
        if self.work > self.limits.max_work_chars:
            raise TemplateLimit(
                f"makes too much text along the way (more than "
                f"{self.limits.max_work_chars:,} characters)")


_active: contextvars.ContextVar[_Budget | None] = contextvars.ContextVar(
    "kiosk_template_budget", default=None)
_DEFAULT = Limits()


def _limits() -> Limits:
    budget = _active.get()
    return budget.limits if budget else _DEFAULT


def _check_size(size: int, what: str = "text") -> None:
    cap = _limits().max_chars
    if size > cap:
        unit = "characters" if what == "text" else "items"
        raise TemplateLimit(
            f"would make {what} of {size:,} {unit}, too long (at most {cap:,})")


_T = TypeVar("_T")


def _made(value: _T) -> _T:
    """Count a value just made against the render's budget."""
    if isinstance(value, _SIZED):
        _check_size(len(value), "text" if isinstance(value, str | bytes) else "a list")
        if (budget := _active.get()) is not None:
            budget.charge(len(value))
    return value


def _check_number(n: Any) -> None:
    if isinstance(n, int) and not isinstance(n, bool) and abs(n) > _limits().max_chars:
        raise TemplateLimit(f"asks for {n:,}, too large (at most {_limits().max_chars:,})")


def _check_bits(bits: int) -> None:
    if bits > _limits().max_int_bits:
        raise TemplateLimit("the number would be too large")


def text_size(value: Any, limit: int | None = None) -> int:
    """About how many characters ``str(value)`` would make, without making it; stops counting
    once past ``limit``."""
    limit = _limits().max_chars if limit is None else limit
    total, todo = 0, [value]
    while todo and total <= limit:
        v = todo.pop()
        if isinstance(v, str | bytes):
            total += len(v) + 4
        elif isinstance(v, Mapping):
            total += 2 + 4 * len(v)
            todo.extend(v.keys())
            todo.extend(v.values())
        elif isinstance(v, range):
            total += 2 + 8 * len(v)
        elif isinstance(v, Collection) and not isinstance(v, Undefined):
            total += 2 + 2 * len(v)
            todo.extend(v)
        elif isinstance(v, Namespace):  # its repr shows every value set on it
            total += 16
            todo.append(v._Namespace__attrs)
        else:
            total += 24  # numbers (bounded by _check_bits), None, booleans
    return total


def _as_text(value: Any) -> str:
    if not isinstance(value, str):
        _printable(value)
        _check_size(text_size(value))
    return _made(str(value))


def _printable(value: Any) -> None:
    ok = (str, int, float, bool, type(None), Undefined, list, tuple, set, frozenset, dict,
          range, Mapping)
    if not isinstance(value, ok):
        raise TemplateLimit(f"shows a {type(value).__name__} object, which is not text")


def _finalize(value: Any) -> Any:
    """Every {{ … }}: checked and counted before it becomes text."""
    if isinstance(value, str):
        return _made(value)
    if isinstance(value, Undefined):
        return value  # StrictUndefined says which name is missing when it is printed
    _printable(value)
    size = text_size(value)
    _check_size(size)
    if (budget := _active.get()) is not None:
        budget.charge(size)
    return value


# --- filters --------------------------------------------------------------------------------


def _estimate_replace(s: Any, old: Any, new: Any) -> None:
    if isinstance(s, str) and isinstance(old, str) and isinstance(new, str):
        hits = s.count(old) if old else len(s) + 1
        _check_size(len(s) + hits * max(0, len(new) - len(old)))


def _joined(items: Iterable[Any], sep: Any) -> list[Any]:
    items = list(items)
    _check_size(len(items), "a list")
    sep_len = len(sep) if isinstance(sep, str) else 0
    _check_size(text_size(items) + sep_len * len(items))
    return items


def _precheck_filter(name: str, args: list[Any], kwargs: dict[str, Any]) -> None:
    for a in (*args[1:], *kwargs.values()):
        _check_number(a)
    value = args[0] if args else None
    if isinstance(value, list | tuple | dict | set):
        _check_size(text_size(value))
    if name == "replace" and len(args) >= 3:
        _estimate_replace(args[0], args[1], args[2])
    elif name == "indent":
        width = args[1] if len(args) > 1 else kwargs.get("width", 4)
        per_line = len(width) if isinstance(width, str) else width if isinstance(width, int) else 0
        if isinstance(value, str):
            _check_size(len(value) + (value.count("\n") + 1) * per_line)
    elif name == "wordwrap" and isinstance(value, str):
        width = args[1] if len(args) > 1 else kwargs.get("width", 79)
        wrap = args[4] if len(args) > 4 else kwargs.get("wrapstring")
        if isinstance(width, int) and isinstance(wrap, str) and width > 0:
            _check_size(len(value) + (len(value) // width + value.count("\n") + 1) * len(wrap))
    elif name == "join" and args:
        sep = args[1] if len(args) > 1 else kwargs.get("d", "")
        args[0] = _joined(args[0], sep)


def _guarded(name: str, func: Callable[..., Any]) -> Callable[..., Any]:
    pass_arg = getattr(func, "jinja_pass_arg", None)

    def guarded(*args: Any, **kwargs: Any) -> Any:
        head, rest = (args[:1], list(args[1:])) if pass_arg is not None else ((), list(args))
        _precheck_filter(name, rest, kwargs)
        return _made(func(*head, *rest, **kwargs))

    guarded.__name__ = f"guarded_{name}"
    if pass_arg is not None:
        guarded.jinja_pass_arg = pass_arg  # type: ignore[attr-defined]
    return guarded


def _loop_turns(iterable: Iterable[Any], literal_chars: int) -> Iterator[Any]:
    """Wrapped around every {% for %}: each turn costs a step, and the plain text in the loop
    body counts as made (it piles up in macro and {% set %} buffers)."""
    budget = _active.get()
    for item in iterable:
        if budget is not None:
            budget.tick()
            budget.charge(literal_chars)
        yield item


# --- compiling ------------------------------------------------------------------------------


class _Guards(NodeTransformer):
    """Rewrites a parsed template before it is compiled: loops and ~ go through the budget;
    statements a one-file letter never needs are refused."""

    def __init__(self, name: str | None, filename: str | None):
        self.name, self.filename = name, filename

    def _refuse(self, node: nodes.Node, what: str) -> None:
        raise TemplateSyntaxError(f"{what} are not available in kiosk templates",
                                  node.lineno, self.name, self.filename)

    def visit_For(self, node: nodes.For) -> nodes.Node:
        if node.recursive:
            self._refuse(node, "recursive loops")
        self.generic_visit(node)  # rewrites the children in place and returns the node itself
        literal = sum(len(d.data) for child in node.body
                      for d in (child, *child.find_all(nodes.TemplateData))
                      if isinstance(d, nodes.TemplateData))
        node.iter = _filter(node.iter, "kiosk_loop", nodes.Const(literal))
        return node

    def visit_Concat(self, node: nodes.Concat) -> nodes.Node:
        self.generic_visit(node)
        node.nodes = [_filter(n, "kiosk_text") for n in node.nodes]
        return _filter(node, "kiosk_sized")

    def visit_Include(self, node: nodes.Node) -> None:
        self._refuse(node, "{% include %}, {% import %} and {% extends %}")

    visit_Import = visit_FromImport = visit_Extends = visit_Include


def _filter(node: nodes.Node, name: str, *args: nodes.Expr) -> nodes.Filter:
    return nodes.Filter(node, name, list(args), [], None, None, lineno=node.lineno)


class _GuardedCodeGenerator(CodeGenerator):
    def visit_Template(self, node: nodes.Template, frame: Any = None) -> None:
        super().visit_Template(_Guards(self.name, self.filename).visit(node), frame)


# --- the environment ------------------------------------------------------------------------


class BoundedEnvironment(ImmutableSandboxedEnvironment):
    """The immutable sandbox with the guards above. Render only through ``render``."""

    intercepted_binops = frozenset({"*", "**", "+", "%"})
    code_generator_class = _GuardedCodeGenerator

    def __init__(self, limits: Limits = _DEFAULT, **options: Any):
        super().__init__(finalize=_finalize, **options)
        self.limits = limits
        self.globals.pop("lipsum", None)  # random text, of any length asked for
        self.globals["range"] = self._range
        self.filters = {name: _guarded(name, f) for name, f in self.filters.items()
                        if name in ALLOWED_FILTERS}
        self.filters.update(kiosk_loop=_loop_turns, kiosk_text=_as_text, kiosk_sized=_made)

    def _range(self, *args: int) -> range:
        numbers = range(*args)
        if len(numbers) > self.limits.max_range:
            raise TemplateLimit(
                f"range() of {len(numbers):,} numbers is too long (at most "
                f"{self.limits.max_range:,})")
        return numbers

    # Jinja2 hands str.format out before asking is_safe_attribute: never hand it out.
    def wrap_str_format(self, value: Any) -> None:
        return None

    def is_safe_attribute(self, obj: Any, attr: str, value: Any) -> bool:
        if not super().is_safe_attribute(obj, attr, value):
            return False
        if not callable(value):
            return True
        if isinstance(obj, str):
            return attr in _STR_METHODS
        if isinstance(obj, int | float | bytes):
            return False
        if isinstance(obj, list | tuple | dict | set | frozenset):
            return attr in _CONTAINER_METHODS
        return True

    def call_binop(self, context: Any, operator: str, left: Any, right: Any) -> Any:
        if operator == "*":
            for seq, n in ((left, right), (right, left)):
                if isinstance(seq, _SIZED) and isinstance(n, int):
                    _check_size(len(seq) * max(n, 0),
                                "text" if isinstance(seq, str | bytes) else "a list")
            if isinstance(left, int) and isinstance(right, int):
                _check_bits(abs(left).bit_length() + abs(right).bit_length())
        elif operator == "**":
            if isinstance(left, int) and isinstance(right, int) and right > 0:
                _check_bits((abs(left).bit_length() - 1) * right)
        elif operator == "+":
            if isinstance(left, _SIZED) and isinstance(right, _SIZED):
                _check_size(len(left) + len(right),
                            "text" if isinstance(left, str | bytes) else "a list")
        elif operator == "%" and isinstance(left, str | bytes):
            raise TemplateLimit("% is not available on text; join texts with ~")
        return _made(super().call_binop(context, operator, left, right))

    def getattr(self, obj: Any, attribute: str) -> Any:
        if (budget := _active.get()) is not None:
            budget.check_clock()
        return super().getattr(obj, attribute)

    def getitem(self, obj: Any, argument: Any) -> Any:
        if (budget := _active.get()) is not None:
            budget.check_clock()
        value = super().getitem(obj, argument)
        return _made(value) if isinstance(argument, slice) else value

    # Double underscores, as in Jinja2: a template may pass keyword arguments named self or obj.
    def call(__self, __context: Any, __obj: Any, *args: Any, **kwargs: Any) -> Any:
        budget = _active.get()
        if budget is not None:
            budget.tick()
            budget.depth += 1
        try:
            if budget is not None and budget.depth > budget.limits.max_depth:
                raise TemplateLimit(
                    f"calls macros too deep (more than {budget.limits.max_depth} inside "
                    "each other)")
            args = __self._precheck_method(__obj, args, kwargs)
            return _made(super().call(__context, __obj, *args, **kwargs))
        finally:
            if budget is not None:
                budget.depth -= 1

    @staticmethod
    def _precheck_method(obj: Any, args: tuple[Any, ...], kwargs: dict[str, Any],
                         ) -> tuple[Any, ...]:
        """Methods of built-in types (text, lists): refuse what would make too much."""
        if not isinstance(obj, types.BuiltinMethodType | types.MethodWrapperType):
            return args
        for a in (*args, *kwargs.values()):
            _check_number(a)
        receiver, name = getattr(obj, "__self__", None), obj.__name__
        if isinstance(receiver, str):
            if name == "replace" and len(args) >= 2:
                _estimate_replace(receiver, args[0], args[1])
            elif name == "join" and args:
                return (_joined(args[0], receiver), *args[1:])
        return args

    # --- rendering --------------------------------------------------------------------------

    def render(self, template: Any, context: Mapping[str, Any], limits: Limits | None = None,
               ) -> str:
        """``template`` rendered with ``context``, or TemplateLimit if it asks for too much.
        Other errors (a missing variable, 1/0) propagate as they are."""
        limits = limits or self.limits
        token = _active.set(_Budget(limits))
        chunks = template.generate(context)
        try:
            out: list[str] = []
            size = 0
            for chunk in chunks:
                size += len(chunk)
                if size > limits.max_chars:
                    raise TemplateLimit(
                        f"makes more than {limits.max_chars:,} characters of text")
                out.append(chunk)
            return "".join(out)
        finally:
            chunks.close()
            _active.reset(token)
