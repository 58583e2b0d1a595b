"""Letter templates: known server-side template injection payloads fail safely; the
organizer is told what is wrong and on which line; only plain values reach a template."""

from __future__ import annotations

import pytest

from advocacy.letters import templating
from advocacy.letters.templating import TemplateProblem, check, render, sample_values

SECRET = "S3CRET-MARKER-9d1f27c4"

# Jinja2 SSTI payloads as collected by PayloadsAllTheThings and HackTricks, plus resource
# exhaustion. Each must be refused by check(), or render to text that leaks nothing.
CORPUS = [
    # configuration and the app
    "{{ config }}",
    "{{ config.items() }}",
    "{{ config['SECRET_KEY'] }}",
    "{{ config.SECRET_KEY }}",
    "{{ config.__class__.__init__.__globals__['os'].popen('id').read() }}",
    "{{ self }}",
    "{{ self.__dict__ }}",
    "{{ self.__init__.__globals__ }}",
    "{{ self.__init__.__globals__.__builtins__.__import__('os').popen('id').read() }}",
    "{{ self._TemplateReference__context }}",
    "{{ self._TemplateReference__context.cycler.__init__.__globals__.os }}",
    # the object graph from a literal
    "{{ ''.__class__ }}",
    "{{ ''.__class__.__mro__ }}",
    "{{ ''.__class__.__mro__[1].__subclasses__() }}",
    "{{ ''.__class__.__base__.__subclasses__()[40]('/etc/passwd').read() }}",
    "{{ [].__class__.__base__.__subclasses__() }}",
    "{{ ().__class__.__bases__[0].__subclasses__() }}",
    "{{ {}.__class__.__base__ }}",
    "{{ (1).__class__ }}",
    "{{ supporter.first_name.__class__.__mro__ }}",
    "{{ supporter.__class__ }}",
    "{{ recipient.title.upper() }}",
    "{{ recipient.title.format }}",
    "{{ '{0.__class__}'.format(supporter) }}",
    # the Jinja and Flask globals
    "{{ cycler.__init__.__globals__.os.popen('id').read() }}",
    "{{ joiner.__init__.__globals__.os.popen('id').read() }}",
    "{{ namespace.__init__.__globals__.os.popen('id').read() }}",
    "{{ lipsum.__globals__['os'].popen('id').read() }}",
    "{{ lipsum.__globals__.__builtins__ }}",
    "{{ range.__init__ }}",
    "{{ dict(a=1) }}",
    "{{ url_for.__globals__['current_app'].config }}",
    "{{ url_for.__globals__.os.popen('id').read() }}",
    "{{ get_flashed_messages.__globals__['current_app'].config }}",
    "{{ request }}",
    "{{ request.application.__globals__.__builtins__.__import__('os').popen('id').read() }}",
    "{{ request.environ }}",
    "{{ request|attr('application') }}",
    "{{ g }}",
    "{{ g.pop.__globals__ }}",
    "{{ session }}",
    "{{ current_app.config }}",
    "{{ _ }}",
    "{{ gettext('x') }}",
    "{{ caller }}",
    "{{ loop }}",
    "{{ varargs }}{{ kwargs }}",
    # filters and escapes that rebuild names
    "{{ supporter|attr('__class__') }}",
    "{{ ''|attr('__class__')|attr('__mro__') }}",
    "{{ ''|attr('\\x5f\\x5fclass\\x5f\\x5f') }}",
    "{{ supporter['__class__'] }}",
    "{{ supporter['\\x5f\\x5fclass\\x5f\\x5f'] }}",
    "{{ ''['\\x5f\\x5fclass\\x5f\\x5f'] }}",
    "{{ '\\x5f\\x5fclass\\x5f\\x5f' }}",
    "{{ '\\u005f\\u005fclass\\u005f\\u005f' }}",
    "{{ ''[request.args.c] }}",
    "{{ supporter[recipient.title] }}",
    '{{ "%c"|format(95) }}',
    '{{ "%c%c%c%c%c%c%c%c%c"|format(95,95,99,108,97,115,115,95,95) }}',
    "{{ ('%c' % 95) }}",
    "{{ ['__cla', 'ss__']|join }}",
    "{{ 'x'|replace('x', '__class__') }}",
    "{{ supporter.first_name|safe }}",
    "{{ personal_note|e }}",
    "{{ personal_note|tojson }}",
    "{{ personal_note|pprint }}",
    "{{ personal_note|string }}",
    "{{ personal_note|list }}",
    "{{ personal_note|map(attribute='__class__')|list }}",
    "{{ personal_note|selectattr('__class__') }}",
    "{{ personal_note is sameas personal_note }}",
    # statements
    "{% set x = config %}{{ x }}",
    "{% set x = range(10**9) %}{{ x|length }}",
    "{% set x %}{{ personal_note }}{% endset %}{{ x }}",
    "{% with x = self %}{{ x }}{% endwith %}",
    "{% for i in range(1000000000) %}x{% endfor %}",
    "{% for c in personal_note %}{% for d in personal_note %}{{ c }}{% endfor %}{% endfor %}",
    "{% for x in ().__class__.__base__.__subclasses__() %}{{ x }}{% endfor %}",
    "{% macro r() %}{{ r() }}{% endmacro %}{{ r() }}",
    "{% call x() %}{% endcall %}",
    "{% include 'base.html' %}",
    "{% include '/etc/passwd' %}",
    "{% import 'email/base.txt' as m %}",
    "{% from 'x' import y %}",
    "{% extends 'base.html' %}",
    "{% block b %}{{ self }}{% endblock %}",
    "{% autoescape false %}{{ personal_note }}{% endautoescape %}",
    "{% filter upper %}{{ config }}{% endfilter %}",
    "{% raw %}{{ config }}{% endraw %}",
    "{% do config.update() %}",
    "{% debug %}",
    "{% trans %}x{% endtrans %}",
    # resource exhaustion
    '{{ "a" * 10**9 }}',
    "{{ 'a' * 1000000 }}",
    "{{ 9**9**9 }}",
    "{{ 10 // 3 }}",
    "{{ 1 / 0 }}",
    "{{ personal_note ~ personal_note ~ personal_note }}",
    "{{ " + "9" * 5000 + " }}",
    "{{ " + "(" * 2000 + "1" + ")" * 2000 + " }}",
    "{% if 1 %}" * 400 + "x" + "{% endif %}" * 400,
    "{{ [" + "personal_note, " * 300 + "] }}",
    # not templates at all
    "{{",
    "{% if %}",
    "{{ supporter.first_name",
    "}}{{",
    "\x00{{ supporter.first_name }}",
]


