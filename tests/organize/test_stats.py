"""The organizer's statistics: pace and date math, the rollup reads, the stats page and the
dashboard overview. Rollup rows are inserted directly: maintaining them is tested elsewhere."""

from __future__ import annotations

import itertools
import re
import xml.etree.ElementTree as ET
from datetime import date, datetime, timedelta

import pytest
from sqlalchemy import event, select

from advocacy.accounts.models import Organization
from advocacy.core.db import utcnow
from advocacy.extensions import db
from advocacy.legislators.models import DirectorySnapshot, Legislator
from advocacy.letters.models import CampaignTarget, Channel, LetterCampaign, LetterStatus
from advocacy.organize.stats import PAGE_SIZE
from advocacy.petitions import stats
from advocacy.petitions.models import (
    DailyCount,
    DistrictCount,
    DomainCount,
    Milestone,
    PetitionStatus,
    PetitionVersion,
    SourceCount,
    StateCount,
)

TODAY = date(2026, 6, 15)
SVG = "{http://www.w3.org/2000/svg}"
_seq = itertools.count(1)


def svg_tree(text: str) -> ET.Element:
    return ET.fromstring(text)  # noqa: S314 - our own output


# --- pace -----------------------------------------------------------------------------------


def test_pace_gives_the_day_the_goal_falls_at_the_last_weeks_rate():
    p = stats.pace(count=7000, goal=10000, deadline=None, last_days=700, on=TODAY)
    assert p.per_day == 100
    assert p.state == "on_track"
    assert p.eta == TODAY + timedelta(days=30)
    assert p.remaining == 3000


def test_pace_rounds_a_partial_day_up():
    p = stats.pace(count=0, goal=10, deadline=None, last_days=3, on=TODAY)
    # 3 a week is 3/7 a day: 10 more take 23.3 days, so the 24th day.
    assert p.eta == TODAY + timedelta(days=24)


def test_pace_with_no_signatures_has_no_date():
    p = stats.pace(count=0, goal=100, deadline=None, last_days=0, on=TODAY)
    assert (p.state, p.eta, p.per_day, p.remaining) == ("no_pace", None, 0.0, 100)


def test_goal_reached_wins_over_everything():
    deadline = datetime(2026, 1, 1)
    p = stats.pace(count=120, goal=100, deadline=deadline, last_days=0, on=TODAY)
    assert p.reached and p.remaining == 0 and p.eta is None


def test_too_slow_for_the_deadline():
    deadline = datetime(2026, 6, 20, 12, 0)
    p = stats.pace(count=0, goal=1000, deadline=deadline, last_days=70, on=TODAY)
    assert p.state == "too_slow"
    assert p.eta == TODAY + timedelta(days=100)


def test_reaching_the_goal_on_deadline_day_is_on_track():
    deadline = datetime(2026, 6, 25, 23, 0)
    p = stats.pace(count=0, goal=100, deadline=deadline, last_days=70, on=TODAY)
    assert p.state == "on_track" and p.eta == date(2026, 6, 25)


def test_deadline_passed_short_of_the_goal():
    p = stats.pace(count=5, goal=100, deadline=datetime(2026, 6, 1), last_days=5, on=TODAY)
    assert p.state == "ended" and p.eta is None


# --- rollup reads -----------------------------------------------------------------------------


def _days(petition_id: int, values: dict[date, tuple[int, int]]) -> None:
    for day, (started, confirmed) in values.items():
        db.session.add(
            DailyCount(petition_id=petition_id, day=day, started=started, confirmed=confirmed)
        )
    db.session.commit()


def test_daily_fills_gaps_and_runs_the_total(make):
    p = make.petition()
    _days(p.id, {TODAY - timedelta(days=3): (5, 4), TODAY - timedelta(days=1): (2, 1)})
    days = stats.daily(p.id, until=TODAY)
    assert [d.day for d in days] == [TODAY - timedelta(days=k) for k in (3, 2, 1, 0)]
    assert [d.confirmed for d in days] == [4, 0, 1, 0]
    assert [d.total for d in days] == [4, 4, 5, 5]
    assert stats.funnel(p.id).started == 7
    assert stats.funnel(p.id).unconfirmed_share == pytest.approx(2 / 7)


