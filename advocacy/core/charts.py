"""Charts drawn on the server as inline SVG: a petition's signatures over time, a sparkline and a
U.S. tile-grid map.

Every chart is ``Markup`` built from escaped parts, scales with its ``viewBox`` (no fixed pixel
size, so it fits a phone), reads without JavaScript, and says what it shows: ``role="img"``, a
``<title>`` and an ``aria-label``. The numbers themselves belong in a real table beside the chart
(the templates put one in a "Show the numbers" box); the chart is for the eye.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date

from markupsafe import Markup, escape

# The usual 12 × 8 tile grid (NPR / FiveThirtyEight style): state → (column, row).
TILES: dict[str, tuple[int, int]] = {
    "AK": (0, 0), "ME": (11, 0),
    "VT": (10, 1), "NH": (11, 1),
    "WA": (1, 2), "ID": (2, 2), "MT": (3, 2), "ND": (4, 2), "MN": (5, 2), "IL": (6, 2),
    "WI": (7, 2), "MI": (8, 2), "NY": (9, 2), "RI": (10, 2), "MA": (11, 2),
    "OR": (1, 3), "NV": (2, 3), "WY": (3, 3), "SD": (4, 3), "IA": (5, 3), "IN": (6, 3),
    "OH": (7, 3), "PA": (8, 3), "NJ": (9, 3), "CT": (10, 3),
    "CA": (1, 4), "UT": (2, 4), "CO": (3, 4), "NE": (4, 4), "MO": (5, 4), "KY": (6, 4),
    "WV": (7, 4), "VA": (8, 4), "MD": (9, 4), "DE": (10, 4),
    "AZ": (2, 5), "NM": (3, 5), "KS": (4, 5), "AR": (5, 5), "TN": (6, 5), "NC": (7, 5),
    "SC": (8, 5), "DC": (9, 5),
    "OK": (4, 6), "LA": (5, 6), "MS": (6, 6), "AL": (7, 6), "GA": (8, 6),
    "HI": (0, 7), "TX": (4, 7), "FL": (9, 7),
}  # fmt: skip

# One colour in steps, lightest (none) to darkest; shade-0 means no signers.
SHADES = ("#eef1f5", "#cfe0f3", "#8dbbe6", "#3f86cf", "#0b5cab", "#063a6e")
INK = "#17212e"
MUTED = "#566170"
LINE = "#d9dee5"
BLUE = "#0b5cab"
BAR = "#8dbbe6"
GOAL = "#1d7a46"
MILESTONE = "#8a5a00"


def _n(value: float) -> str:
    """A coordinate, short: 12, 12.5."""
    return f"{value:.1f}".rstrip("0").rstrip(".")


def _num(value: int) -> str:
    return f"{value:,}"


def _short(value: int) -> str:
    """An axis label: 950, 12k, 1.2M."""
    if value >= 1_000_000:
        return f"{value / 1_000_000:.1f}".rstrip("0").rstrip(".") + "M"
    if value >= 10_000:
        return f"{value // 1000}k"
    if value >= 1000:
        return f"{value / 1000:.1f}".rstrip("0").rstrip(".") + "k"
    return str(value)


def _svg(view_w: float, view_h: float, label: str, body: list[str], cls: str) -> Markup:
    text = escape(label)
    return Markup(  # noqa: S704 - every interpolated text is escaped or a number
        f'<svg class="chart {cls}" viewBox="0 0 {_n(view_w)} {_n(view_h)}" role="img" '
        f'aria-label="{text}" xmlns="http://www.w3.org/2000/svg" '
        f'preserveAspectRatio="xMidYMid meet"><title>{text}</title>' + "".join(body) + "</svg>"
    )


def nice_ceiling(value: int) -> int:
    """The smallest 1, 2 or 5 × 10ⁿ at or above ``value`` (an axis top)."""
    if value <= 0:
        return 1
    power = 10 ** math.floor(math.log10(value))
    for step in (1, 2, 5, 10):
        if step * power >= value:
            return step * power
    return 10 * power  # pragma: no cover - the loop always returns


@dataclass(frozen=True)
class Marker:
    """A milestone on the time chart: the day it was reached, the count then, a short label."""

    day: date
    count: int
    label: str


def timeline(
    days: Sequence[date],
    daily: Sequence[int],
    goal: int,
    markers: Sequence[Marker] = (),
    label: str = "Signatures over time",
    compact: bool = False,
) -> Markup:
    """Two panels sharing the time axis: the running total (a line, with the goal as a dashed
    line and milestones as dots), and below it the confirmed signatures of each day (bars).

    ``compact`` draws it narrower for a phone (the same text size on a smaller canvas reads
    larger once scaled to the screen); the page shows one or the other by width."""
    _cls = "timeline compact" if compact else "timeline wide"
    width, left, right = (360.0, 44.0, 10.0) if compact else (640.0, 56.0, 16.0)
    top_y0, top_h = 14.0, 180.0  # the total panel
    bar_y0, bar_h = 230.0, 80.0  # the per-day panel
    height = bar_y0 + bar_h + 30
    plot_w = width - left - right
    n = len(days)
    body: list[str] = []
    if n == 0:
        body.append(
            f'<text x="{_n(width / 2)}" y="{_n(height / 2)}" text-anchor="middle" '
            f'font-size="16" fill="{MUTED}">No signatures yet</text>'
        )
        return _svg(width, height, label + ": no signatures yet", body, _cls)
    totals: list[int] = []
    running = 0
    for value in daily:
        running += value
        totals.append(running)
    top = nice_ceiling(max(goal, running))
    day_top = nice_ceiling(max(daily) if daily else 1)
    slot = plot_w / n
    index = {d: i for i, d in enumerate(days)}

    def x_mid(i: int) -> float:
        return left + slot * (i + 0.5)

    def y_total(v: float) -> float:
        return top_y0 + top_h - top_h * v / top

    # Grid and axis labels: the total panel.
    for frac in (0, 0.5, 1):
        y = top_y0 + top_h - top_h * frac
        body.append(
            f'<line class="grid" x1="{_n(left)}" x2="{_n(width - right)}" y1="{_n(y)}" '
            f'y2="{_n(y)}" stroke="{LINE}" stroke-width="1"/>'
            f'<text x="{_n(left - 8)}" y="{_n(y + 5)}" text-anchor="end" font-size="14" '
            f'fill="{MUTED}">{_short(int(top * frac))}</text>'
        )
    # The goal.
    if goal > 0:
        gy = y_total(goal)
        # Above the line, unless the line is the top of the chart: then just below it.
        ly = gy - 6 if gy - 20 > top_y0 else gy + 18
        body.append(
            f'<line class="goal-line" x1="{_n(left)}" x2="{_n(width - right)}" y1="{_n(gy)}" '
            f'y2="{_n(gy)}" stroke="{GOAL}" stroke-width="2" stroke-dasharray="6 4"/>'
            f'<text class="goal-label" x="{_n(width - right)}" y="{_n(ly)}" '
            f'text-anchor="end" font-size="14" font-weight="700" fill="{GOAL}">'
            f"Goal {_num(goal)}</text>"
        )
    # The running total: an area and its line.
    points = " ".join(f"{_n(x_mid(i))},{_n(y_total(t))}" for i, t in enumerate(totals))
    base = _n(top_y0 + top_h)
    body.append(
        f'<polygon class="total-area" points="{_n(x_mid(0))},{base} {points} '
        f'{_n(x_mid(n - 1))},{base}" fill="{BLUE}" fill-opacity="0.08"/>'
        f'<polyline class="total-line" points="{points}" fill="none" stroke="{BLUE}" '
        f'stroke-width="2.5" stroke-linejoin="round"/>'
    )
    # Milestones: a dot where the total crossed them.
    for marker in markers:
        i = index.get(marker.day)
        if i is None:
            continue
        mx, my = x_mid(i), y_total(min(marker.count, top))
        body.append(
            f'<g class="milestone"><circle cx="{_n(mx)}" cy="{_n(my)}" r="5" fill="#fff" '
            f'stroke="{MILESTONE}" stroke-width="2.5"/><text x="{_n(mx)}" y="{_n(my - 10)}" '
            f'text-anchor="middle" font-size="13" font-weight="700" fill="{MILESTONE}">'
            f"{escape(marker.label)}</text></g>"
        )
    # The per-day bars.
    body.append(
        f'<text x="{_n(left)}" y="{_n(bar_y0 - 8)}" font-size="13" fill="{MUTED}" '
        f'class="panel-label">Per day (max {_num(max(daily))})</text>'
        f'<line class="grid" x1="{_n(left)}" x2="{_n(width - right)}" '
        f'y1="{_n(bar_y0 + bar_h)}" y2="{_n(bar_y0 + bar_h)}" stroke="{LINE}"/>'
    )
    bar_w = max(slot * 0.75, 0.6) if slot > 2 else slot
    for i, value in enumerate(daily):
        h = bar_h * value / day_top
        body.append(
            f'<rect class="bar" x="{_n(left + slot * i + (slot - bar_w) / 2)}" '
            f'y="{_n(bar_y0 + bar_h - h)}" width="{_n(bar_w)}" height="{_n(h)}" fill="{BAR}">'
            f"<title>{escape(days[i].isoformat())}: {_num(value)}</title></rect>"
        )
    # The time axis: the first and last day, and the middle one when there is room.
    ticks = sorted({0, n - 1} | ({(n - 1) // 2} if n > 4 and not compact else set()))
    axis_y = bar_y0 + bar_h + 22
    for i in ticks:
        anchor = "start" if i == 0 else ("end" if i == n - 1 else "middle")
        x = left if i == 0 else (width - right if i == n - 1 else x_mid(i))
        body.append(
            f'<text x="{_n(x)}" y="{_n(axis_y)}" text-anchor="{anchor}" font-size="14" '
            f'fill="{MUTED}">{escape(days[i].strftime("%b %-d, %Y"))}</text>'
        )
    summary = (
        f"{label}: {_num(running)} confirmed from {days[0].isoformat()} to "
        f"{days[-1].isoformat()}, goal {_num(goal)}"
    )
    return _svg(width, height, summary, body, _cls)


def sparkline(values: Sequence[int], label: str) -> Markup:
    """A small line of daily values (oldest first), for a row of the overview."""
    width, height, pad = 120.0, 28.0, 2.0
    body: list[str] = []
    n = len(values)
    top = max(values) if values else 0
    if n and top:
        step = (width - 2 * pad) / max(n - 1, 1)
        pts = " ".join(
            f"{_n(pad + step * i)},{_n(height - pad - (height - 2 * pad) * v / top)}"
            for i, v in enumerate(values)
        )
        body.append(
            f'<polygon points="{_n(pad)},{_n(height)} {pts} {_n(width - pad)},{_n(height)}" '
            f'fill="{BLUE}" fill-opacity="0.12"/>'
            f'<polyline class="spark-line" points="{pts}" fill="none" stroke="{BLUE}" '
            f'stroke-width="1.8" stroke-linejoin="round"/>'
        )
    else:
        body.append(
            f'<line class="spark-line" x1="{_n(pad)}" x2="{_n(width - pad)}" '
            f'y1="{_n(height - pad)}" y2="{_n(height - pad)}" stroke="{LINE}" stroke-width="1.8"/>'
        )
    return _svg(width, height, label, body, "sparkline")


def shade_steps(top: int, steps: int = len(SHADES) - 1) -> list[int]:
    """The upper bounds of the shades above zero, each twice the one before and the last the
    largest count (…, 250, 500, 1000): signers bunch in a few states, and equal ranges would
    paint every other state the lightest shade. A darker square always means more signers."""
    if top <= 0:
        return []
    bounds: list[int] = []
    for k in range(steps):
        bound = max(1, math.ceil(top / 2 ** (steps - 1 - k)))
        if not bounds or bound > bounds[-1]:
            bounds.append(bound)
    return bounds


def shade_of(count: int, bounds: Sequence[int]) -> int:
    """0 for no signers, else 1… the step whose range holds ``count``."""
    if count <= 0:
        return 0
    for i, bound in enumerate(bounds):
        if count <= bound:
            return i + 1
    return len(bounds)


def _tile(state: str, cls: str, fill: str, dark: bool, title: str, href: str | None = None) -> str:
    """One state's square on the tile grid (a link when ``href`` is given)."""
    cell, gap = 48.0, 4.0
    col, row = TILES[state]
    x, y = col * cell, row * cell
    fg = "#fff" if dark else INK
    tile = (
        f'<g class="tile {cls}" data-state="{state}"><title>{state}: {escape(title)}</title>'
        f'<rect x="{_n(x + gap / 2)}" y="{_n(y + gap / 2)}" width="{_n(cell - gap)}" '
        f'height="{_n(cell - gap)}" rx="4" fill="{fill}"/>'
        f'<text x="{_n(x + cell / 2)}" y="{_n(y + cell / 2 + 6)}" text-anchor="middle" '
        f'font-size="16" font-weight="600" fill="{fg}">{state}</text></g>'
    )
    return f'<a href="{escape(href)}">{tile}</a>' if href else tile


