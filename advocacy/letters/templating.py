"""Letter templates: Jinja2 in a sandbox, with the merge fields and nothing else.

An organizer writes a subject and a body with merge fields (``{{ supporter.first_name }}``,
``{{ recipient.title }}``, ``{{ petition.url }}``, ``{{ personal_note }}`` …). They are
rendered by a ``SandboxedEnvironment`` with no globals, a short list of filters, and only
plain strings and numbers as values, so nothing in the application is reachable from a
template. ``check`` refuses, when the template is saved, one that does not parse or names
an unknown field, with the line and the reason; ``render`` raises ``TemplateProblem`` for
anything the sandbox stops at render time.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from jinja2 import StrictUndefined, Template, TemplateSyntaxError, nodes
from jinja2.exceptions import SecurityError, UndefinedError
from jinja2.sandbox import SandboxedEnvironment

from advocacy.core.errors import DomainError

# Every merge field, by group, with what it holds (shown to organizers beside the editor).
FIELDS: dict[str, dict[str, str]] = {
    "supporter": {
        "first_name": "The supporter's first name",
        "last_name": "The supporter's last name",
        "full_name": "First and last name",
        "city": "City (may be empty)",
        "state": "State, two letters",
        "zip": "ZIP code",
        "address_block": "Name and postal address, one line each",
    },
    "recipient": {
        "title": "Senator, Representative, Assembly Member, Delegate …",
        "first_name": "First name",
        "last_name": "Last name",
        "full_name": "Full name",
        "chamber": "U.S. Senate, U.S. House, State Senate …",
        "district": "District (empty for senators and organisations)",
        "state": "State, two letters",
    },
    "petition": {
        "title": "The petition's title",
        "url": "The petition's address",
        "signature_count": "Confirmed signatures so far (prints as 6,912)",
        "goal": "The signature goal",
    },
    "campaign": {
        "title": "The campaign's title",
        "bills": "The bills the campaign names, e.g. H.R. 3890, S. 2439",
    },
}
# Top-level fields that are values, not groups.
TOP_FIELDS = {"personal_note": "The supporter's own paragraph (may be empty)"}

# Filters an organizer may use: none of them can grow the output without bound.
ALLOWED_FILTERS = (
    "upper", "lower", "title", "capitalize", "trim", "default", "d", "striptags", "number",
)  # fmt: skip
MAX_TEMPLATE_LENGTH = 20_000
MAX_OUTPUT_LENGTH = 40_000


ALLOWED_TESTS = ("defined", "undefined", "none", "number")
# A letter needs a few dozen merge fields; the cap bounds what one template can make of them.
MAX_FIELD_USES = 200


class TemplateProblem(DomainError):
    """A template that cannot be saved or rendered; ``line`` says where, when known.

    ``reason`` is the sentence alone; ``str()`` (and ``message``) put "Line N: " before it.
    """

    def __init__(self, message: str, *, line: int | None = None, field: str | None = None):
        reason = _sentence(message)
        self.line = line
        self.reason = reason
        where = f"Line {line}: " if line else ""
        super().__init__(f"{where}{reason}", field=field)


def _sentence(message: str) -> str:
    """One sentence: a capital first letter and exactly one full stop (Jinja's own messages
    sometimes end with one already: "… is unsafe.")."""
    text = " ".join(message.split()) or "The template cannot be used"
    text = text[0].upper() + text[1:]
    text = text.rstrip(".")
    return text + "."


class _LetterSandbox(SandboxedEnvironment):
    # Arithmetic that can make huge values ("x" * 10**9, 9**9**9) is refused; ``check``
    # refuses these operators before rendering, this is the second line.
    intercepted_binops = frozenset({"*", "**", "//", "%"})

    def call_binop(self, context: Any, operator_name: str, left: Any, right: Any) -> Any:
        raise SecurityError(f"the {operator_name} operator is not available in letters")

    def is_safe_attribute(self, obj: Any, attr: str, value: Any) -> bool:
        # Values are dicts of plain data: no attribute of any object is needed.
        return False

    def is_safe_callable(self, obj: Any) -> bool:
        return False


def _environment() -> _LetterSandbox:
    env = _LetterSandbox(
        autoescape=False,  # letters are plain text; the email's HTML part escapes them
        undefined=StrictUndefined,
        keep_trailing_newline=False,
        trim_blocks=True,
        lstrip_blocks=True,
        cache_size=0,  # no loader: ``_compiled`` keeps the compiled templates
    )
    env.globals.clear()
    env.tests = {name: env.tests[name] for name in ALLOWED_TESTS}
    env.filters = {name: env.filters[name] for name in ALLOWED_FILTERS if name != "number"}
    env.filters["number"] = _number
    return env


class Count(int):
    """A count or goal: compares and adds as an int, prints as a letter prints numbers
    ("6,912 people have signed"); the result of arithmetic is a plain int (``|number``)."""

    def __str__(self) -> str:
        return f"{int(self):,}"


def _number(value: Any) -> str:
    """``{{ (petition.goal - petition.signature_count)|number }}`` → "3,088"."""
    if isinstance(value, int) and not isinstance(value, bool):
        return f"{value:,}"
    return str(value)


_ENV = _environment()
_MISSING = re.compile(r"has no attribute '([^']+)'|'([^']+)' is undefined")

# What a letter template may contain: output, conditions, filters and plain expressions.
# Everything else (loops, variables, macros, calls, includes, blocks) is refused by kind.
_ALLOWED_NODES: tuple[type[nodes.Node], ...] = (
    nodes.Template, nodes.Output, nodes.TemplateData, nodes.If, nodes.FilterBlock,
    nodes.Name, nodes.Getattr, nodes.Getitem, nodes.Slice, nodes.Const, nodes.Concat,
    nodes.CondExpr, nodes.And, nodes.Or, nodes.Not, nodes.Compare, nodes.Operand,
    nodes.Filter, nodes.Test, nodes.Keyword, nodes.List, nodes.Tuple, nodes.Dict, nodes.Pair,
    nodes.Neg, nodes.Pos, nodes.Add, nodes.Sub, nodes.Div,
)  # fmt: skip
_REFUSED_NODES: tuple[tuple[tuple[type[nodes.Node], ...], str], ...] = (
    ((nodes.For,), "Letters cannot loop ({% for %}): use the merge fields directly"),
    (
        (nodes.Assign, nodes.AssignBlock, nodes.With),
        "Letters cannot set variables ({% set %}, {% with %}): use the merge fields directly",
    ),
    (
        (nodes.Macro, nodes.CallBlock, nodes.Call),
        "Letters cannot call functions or define macros",
    ),
    (
        (nodes.Include, nodes.Import, nodes.FromImport, nodes.Extends, nodes.Block),
        "Letters cannot include, import or extend other templates",
    ),
    ((nodes.Mul,), "The * operator is not available in letters"),
    ((nodes.Pow,), "The ** operator is not available in letters"),
    ((nodes.FloorDiv,), "The // operator is not available in letters"),
    ((nodes.Mod,), "The % operator is not available in letters"),
)


@dataclass(frozen=True)
class FieldUse:
    name: str  # "recipient.title" or "personal_note"
    line: int


@dataclass(frozen=True, order=True)
class _Problem:
    line: int
    order: int
    message: str


def _problems(tree: nodes.Template) -> list[_Problem]:
    """Everything wrong with a parsed template, in the order of its lines."""
    found: list[_Problem] = []

    def add(line: int | None, message: str) -> None:
        found.append(_Problem(line or 1, len(found), message))

    for node in tree.find_all(nodes.Node):
        if isinstance(node, _ALLOWED_NODES):
            continue
        for kinds, message in _REFUSED_NODES:
            if isinstance(node, kinds):
                add(node.lineno, message)
                break
        else:
            add(node.lineno, f"{{% {type(node).__name__.lower()} %}} is not available in letters")
    uses = _field_uses(tree, add)
    for use in uses:
        if not _known(use.name):
            add(use.line, _unknown_field(use.name))
    if len(uses) > MAX_FIELD_USES:
        add(uses[MAX_FIELD_USES].line, f"A letter can use at most {MAX_FIELD_USES} merge fields")
    for filter_node in tree.find_all(nodes.Filter):
        if filter_node.name not in _ENV.filters:
            add(
                filter_node.lineno,
                f"The filter |{filter_node.name} is not available in letters "
                f"(available: {', '.join('|' + f for f in ALLOWED_FILTERS)})",
            )
    for test_node in tree.find_all(nodes.Test):
        if test_node.name not in _ENV.tests:
            add(
                test_node.lineno,
                f"The test “is {test_node.name}” is not available in letters "
                f"(available: {', '.join(ALLOWED_TESTS)})",
            )
    return sorted(found)


def _field_uses(tree: nodes.Template, add: Any) -> list[FieldUse]:
    """Every ``name`` and ``group.name`` the template reads, with its line; reports reads
    of anything else (an attribute of a value, a computed key) through ``add``."""
    uses: list[FieldUse] = []
    consumed: set[int] = set()
    for node in tree.find_all((nodes.Getattr, nodes.Getitem)):
        assert isinstance(node, nodes.Getattr | nodes.Getitem)  # noqa: S101 - for the type
        target = node.node
        key: object
        if isinstance(node, nodes.Getattr):
            key = node.attr
        elif isinstance(node.arg, nodes.Slice):
            continue  # personal_note[:200]
        elif isinstance(node.arg, nodes.Const):
            key = node.arg.value
        else:
            add(node.lineno, "Letters can only use fixed keys and positions, like [0]")
            continue
        if isinstance(key, int) and not isinstance(key, bool):
            continue  # a position in a value: supporter.first_name[0]
        if isinstance(target, nodes.Name):
            uses.append(FieldUse(f"{target.name}.{key}", node.lineno))
            consumed.add(id(target))
        else:
            add(
                node.lineno,
                f"{_describe(node)} is not a merge field: letters read merge fields only "
                "(use a filter such as |upper to change one)",
            )
    for name_node in tree.find_all(nodes.Name):
        if id(name_node) in consumed:
            continue
        uses.append(FieldUse(name_node.name, name_node.lineno))
    return sorted(uses, key=lambda use: use.line)


def _describe(node: nodes.Node) -> str:
    """``{{ supporter.first_name.upper }}`` for an expression made of names and keys."""

    def path(expr: nodes.Node) -> str:
        if isinstance(expr, nodes.Name):
            return expr.name
        if isinstance(expr, nodes.Getattr):
            return f"{path(expr.node)}.{expr.attr}"
        if isinstance(expr, nodes.Getitem) and isinstance(expr.arg, nodes.Const):
            return f"{path(expr.node)}[{expr.arg.value!r}]"
        if isinstance(expr, nodes.Const):
            return repr(expr.value)
        return "…"

    return f"{{{{ {path(node)} }}}}"


def _known(name: str) -> bool:
    if name in TOP_FIELDS:
        return True
    group, _, field = name.partition(".")
    return bool(field) and field in FIELDS.get(group, {})


def _unknown_field(name: str) -> str:
    group, _, field = name.partition(".")
    shown = f"{{{{ {name} }}}}"
    if group in FIELDS and not field:
        choices = ", ".join(f"{group}.{f}" for f in FIELDS[group])
        return f"{shown} is a group of merge fields, not one: use {choices}"
    if group in FIELDS:
        return f"{shown} is not a merge field. {group} has: {', '.join(FIELDS[group])}"
    if group in TOP_FIELDS:
        return f"{shown} is not a merge field: {group} is one value, use {{{{ {group} }}}}"
    groups = ", ".join([*FIELDS, *TOP_FIELDS])
    return f"{shown} is not a merge field. Merge fields start with one of: {groups}"


@lru_cache(maxsize=256)
def _compiled(source: str) -> Template:
    """The checked, compiled template (cached: a campaign renders one template many times).
    Raises ``TemplateProblem`` for a template that is too long, does not parse or uses
    anything letters do not allow; ``lru_cache`` does not keep those."""
    if len(source) > MAX_TEMPLATE_LENGTH:
        raise TemplateProblem(f"The template is longer than {MAX_TEMPLATE_LENGTH:,} characters")
    try:
        tree = _ENV.parse(source)
    except TemplateSyntaxError as exc:
        raise TemplateProblem(_syntax_reason(exc), line=exc.lineno) from None
    except (RecursionError, MemoryError):
        raise TemplateProblem("The template is nested too deeply") from None
    except ValueError:  # the lexer's int(): a number of more than 4,300 digits
        raise TemplateProblem("The template has a number too long to read") from None
    except Exception as exc:  # nothing but TemplateProblem leaves this module
        raise TemplateProblem(f"The template does not parse: {exc}") from None
    problems = _problems(tree)
    if problems:
        raise TemplateProblem(problems[0].message, line=problems[0].line)
    try:
        return _ENV.from_string(tree)
    except TemplateSyntaxError as exc:
        raise TemplateProblem(_syntax_reason(exc), line=exc.lineno) from None
    except (RecursionError, MemoryError):
        raise TemplateProblem("The template is nested too deeply") from None
    except Exception as exc:  # nothing but TemplateProblem leaves this module
        raise TemplateProblem(f"The template cannot be used: {exc}") from None


def check(source: str, *, field: str | None = None) -> None:
    """Refuse a template that does not parse, names an unknown field or uses a filter or
    tag letters do not have; then render it with sample values, so what saves renders."""
    _compiled_for(source, field)
    render(source, sample_values(), field=field)


def _compiled_for(source: str, field: str | None) -> Template:
    try:
        return _compiled(source)
    except TemplateProblem as problem:
        raise TemplateProblem(problem.reason, line=problem.line, field=field) from None


def _syntax_reason(exc: TemplateSyntaxError) -> str:
    return exc.message or "The template does not parse"


def render(source: str, values: Mapping[str, Any], *, field: str | None = None) -> str:
    """The template rendered with ``values`` (see ``FIELDS``), or ``TemplateProblem``.

    The template is checked as ``check`` does (a template saved before a rule existed is
    held to it too); values are reduced to plain strings and numbers first.
    """
    template = _compiled_for(source, field)
    try:
        text = _bounded(template.generate(_plain(values)))
    except TemplateProblem as problem:
        raise TemplateProblem(problem.reason, field=field) from None
    except UndefinedError as exc:
        raise TemplateProblem(
            _undefined_reason(exc), line=_template_line(exc), field=field
        ) from None
    except SecurityError as exc:
        raise TemplateProblem(
            f"Not allowed in a letter: {exc}", line=_template_line(exc), field=field
        ) from None
    except (RecursionError, MemoryError):
        raise TemplateProblem("The template is nested too deeply", field=field) from None
    except Exception as exc:  # 1/0, a bad comparison: the organizer's to fix
        raise TemplateProblem(
            f"The template cannot be rendered: {exc}", line=_template_line(exc), field=field
        ) from None
    return text.strip()


def _undefined_reason(exc: UndefinedError) -> str:
    missing = _MISSING.search(exc.message or "")
    if missing:
        name = missing.group(1) or missing.group(2)
        return f"The merge field “{name}” has no value for this letter"
    return f"A merge field has no value for this letter ({exc.message})"


def _bounded(chunks: Iterator[str]) -> str:
    """Join the output, stopping as soon as it passes ``MAX_OUTPUT_LENGTH``."""
    parts: list[str] = []
    size = 0
    for chunk in chunks:
        size += len(chunk)
        if size > MAX_OUTPUT_LENGTH:
            raise TemplateProblem(
                f"The letter would be longer than {MAX_OUTPUT_LENGTH:,} characters"
            )
        parts.append(chunk)
    return "".join(parts)


def _template_line(exc: BaseException) -> int | None:
    """The template line an error was raised on: Jinja rewrites the traceback so the
    template's frames carry its line numbers, under the file name ``<template>``."""
    line = None
    tb = exc.__traceback__
    while tb is not None:
        if tb.tb_frame.f_code.co_filename == "<template>":
            line = tb.tb_lineno
        tb = tb.tb_next
    return line