@pytest.fixture
def secret_app(app):
    app.config["SECRET_KEY"] = SECRET
    app.config["MARKER_SETTING"] = SECRET
    with app.test_request_context("/?c=__class__"):
        yield app


def _no_leak(text: str) -> None:
    assert SECRET not in text
    for marker in ("<class", "<function", "<module", "<built-in", "<Flask", "<Config", "<bound"):
        assert marker not in text


@pytest.mark.parametrize("payload", CORPUS)
def test_payload_is_refused_or_harmless(secret_app, payload):
    try:
        check(payload)
    except TemplateProblem as problem:
        assert problem.reason
        _no_leak(str(problem))
    else:
        _no_leak(render(payload, sample_values()))
    # render() holds every template to the same rules, checked or not
    try:
        text = render(payload, sample_values())
    except TemplateProblem as problem:
        _no_leak(str(problem))
    else:
        _no_leak(text)


# The only payloads that save: text that looks like a payload, and plain concatenation.
HARMLESS = {
    "{{ '\\x5f\\x5fclass\\x5f\\x5f' }}",
    "{{ '\\u005f\\u005fclass\\u005f\\u005f' }}",
    "{% raw %}{{ config }}{% endraw %}",
    "{{ personal_note ~ personal_note ~ personal_note }}",
    "\x00{{ supporter.first_name }}",
}