def category_map(
    categories: Mapping[str, str],
    palette: Mapping[str, tuple[str, str, bool]],
    default: str,
    label: str,
    href: Callable[[str], str] | None = None,
) -> Markup:
    """The tile grid shaded by category rather than by count: ``categories`` maps a state to a
    key of ``palette`` (key → (colour, label, dark)); states not in it get ``default``.
    ``href`` makes each square a link (to the state's own page)."""
    body = []
    for state in TILES:
        key = categories.get(state, default)
        fill, text, dark = palette[key]
        body.append(_tile(state, f"cat-{key}", fill, dark, text, href(state) if href else None))
    counts = {key: sum(1 for s in TILES if categories.get(s, default) == key) for key in palette}
    summary = f"{label}: " + ", ".join(f"{palette[k][1]} {counts[k]}" for k in palette if counts[k])
    return _svg(12 * 48.0, 8 * 48.0, summary, body, "tile-map")


def category_legend(palette: Mapping[str, tuple[str, str, bool]], label: str) -> Markup:
    """The category map's legend as HTML: a swatch and its label per category."""
    items = "".join(
        f'<li class="legend-item"><span class="swatch cat-{escape(key)}" '
        f'style="background: {escape(fill)}" aria-hidden="true"></span>{escape(text)}</li>'
        for key, (fill, text, _dark) in palette.items()
    )
    return Markup(  # noqa: S704 - every interpolated text is escaped
        f'<ul class="map-legend" aria-label="{escape(label)}">{items}</ul>'
    )