def _plain(values: Mapping[str, Any]) -> dict[str, Any]:
    """Only the merge fields reach the template, as str and int: each group a dict of its
    fields, each top-level field one value; anything else in ``values`` is left out."""
    out: dict[str, Any] = {}
    for group, fields in FIELDS.items():
        given = values.get(group)
        if isinstance(given, Mapping):
            out[group] = {name: _scalar(given[name]) for name in fields if name in given}
    for name in TOP_FIELDS:
        if name in values:
            out[name] = _scalar(values[name])
    return out


def _scalar(value: Any) -> str | int:
    """An int stays an int (counts and goals compare); everything else becomes its text,
    cut just past the output cap so a huge value fails that cap instead of filling memory."""
    if value is None:
        return ""
    if isinstance(value, int) and not isinstance(value, bool):
        return Count(value)
    try:
        text = str(value)
    except Exception:  # an object whose __str__ fails is no value
        text = ""
    return text[: MAX_OUTPUT_LENGTH + 1]


def sample_values(recipient: Mapping[str, Any] | None = None) -> dict[str, Any]:
    """Values for a preview: a sample supporter in Syracuse, NY, writing to ``recipient``."""
    return {
        "supporter": {
            "first_name": "Maria",
            "last_name": "Okonkwo",
            "full_name": "Maria Okonkwo",
            "city": "Syracuse",
            "state": "NY",
            "zip": "13202",
            "address_block": "Maria Okonkwo\n100 S Salina St\nSyracuse, NY 13202",
        },
        "recipient": dict(
            recipient
            or {
                "title": "Senator",
                "first_name": "Charles",
                "last_name": "Schumer",
                "full_name": "Charles E. Schumer",
                "chamber": "U.S. Senate",
                "district": "",
                "state": "NY",
            }
        ),
        "petition": {
            "title": "Pass the Resident Physician Shortage Reduction Act",
            "url": "https://advocacy.example.org/petitions/sample",
            "signature_count": 6912,
            "goal": 10000,
        },
        "campaign": {"title": "Write to your legislators", "bills": "H.R. 3890, S. 2439"},
        "personal_note": (
            "I graduated from medical school in 2023 and have applied to residency twice."
        ),
    }


__all__ = ["FIELDS", "TOP_FIELDS", "TemplateProblem", "check", "render", "sample_values"]