def test_the_dangerous_payloads_are_refused_when_saved(secret_app):
    """Not merely harmless: an organizer learns at once that these cannot be used."""
    assert HARMLESS.issubset(CORPUS)
    for payload in CORPUS:
        if payload not in HARMLESS:
            with pytest.raises(TemplateProblem):
                check(payload)


def test_literal_dunder_strings_and_raw_blocks_are_only_text(secret_app):
    assert render("{{ '\\x5f\\x5fclass\\x5f\\x5f' }}", sample_values()) == "__class__"
    assert render("{% raw %}{{ config }}{% endraw %}", sample_values()) == "{{ config }}"


def test_the_secret_is_really_there_to_find(secret_app):
    """The corpus would prove nothing if the marker were not in reach of a bare Jinja."""
    from jinja2 import Environment

    env = Environment(autoescape=True)
    leaked = env.from_string("{{ config.SECRET_KEY }}").render(config=secret_app.config)
    assert leaked == SECRET


# What an organizer is told


def test_unknown_field_is_named_with_its_line():
    source = "Dear {{ recipient.title }} {{ recipient.last_name }},\n\n{{ supporter.nickname }}\n"
    with pytest.raises(TemplateProblem) as caught:
        check(source, field="body")
    problem = caught.value
    assert problem.line == 3
    assert str(problem).startswith("Line 3: {{ supporter.nickname }} is not a merge field.")
    assert "first_name" in problem.reason  # what the group does have
    assert problem.field == "body"


def test_the_earliest_problem_is_reported():
    source = "Hello\n{{ petition.title }}\n{{ personal_note|tojson }}\n{{ bogus }}\n"
    with pytest.raises(TemplateProblem) as caught:
        check(source)
    assert caught.value.line == 3
    assert "|tojson" in caught.value.reason


def test_a_group_alone_is_explained():
    with pytest.raises(TemplateProblem) as caught:
        check("x\n{{ supporter }}")
    assert caught.value.line == 2
    assert "supporter.first_name" in caught.value.reason


def test_parse_error_has_its_line():
    with pytest.raises(TemplateProblem) as caught:
        check("Dear {{ recipient.title }},\n\nThank you.\n{{ supporter.first_name }\n")
    assert caught.value.line == 4
    assert str(caught.value).startswith("Line 4: ")


def test_unclosed_block_is_refused_with_a_line():
    with pytest.raises(TemplateProblem) as caught:
        check("a\n{% if personal_note %}\nb\n")
    assert caught.value.line is not None
    assert "endif" in caught.value.reason


@pytest.mark.parametrize(
    "source",
    ["{{ ''.__class__ }}", "{{ supporter.first_name.__class__ }}", "{{ 1 / 0 }}", "{{ config }}"],
)
def test_messages_end_with_one_full_stop(source):
    with pytest.raises(TemplateProblem) as caught:
        check(source)
    assert caught.value.reason.endswith(".")
    assert not caught.value.reason.endswith("..")
    assert caught.value.reason[0].isupper() or caught.value.reason.startswith("{{")


def test_render_time_errors_have_their_line():
    with pytest.raises(TemplateProblem) as caught:
        render("one\ntwo\n{{ 1 / 0 }}", sample_values())
    assert caught.value.line == 3


def test_a_missing_value_is_named():
    values = sample_values()
    del values["recipient"]["last_name"]
    with pytest.raises(TemplateProblem) as caught:
        render("Dear {{ recipient.title }}\n{{ recipient.last_name }}", values)
    assert "last_name" in caught.value.reason
    assert caught.value.line == 2


def test_allowed_filters_work():
    values = sample_values()
    values["supporter"]["city"] = "  syracuse "
    source = (
        "{{ recipient.title|upper }} {{ recipient.last_name|lower }} "
        "{{ supporter.city|trim|title }} {{ supporter.city|trim|capitalize }} "
        "{{ supporter.zip|default('none') }} {{ petition.title|striptags|d('x') }}"
    )
    check(source)
    assert render(source, values) == (
        "SENATOR schumer Syracuse Syracuse 13202 Pass the Resident Physician Shortage Reduction Act"
    )
    for name in templating.ALLOWED_FILTERS:
        check(f"{{{{ supporter.first_name|{name} }}}}")