def test_recent_counts_the_last_24_hours_and_seven_utc_days(make):
    p, other = make.petition(), make.petition()
    _days(
        p.id,
        {
            TODAY: (3, 3),
            TODAY - timedelta(days=1): (2, 2),
            TODAY - timedelta(days=2): (10, 10),
            TODAY - timedelta(days=7): (100, 100),  # eighth day back: not in the week
            TODAY - timedelta(days=30): (1000, 1000),  # outside the sparkline
        },
    )
    now = datetime(2026, 12, 1, 9, 30)
    for hours_ago in (0.5, 23.9, 24.1, 30):  # two inside the 24 hours, two just outside
        make.signature(p, confirmed_at=now - timedelta(hours=hours_ago))
    make.signature(p, confirmed=False)
    make.signature(other, confirmed_at=now - timedelta(days=3))
    recent = stats.recent([p.id, other.id], on=TODAY, now=now)
    assert recent[p.id].last_24_hours == 2
    assert recent[p.id].last_7_days == 15
    assert len(recent[p.id].spark) == 30 and sum(recent[p.id].spark) == 115
    assert recent[other.id].last_24_hours == 0
    assert recent[other.id].last_7_days == 0 and recent[other.id].spark == [0] * 30


def test_domains_keep_the_top_and_fold_the_rest_and_flag_a_bad_provider(make):
    p = make.petition()
    db.session.add_all(
        [
            DomainCount(petition_id=p.id, domain="gmail.com", started=100, confirmed=90),
            DomainCount(petition_id=p.id, domain="yahoo.com", started=50, confirmed=45),
            DomainCount(petition_id=p.id, domain="broken.example", started=40, confirmed=4),
            DomainCount(petition_id=p.id, domain="tiny.example", started=3, confirmed=0),
        ]
    )
    db.session.commit()
    rows = stats.domains(p.id, overall=139 / 193, top=3)
    assert [r.label for r in rows] == ["gmail.com", "yahoo.com", "broken.example", "others"]
    assert [r.flagged for r in rows] == [False, False, True, False]
    assert (rows[-1].started, rows[-1].confirmed) == (3, 0)


def test_sources_group_share_links_by_channel(make):
    p = make.petition()
    for kind, value, started, confirmed in [
        ("ref", "fb.ana", 10, 8),
        ("ref", "fb.bo", 5, 5),
        ("ref", "email.list", 20, 10),
        ("ref", "", 7, 7),
        ("utm_source", "newsletter", 4, 2),
        ("utm_campaign", "spring", 3, 3),
    ]:
        db.session.add(
            SourceCount(
                petition_id=p.id, kind=kind, value=value, started=started, confirmed=confirmed
            )
        )
    db.session.commit()
    found = stats.sources(p.id)
    channels = {r.label: (r.started, r.confirmed) for r in found.channels}
    assert channels == {"fb": (15, 13), "email": (20, 10), "(none: direct)": (7, 7)}
    assert [r.label for r in found.ref][0] == "email.list"
    assert found.utm_source[0].share == 0.5


# --- the page -----------------------------------------------------------------------------------


@pytest.fixture
def organizer(make, auth):
    user = make.organizer(make.organization("Doctors Now"))
    auth.login(user.email)
    return user


def _petition(make, organizer, **kw):
    org_id = next(iter(organizer.organization_ids))
    return make.petition(db.session.get(Organization, org_id), **kw)


def test_empty_petition_renders(client, make, organizer):
    p = _petition(make, organizer, title="Brand new")
    response = client.get(f"/organize/petitions/{p.id}/stats")
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert "No signatures yet" in html
    assert "No signatures in 7 days" in html
    svg_tree(re.search(r"<svg class=\"chart tile-map.*?</svg>", html, re.S).group(0))


