"""``/states`` (the map and table) and ``/states/<ST>`` (one state's entries, members of
Congress and open actions); the thank-you box registered with petitions.after_signing."""

from __future__ import annotations

from flask import Blueprint, abort, render_template, request, url_for
from markupsafe import Markup

from advocacy.core import charts
from advocacy.petitions.models import Signature
from advocacy.resources import pages, services
from advocacy.resources.models import Kind, PathwayStatus
from advocacy.resources.states import STATES, normalise_state, state_name

bp = Blueprint("states", __name__)

# The map's categories: status → (colour, label, dark text?); "unknown" when nothing is recorded.
PALETTE = {
    PathwayStatus.ENACTED.value: ("#0b5cab", "Pathway enacted", True),
    PathwayStatus.PENDING.value: ("#8dbbe6", "Bill pending", False),
    PathwayStatus.NONE.value: ("#d9dee5", "None known", False),
    "unknown": ("#f4f6f9", "Not recorded yet", False),
}


def _kinds_from(args) -> list[Kind]:
    """The ``kind`` filters asked for; unknown values are ignored, not an error."""
    wanted = set(args.getlist("kind")[:10])
    return [kind for kind in Kind if kind.value in wanted]


@bp.get("/states")
def index():
    kinds = _kinds_from(request.args)
    statuses = {code: status.value for code, status in services.pathway_statuses().items()}
    have = services.kinds_by_state()
    rows = [
        (code, name, statuses.get(code), have.get(code, set()))
        for code, name in sorted(STATES.items(), key=lambda item: item[1])
        if not kinds or set(kinds) <= have.get(code, set())
    ]
    tile_map = charts.category_map(
        statuses,
        PALETTE,
        "unknown",
        "IMG licensure pathways by state",
        href=lambda code: url_for("states.show", code=code),
    )
    return render_template(
        "states/index.html",
        tile_map=tile_map,
        legend=charts.category_legend(PALETTE, "Map colours: IMG licensure pathway status"),
        rows=rows,
        kinds=list(Kind),
        chosen=kinds,
        status_labels={s.value: s.label for s in PathwayStatus},
    )


@bp.get("/states/<code>")
def show(code: str):
    state = normalise_state(code)
    if state is None:
        abort(404)
    entries = services.published_entries(state)
    return render_template(
        "states/show.html",
        state=state,
        name=state_name(state),
        current=[e for e in entries if not e.is_history],
        history=[e for e in entries if e.is_history],
        members=pages.congress_members(state),
        actions=pages.open_actions(state),
    )


def _highlights_html(state: str | None) -> Markup | None:
    entries = services.highlights(state)
    if not entries:
        return None
    code = entries[0].state
    return Markup(  # noqa: S704 - a rendered, autoescaped template
        render_template(
            "states/_highlights.html", state=code, name=state_name(code), entries=entries
        )
    )


def thanks_box(signature: Signature, token: str) -> Markup | None:
    """Registered with petitions.after_signing: "In New York: …" with the signer's state's
    two or three most relevant entries and a link to the state page."""
    return _highlights_html(signature.state)


@bp.app_template_global()
def state_highlights(state: str | None) -> Markup:
    """The same box for any page that knows a state (the letters' "sent" page uses it, so
    letters need not import resources); empty when the state has no entries."""
    return _highlights_html(state) or Markup("")
