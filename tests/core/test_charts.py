"""Server-drawn charts: valid SVG that says what it shows, the right marks, escaped text."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from datetime import date, timedelta

from markupsafe import Markup

from advocacy.core import charts

SVG = "{http://www.w3.org/2000/svg}"


def parse(markup: Markup) -> ET.Element:
    assert isinstance(markup, Markup)
    return ET.fromstring(str(markup))  # noqa: S314 - our own output


def _days(n: int) -> list[date]:
    return [date(2026, 1, 1) + timedelta(days=k) for k in range(n)]


def test_timeline_has_a_bar_per_day_the_goal_line_and_a_title():
    days = _days(365)
    tree = parse(charts.timeline(days, [k % 40 for k in range(365)], goal=10_000))
    assert tree.get("role") == "img"
    assert tree.get("viewBox", "").startswith("0 0 ")
    assert tree.get("width") is None  # scales with its box
    assert tree.find(f"{SVG}title") is not None
    assert "goal 10,000" in tree.get("aria-label", "")
    assert len(tree.findall(f".//{SVG}rect[@class='bar']")) == 365
    goal = tree.findall(f".//{SVG}line[@class='goal-line']")
    assert len(goal) == 1
    assert tree.find(f".//{SVG}polyline[@class='total-line']") is not None


def test_goal_line_sits_at_the_goal_on_the_total_scale():
    tree = parse(charts.timeline(_days(2), [50, 50], goal=100))
    line = tree.find(f".//{SVG}line[@class='goal-line']")
    points = tree.find(f".//{SVG}polyline[@class='total-line']").get("points").split()
    last_y = float(points[-1].split(",")[1])
    assert float(line.get("y1")) == last_y  # the total reached the goal on the last day


def test_milestones_are_marked_on_their_day_only():
    days = _days(10)
    markers = [
        charts.Marker(days[3], 25, "25%"),
        charts.Marker(date(2020, 1, 1), 5, "old"),  # outside the chart: skipped
    ]
    tree = parse(charts.timeline(days, [5] * 10, goal=100, markers=markers))
    found = tree.findall(f".//{SVG}g[@class='milestone']")
    assert len(found) == 1
    assert found[0].find(f"{SVG}text").text == "25%"


def test_compact_timeline_is_narrower_with_the_same_bars():
    wide = parse(charts.timeline(_days(30), [3] * 30, goal=100))
    compact = parse(charts.timeline(_days(30), [3] * 30, goal=100, compact=True))
    assert "compact" in compact.get("class") and "wide" in wide.get("class")
    assert float(compact.get("viewBox").split()[2]) < float(wide.get("viewBox").split()[2])
    assert len(compact.findall(f".//{SVG}rect[@class='bar']")) == 30


def test_empty_timeline_says_so():
    tree = parse(charts.timeline([], [], goal=100))
    assert "no signatures yet" in tree.get("aria-label", "")
    assert not tree.findall(f".//{SVG}rect[@class='bar']")


def test_labels_are_escaped():
    tree = parse(charts.timeline(_days(1), [1], goal=5, label='<script>"x"</script>'))
    assert tree.find(f"{SVG}title").text.startswith('<script>"x"</script>')
    assert "<script>" not in str(charts.sparkline([1, 2], "<b>"))


def test_sparkline_is_a_line_of_the_values():
    tree = parse(charts.sparkline([0, 1, 4, 2], "Last 30 days"))
    assert tree.get("role") == "img" and tree.get("aria-label") == "Last 30 days"
    points = tree.find(f".//{SVG}polyline[@class='spark-line']").get("points").split()
    assert len(points) == 4
    flat = parse(charts.sparkline([0] * 30, "none"))
    assert flat.find(f".//{SVG}line[@class='spark-line']") is not None


def test_tile_grid_has_51_distinct_tiles():
    assert len(charts.TILES) == 51
    assert "DC" in charts.TILES
    assert len(set(charts.TILES.values())) == 51
    assert all(0 <= c < 12 and 0 <= r < 8 for c, r in charts.TILES.values())


def _shades(tree: ET.Element) -> dict[str, str]:
    out = {}
    for g in tree.findall(f".//{SVG}g"):
        classes = (g.get("class") or "").split()
        if "tile" in classes:
            out[g.get("data-state")] = next(c for c in classes if c.startswith("shade-"))
    return out


def test_tile_map_shades_by_count():
    tree = parse(charts.tile_map({"NY": 1000, "CA": 500, "TX": 1, "": 7}))
    assert tree.get("role") == "img"
    shades = _shades(tree)
    assert len(shades) == 51
    assert shades["NY"] == "shade-5"
    assert shades["CA"] == "shade-4"
    assert shades["TX"] == "shade-1"
    assert shades["WY"] == "shade-0"
    assert sum(1 for s in shades.values() if s == "shade-0") == 48
    legend = str(charts.map_legend({"NY": 1000, "CA": 500, "TX": 1}))
    assert legend.count('class="legend-item"') == 6
    assert "None" in legend and "501–1,000" in legend
    assert "1,501 in 3 states" in tree.get("aria-label", "")


def test_empty_tile_map_is_all_unshaded():
    shades = _shades(parse(charts.tile_map({})))
    assert set(shades.values()) == {"shade-0"}


def test_shade_steps_cover_small_counts_without_empty_steps():
    assert charts.shade_steps(0) == []
    assert charts.shade_steps(2) == [1, 2]
    assert charts.shade_steps(100) == [7, 13, 25, 50, 100]
    bounds = charts.shade_steps(7)
    assert bounds[-1] >= 7 and bounds == sorted(set(bounds))
    assert [charts.shade_of(v, [20, 40]) for v in (0, 1, 20, 21, 40, 99)] == [0, 1, 1, 2, 2, 2]


def test_nice_ceiling():
    assert [charts.nice_ceiling(v) for v in (0, 1, 7, 10, 11, 300, 10_001)] == [
        1,
        1,
        10,
        10,
        20,
        500,
        20_000,
    ]