def test_other_organisations_petition_is_404(client, make, organizer):
    other = make.petition(make.organization("Someone Else"))
    assert client.get(f"/organize/petitions/{other.id}/stats").status_code == 404
    assert client.get("/organize/petitions/99999999/stats").status_code == 404


def test_stats_page_needs_login(client, make):
    p = make.petition()
    response = client.get(f"/organize/petitions/{p.id}/stats")
    assert response.status_code in (302, 401)


def _rollups(p, directory_ids: dict[str, str] | None = None) -> None:
    start = utcnow().date() - timedelta(days=9)
    _days(p.id, {start + timedelta(days=k): (12, 10) for k in range(10)})
    db.session.add_all(
        [
            StateCount(petition_id=p.id, state="NY", confirmed=80),
            StateCount(petition_id=p.id, state="CA", confirmed=20),
            StateCount(petition_id=p.id, state="DC", confirmed=7),
            DistrictCount(
                petition_id=p.id, chamber="us_house", state="NY", district="22", confirmed=50
            ),
            DistrictCount(
                petition_id=p.id,
                chamber="us_house",
                state="NY",
                district="10",
                confirmed=5,
                possible=3,
            ),
            DistrictCount(
                petition_id=p.id, chamber="us_house", state="CA", district="12", confirmed=20
            ),
            DistrictCount(
                petition_id=p.id, chamber="state_upper", state="NY", district="48", confirmed=40
            ),
            PetitionVersion(petition_id=p.id, number=1, title="First words", confirmed_count=60),
            PetitionVersion(petition_id=p.id, number=2, title="Better words", confirmed_count=40),
            Milestone(
                petition_id=p.id,
                goal=p.goal,
                percent=50,
                signature_count=50,
                reached_at=datetime.combine(start + timedelta(days=4), datetime.min.time()),
            ),
        ]
    )
    db.session.commit()


def _active_member(chamber: str, state: str, district: str | None) -> Legislator:
    snapshot = db.session.scalar(select(DirectorySnapshot).where(DirectorySnapshot.active))
    return db.session.scalars(
        select(Legislator).where(
            Legislator.snapshot_id == snapshot.id,
            Legislator.chamber == chamber,
            Legislator.state == state,
            Legislator.district == district
            if district is not None
            else Legislator.district.is_(None),
        )
    ).all()


def test_page_names_legislators_counts_letters_and_shows_the_chart(
    client, make, organizer, directory
):
    p = _petition(make, organizer, goal=200, signature_count=100)
    _rollups(p)
    house = _active_member("us_house", "NY", "22")
    senators = _active_member("us_senate", "NY", None)
    state_senator = _active_member("state_upper", "NY", "48")
    assert house and len(senators) == 2 and state_senator
    _letters(p, f"legislator:{house[0].external_id}", 3, drafted=2)

    html = client.get(f"/organize/petitions/{p.id}/stats").get_data(as_text=True)
    for member in [*house, *senators, *state_senator]:
        assert member.name in html
    row = re.search(
        r"<tr>\s*<th scope=\"row\" data-label=\"District\">\s*NY-22.*?</tr>", html, re.S
    )
    assert row and house[0].name in row.group(0)
    letters_cell = re.search(r'data-label="Letters">(.*?)</td>', row.group(0), re.S).group(1)
    assert ">3<" in letters_cell or letters_cell.strip().startswith('<span class="member">3')
    svg = re.search(r'<svg class="chart timeline.*?</svg>', html, re.S).group(0)
    tree = svg_tree(svg)
    assert len(tree.findall(f".//{SVG}rect[@class='bar']")) == 10
    assert tree.find(f".//{SVG}line[@class='goal-line']") is not None
    assert len(tree.findall(f".//{SVG}g[@class='milestone']")) == 1
    # Pace: 10 a day, 100 to go → ten days from today.
    eta = utcnow().date() + timedelta(days=10)
    assert f'datetime="{eta.isoformat()}"' in html
    assert "First words" in html and "Better words" in html
    senate = html.split('id="senate"', 1)[1].split("</table>", 1)[0]
    assert re.findall(r'data-label="State">\s*([A-Z]{2})', senate) == ["NY", "CA"]