def test_conditions_and_numbers():
    source = (
        "{% if personal_note %}{{ personal_note }}{% else %}No note.{% endif %} "
        "{{ petition.goal - petition.signature_count }} to go"
        "{% if petition.signature_count > 1000 %}, many{% endif %}."
    )
    check(source)
    values = sample_values()
    values["personal_note"] = ""
    assert render(source, values) == "No note. 3088 to go, many."


def test_empty_personal_note_renders_nothing():
    values = sample_values()
    values["personal_note"] = None
    source = "Dear {{ recipient.title }} {{ recipient.last_name }},\n\n{{ personal_note }}"
    assert render(source, values) == "Dear Senator Schumer,"
    values["personal_note"] = ""
    assert render(source, values) == "Dear Senator Schumer,"


def test_output_length_is_capped():
    values = sample_values()
    values["personal_note"] = "x" * 15_000
    source = "{{ personal_note }}{{ personal_note }}"
    assert len(render(source, values)) == 30_000
    with pytest.raises(TemplateProblem, match="longer than 40,000"):
        render(source + "{{ personal_note }}", values)
    values["personal_note"] = "y" * 10_000_000  # cut before it reaches the template
    with pytest.raises(TemplateProblem, match="longer than 40,000"):
        render("{{ personal_note }}", values)


def test_template_length_is_capped():
    with pytest.raises(TemplateProblem, match="longer than 20,000"):
        check("x" * 20_001)


def test_only_plain_values_reach_the_template(secret_app):
    class Sneaky:
        secret = SECRET

        def __str__(self) -> str:
            return "just text"

    values = sample_values()
    values["supporter"]["first_name"] = Sneaky()
    values["personal_note"] = secret_app.config  # a mapping where a value belongs
    values["config"] = secret_app.config  # not a merge field: left out
    values["recipient"]["secret"] = SECRET  # not a field of the group: left out
    assert render("{{ supporter.first_name }}", values) == "just text"
    assert render("{{ supporter.first_name|upper }}", values) == "JUST TEXT"
    with pytest.raises(TemplateProblem):
        render("{{ supporter.first_name.secret }}", values)
    with pytest.raises(TemplateProblem):
        render("{{ config }}", values)
    with pytest.raises(TemplateProblem):
        render("{{ recipient.secret }}", values)
    # numbers stay numbers, None is empty, True is text
    values["petition"]["goal"] = 10
    values["petition"]["title"] = True
    values["petition"]["url"] = None
    assert render("{{ petition.goal + 1 }} {{ petition.title }} [{{ petition.url }}]", values) == (
        "11 True []"
    )


def test_a_str_that_fails_becomes_empty():
    class Broken:
        def __str__(self) -> str:
            raise RuntimeError("no")

    values = sample_values()
    values["personal_note"] = Broken()
    assert render("[{{ personal_note }}]", values) == "[]"


def test_every_field_in_FIELDS_renders_with_sample_values():
    parts = [
        f"{{{{ {group}.{name} }}}}" for group, names in templating.FIELDS.items() for name in names
    ]
    parts += [f"{{{{ {name} }}}}" for name in templating.TOP_FIELDS]
    check("\n".join(parts))


def test_sample_values_take_a_recipient():
    recipient = {"title": "Assembly Member", "last_name": "Hunter", "first_name": "Pamela"}
    values = sample_values(recipient)
    assert render("Dear {{ recipient.title }} {{ recipient.last_name }}:", values) == (
        "Dear Assembly Member Hunter:"
    )


def test_counts_print_with_thousands_separators_and_still_compare():
    values = sample_values()  # 6,912 of 10,000
    assert render("{{ petition.signature_count }} of {{ petition.goal }}", values) == (
        "6,912 of 10,000"
    )
    source = "{{ (petition.goal - petition.signature_count)|number }} to go"
    check(source)
    assert render(source, values) == "3,088 to go"
    assert render("{{ supporter.zip|number }}", values) == "13202"  # text stays text
