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

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from jinja2 import StrictUndefined, TemplateSyntaxError, nodes
from jinja2.exceptions import SecurityError, TemplateError, UndefinedError
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
        "signature_count": "Confirmed signatures so far",
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
ALLOWED_FILTERS = ("upper", "lower", "title", "capitalize", "trim", "default", "d", "striptags")
MAX_TEMPLATE_LENGTH = 20_000
MAX_OUTPUT_LENGTH = 40_000


class TemplateProblem(DomainError):
    """A template that cannot be saved or rendered; ``line`` says where, when known."""

    def __init__(self, message: str, *, line: int | None = None, field: str | None = None):
        self.line = line
        where = f"Line {line}: " if line else ""
        super().__init__(f"{where}{message}", field=field)
        self.reason = message


class _LetterSandbox(SandboxedEnvironment):
    # Arithmetic that can make huge values ("x" * 10**9, 9**9**9) is refused.
    intercepted_binops = frozenset({"*", "**", "//", "%"})

    def call_binop(self, context: Any, operator_name: str, left: Any, right: Any) -> Any:
        raise SecurityError(f"the {operator_name!r} operator is not available in letters")

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
    )
    env.globals.clear()
    env.tests = {name: env.tests[name] for name in ("defined", "undefined", "none", "number")}
    env.filters = {name: env.filters[name] for name in ALLOWED_FILTERS}
    return env


_ENV = _environment()


@dataclass(frozen=True)
class FieldUse:
    name: str  # "recipient.title" or "personal_note"
    line: int


def _field_uses(tree: nodes.Template) -> list[FieldUse]:
    """Every ``name`` and ``group.name`` the template reads, with its line."""
    uses: list[FieldUse] = []
    consumed: set[int] = set()
    for node in tree.find_all((nodes.Getattr, nodes.Getitem)):
        target = node.node  # type: ignore[attr-defined]  # both kinds have it
        if isinstance(target, nodes.Name):
            key = node.attr if isinstance(node, nodes.Getattr) else _const_key(node)  # type: ignore[arg-type]
            uses.append(FieldUse(f"{target.name}.{key}", node.lineno))
            consumed.add(id(target))
    assigned = {n.name for n in tree.find_all(nodes.Name) if n.ctx in ("store", "param")}
    for name_node in tree.find_all(nodes.Name):
        if id(name_node) in consumed or name_node.ctx != "load" or name_node.name in assigned:
            continue
        uses.append(FieldUse(name_node.name, name_node.lineno))
    return uses


def _const_key(node: nodes.Getitem) -> str:
    arg = node.arg
    return str(arg.value) if isinstance(arg, nodes.Const) else "[…]"


def _known(name: str) -> bool:
    if name in TOP_FIELDS:
        return True
    group, _, field = name.partition(".")
    return bool(field) and field in FIELDS.get(group, {})


def check(source: str, *, field: str | None = None) -> None:
    """Refuse a template that does not parse, names an unknown field or uses a filter or
    tag letters do not have; then render it with sample values, so what saves renders."""
    if len(source) > MAX_TEMPLATE_LENGTH:
        raise TemplateProblem(
            f"The template is longer than {MAX_TEMPLATE_LENGTH:,} characters.", field=field
        )
    try:
        tree = _ENV.parse(source)
    except TemplateSyntaxError as exc:
        raise TemplateProblem(_syntax_reason(exc), line=exc.lineno, field=field) from None
    for use in _field_uses(tree):
        if not _known(use.name):
            raise TemplateProblem(
                f"{{{{ {use.name} }}}} is not a merge field. {_suggestion(use.name)}",
                line=use.line,
                field=field,
            )
    for node in tree.find_all(nodes.Filter):
        if node.name not in _ENV.filters:
            raise TemplateProblem(
                f"the filter |{node.name} is not available in letters "
                f"(available: {', '.join(ALLOWED_FILTERS)}).",
                line=node.lineno,
                field=field,
            )
    for forbidden in tree.find_all((nodes.Macro, nodes.CallBlock, nodes.Include, nodes.Import,
                                    nodes.FromImport, nodes.Extends, nodes.Call)):  # fmt: skip
        raise TemplateProblem(
            "letters cannot call functions, define macros or include other templates.",
            line=forbidden.lineno,
            field=field,
        )
    render(source, sample_values(), field=field)


def _syntax_reason(exc: TemplateSyntaxError) -> str:
    message = exc.message or "the template does not parse"
    return message[0].upper() + message[1:] + ("" if message.endswith(".") else ".")


def _suggestion(name: str) -> str:
    group, _, _ = name.partition(".")
    if group in FIELDS:
        return f"{group} has: {', '.join(FIELDS[group])}."
    groups = ", ".join([*FIELDS, *TOP_FIELDS])
    return f"Merge fields start with one of: {groups}."


def render(source: str, values: Mapping[str, Any], *, field: str | None = None) -> str:
    """The template rendered with ``values`` (see ``FIELDS``), or ``TemplateProblem``."""
    try:
        text = _ENV.from_string(source).render(_plain(values))
    except TemplateSyntaxError as exc:
        raise TemplateProblem(_syntax_reason(exc), line=exc.lineno, field=field) from None
    except UndefinedError as exc:
        raise TemplateProblem(f"{exc.message}.", field=field) from None
    except SecurityError as exc:
        raise TemplateProblem(f"Not allowed in a letter: {exc}.", field=field) from None
    except (TemplateError, TypeError, ValueError, OverflowError, RecursionError) as exc:
        raise TemplateProblem(f"The template cannot be rendered: {exc}.", field=field) from None
    if len(text) > MAX_OUTPUT_LENGTH:
        raise TemplateProblem(
            f"The letter would be longer than {MAX_OUTPUT_LENGTH:,} characters.", field=field
        )
    return text.strip()


def _plain(values: Mapping[str, Any]) -> dict[str, Any]:
    """Only str, int and one level of dicts of them reach the template."""
    out: dict[str, Any] = {}
    for key, value in values.items():
        if isinstance(value, Mapping):
            out[key] = {k: _scalar(v) for k, v in value.items()}
        else:
            out[key] = _scalar(value)
    return out


def _scalar(value: Any) -> str | int:
    if isinstance(value, bool) or value is None:
        return "" if value is None else str(value)
    if isinstance(value, int):
        return value
    return str(value)


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