def _campaign(p, org_id: int | None = None) -> LetterCampaign:
    campaign = LetterCampaign(
        organization_id=org_id or p.organization_id,
        petition_id=p.id,
        slug=f"c-{p.id}-{next(_seq)}",
        title="Write",
    )
    db.session.add(campaign)
    db.session.commit()
    return campaign


def _letters(p, key: str, sent: int, drafted: int, campaign: LetterCampaign | None = None):
    """``sent`` letters to office ``key`` and ``drafted`` ones still with their writers."""
    from advocacy.letters.models import Letter, Writer

    campaign = campaign or _campaign(p)
    for k in range(sent + drafted):
        writer = Writer(
            campaign_id=campaign.id,
            first_name="W",
            last_name=str(k),
            email=f"w{next(_seq)}@example.com",
            zip="13202",
        )
        db.session.add(writer)
        db.session.flush()
        db.session.add(
            Letter(
                campaign_id=campaign.id,
                writer_id=writer.id,
                recipient_key=key,
                recipient_kind="legislator" if key.startswith("legislator:") else "organization",
                recipient_name="X",
                recipient_salutation="Dear X",
                channel=Channel.EMAIL,
                status=LetterStatus.SENT if k < sent else LetterStatus.DRAFTED,
                subject="s",
                body="b",
            )
        )
    db.session.commit()


def _house_order(html: str) -> list[str]:
    section = html.split('id="house"', 1)[1].split("</table>", 1)[0]
    return re.findall(r'data-label="District">\s*([A-Z]{2}-[0-9a-z-]+)', section)


def test_district_table_sorts_server_side(client, make, organizer, directory):
    p = _petition(make, organizer)
    _rollups(p)
    url = f"/organize/petitions/{p.id}/stats"
    assert _house_order(client.get(url).get_data(as_text=True)) == ["NY-22", "CA-12", "NY-10"]
    html = client.get(url + "?table=house&sort=district").get_data(as_text=True)
    assert _house_order(html) == ["CA-12", "NY-10", "NY-22"]
    assert 'aria-sort="ascending"' in html
    html = client.get(url + "?table=house&sort=-possible").get_data(as_text=True)
    assert _house_order(html)[0] == "NY-10"
    assert 'aria-sort="descending"' in html


@pytest.mark.parametrize(
    "query",
    [
        "?table=house&sort=%00",
        "?table=house&sort=name;drop",
        "?table=house&sort=-",
        "?table=house&page=-1",
        "?table=house&page=99999999999999999999",
        "?table=%01&sort=district",
        "?table=house&page=%D9%A3",  # an Arabic-Indic digit: not a page number
    ],
)
def test_bad_sort_and_page_are_refused_or_ignored_never_500(client, make, organizer, query):
    p = _petition(make, organizer)
    _rollups(p)
    response = client.get(f"/organize/petitions/{p.id}/stats{query}")
    assert response.status_code in (200, 400)


def test_long_tables_are_paginated(client, make, organizer):
    p = _petition(make, organizer)
    for k in range(1, 31):
        db.session.add(
            DistrictCount(
                petition_id=p.id, chamber="state_lower", state="TX", district=str(k), confirmed=k
            )
        )
    db.session.commit()
    url = f"/organize/petitions/{p.id}/stats"
    html = client.get(url).get_data(as_text=True)
    assert "Page 1 of 2" in html
    html = client.get(url + "?table=state&sort=-confirmed&page=2").get_data(as_text=True)
    assert "Page 2 of 2" in html
    section = html.split('id="state"', 1)[1].split("</table>", 1)[0]
    assert len(re.findall(r'data-label="District">\s*TX ', section)) == 30 - PAGE_SIZE