def tile_map(counts: Mapping[str, int], label: str = "Confirmed signers by state") -> Markup:
    """A square per state and DC on the tile grid, shaded by count, with its legend below."""
    cell = 48.0
    grid_w, grid_h = 12 * cell, 8 * cell
    height = grid_h
    bounds = shade_steps(max(counts.values(), default=0))
    body: list[str] = []
    for state in TILES:
        count = counts.get(state, 0)
        shade = shade_of(count, bounds)
        body.append(_tile(state, f"shade-{shade}", SHADES[shade], shade >= 3, _num(count)))
    in_states = sum(v for k, v in counts.items() if k in TILES)
    summary = f"{label}: {_num(in_states)} in {sum(1 for k in TILES if counts.get(k))} states"
    return _svg(grid_w, height, summary, body, "tile-map")


def map_legend(counts: Mapping[str, int]) -> Markup:
    """The tile map's legend as HTML (text that stays readable however small the map is):
    a swatch per shade with its range."""
    bounds = shade_steps(max(counts.values(), default=0))
    items = []
    ranges = [(0, 0)] + [(1 if i == 0 else bounds[i - 1] + 1, b) for i, b in enumerate(bounds)]
    for i, (low, high) in enumerate(ranges):
        if high == 0:
            text = "None"
        elif low == high:
            text = _num(low)
        else:
            text = f"{_num(low)}–{_num(high)}"
        items.append(
            f'<li class="legend-item"><span class="swatch shade-{i}" '
            f'style="background: {SHADES[i]}" aria-hidden="true"></span>{escape(text)}</li>'
        )
    return Markup(  # noqa: S704 - numbers and fixed text only
        '<ul class="map-legend" aria-label="Shades: confirmed signers per state">'
        + "".join(items)
        + "</ul>"
    )