def test_dashboard_shows_recent_counts_sparklines_and_campaigns(client, make, organizer):
    p = _petition(make, organizer, title="Lift the cap")
    today = utcnow().date()
    _days(
        p.id, {today: (4, 4), today - timedelta(days=1): (3, 3), today - timedelta(days=5): (9, 9)}
    )
    db.session.add(
        LetterCampaign(
            organization_id=p.organization_id,
            slug="write-now",
            title="Write to Congress now",
            goal=50,
            letter_count=12,
        )
    )
    db.session.commit()
    make.signature(p, confirmed_at=utcnow() - timedelta(hours=3))
    make.signature(p, confirmed_at=utcnow() - timedelta(hours=30))
    html = client.get("/organize/").get_data(as_text=True)
    row = re.search(r"Lift the cap.*?</tr>", html, re.S).group(0)
    assert re.search(r'data-label="Last 24 hours" class="num"><strong>1<', row)
    assert re.search(r'data-label="Last 7 days \(UTC\)" class="num">16<', row)
    spark = re.search(r'<svg class="chart sparkline.*?</svg>', row, re.S).group(0)
    assert svg_tree(spark).get("role") == "img"
    assert f"/organize/petitions/{p.id}/stats" in row
    assert "Write to Congress now" in html and "12" in html


def test_each_district_row_links_its_offices_packet(client, make, organizer, directory):
    p = _petition(make, organizer)
    _rollups(p)
    html = client.get(f"/organize/petitions/{p.id}/stats").get_data(as_text=True)
    house = _active_member("us_house", "NY", "22")[0]
    link = f"/organize/petitions/{p.id}/packets/office/legislator:{house.external_id}.pdf"
    assert link in html
    # (the packet itself is built from signatures: tests/delivery/)


def test_a_closed_petitions_chart_ends_when_it_closed(client, make, organizer):
    closed_on = utcnow().date() - timedelta(days=20)
    p = _petition(
        make,
        organizer,
        status=PetitionStatus.CLOSED,
        closed_at=datetime.combine(closed_on, datetime.min.time()),
    )
    _days(p.id, {closed_on - timedelta(days=4): (3, 3), closed_on - timedelta(days=1): (1, 1)})
    html = client.get(f"/organize/petitions/{p.id}/stats").get_data(as_text=True)
    svg = re.search(r'<svg class="chart timeline wide.*?</svg>', html, re.S).group(0)
    assert len(svg_tree(svg).findall(f".//{SVG}rect[@class='bar']")) == 5


def test_a_public_petitions_editor_links_its_statistics_export_and_packets(client, make, organizer):
    p = _petition(make, organizer)
    html = client.get(f"/organize/petitions/{p.id}/edit").get_data(as_text=True)
    for page in ("stats", "export", "packets"):
        assert f'href="/organize/petitions/{p.id}/{page}"' in html, page


# --- organisation targets -------------------------------------------------------------------


def _target(campaign: LetterCampaign, name: str, **kw) -> CampaignTarget:
    values = {"salutation": f"Dear {name}:", "address": "1 Main Street\nWashington, DC 20001"}
    values.update(kw)
    target = CampaignTarget(campaign_id=campaign.id, name=name, **values)
    db.session.add(target)
    db.session.commit()
    return target


def _target_rows(html: str) -> dict[str, str]:
    """The Organisations table's rows by the target's name."""
    section = html.split('id="organisations"', 1)[1].split("</table>", 1)[0]
    rows = re.findall(r'<tr>\s*<th scope="row" data-label="Target">(.*?)</tr>', section, re.S)
    return {re.match(r"[^<]*", row).group(0).strip(): row for row in rows}


def _cell(row: str, label: str) -> str:
    cell = re.search(rf'data-label="{label}">(.*?)</td>', row, re.S).group(1)
    return re.sub(r"<[^>]+>", "", cell).strip()


def test_each_organisation_target_has_a_row_with_its_counts_and_packet(client, make, organizer):
    from tests.letters.pdftext import read as read_pdf

    p = _petition(make, organizer)
    for k in range(3):
        make.signature(p, first_name="Signer", last_name=str(k))
    make.signature(p, confirmed=False)
    campaign = _campaign(p)
    aamc = _target(
        campaign,
        "David J. Skorton",
        title="President and CEO",
        organization="AAMC",
        salutation="Dear Dr. Skorton:",
    )
    ecfmg = _target(campaign, "ECFMG Board", organization="ECFMG")
    _letters(p, f"target:{aamc.id}", 2, drafted=1, campaign=campaign)

    html = client.get(f"/organize/petitions/{p.id}/stats").get_data(as_text=True)
    assert '<a href="#organisations">' in html
    rows = _target_rows(html)
    assert list(rows) == ["David J. Skorton", "ECFMG Board"]
    assert "President and CEO, AAMC" in rows["David J. Skorton"]
    # Every confirmed signer is delivered to a target; drafts are not letters yet.
    assert _cell(rows["David J. Skorton"], "Confirmed") == "3"
    assert _cell(rows["David J. Skorton"], "Letters") == "2"
    assert (_cell(rows["ECFMG Board"], "Confirmed"), _cell(rows["ECFMG Board"], "Letters")) == (
        "3",
        "0",
    )
    base = f"/organize/petitions/{p.id}/packets/office/target:{aamc.id}"
    links = re.findall(r'href="([^"]+)"', rows["David J. Skorton"])
    assert links == [f"{base}.pdf", f"{base}.csv"]
    assert f"/packets/office/target:{ecfmg.id}.pdf" in rows["ECFMG Board"]

    pdf = client.get(links[0])
    assert pdf.status_code == 200 and pdf.mimetype == "application/pdf"
    text = read_pdf(pdf.data).text
    assert "Dear Dr. Skorton:" in text and "ECFMG" not in text
    assert "Confirmed signers: 3" in text and "Letters sent to this office: 2" in text
    table = client.get(links[1])
    assert table.status_code == 200 and table.mimetype == "text/csv"
    assert table.get_data(as_text=True).count("Signer ") == 3


def test_without_targets_the_organisations_section_is_left_out(client, make, organizer):
    p = _petition(make, organizer)
    make.signature(p)
    _campaign(p)  # a campaign to legislators only
    html = client.get(f"/organize/petitions/{p.id}/stats").get_data(as_text=True)
    assert 'id="organisations"' not in html and "#organisations" not in html


def test_another_organisations_targets_are_never_shown(client, make, organizer):
    p = _petition(make, organizer)
    make.signature(p)
    _target(_campaign(p), "Our Target")
    elsewhere = make.petition(make.organization("Someone Else"))
    _target(_campaign(elsewhere), "Their Target")
    # A campaign of another organisation naming this petition (the campaign form refuses
    # that; the page must not rely on it).
    stray = _target(_campaign(p, org_id=elsewhere.organization_id), "Stray Target")

    html = client.get(f"/organize/petitions/{p.id}/stats").get_data(as_text=True)
    assert list(_target_rows(html)) == ["Our Target"]
    assert "Their Target" not in html and "Stray Target" not in html
    url = f"/organize/petitions/{p.id}/packets/office/target:{stray.id}.pdf"
    assert client.get(url).status_code == 404


def test_targets_add_no_query_each(client, make, organizer, app):
    p = _petition(make, organizer)
    make.signature(p)
    campaign = _campaign(p)
    _target(campaign, "First Target")
    url = f"/organize/petitions/{p.id}/stats"
    client.get(url)  # warm: the session, the per-process caches

    def statements() -> int:
        seen: list[str] = []

        def record(conn, cursor, statement, *args):
            seen.append(statement)

        event.listen(db.engine, "before_cursor_execute", record)
        try:
            assert client.get(url).status_code == 200
        finally:
            event.remove(db.engine, "before_cursor_execute", record)
        return len(seen)

    one = statements()
    for k in range(5):
        target = _target(campaign, f"Target {k}")
        _letters(p, f"target:{target.id}", 1, drafted=0, campaign=campaign)
    html = client.get(url).get_data(as_text=True)
    assert len(_target_rows(html)) == 6
    assert statements() == one
