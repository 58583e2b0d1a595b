"""``/legislators``: "Find your legislators" for a ZIP code."""

from __future__ import annotations

from flask import Blueprint, render_template, request

from advocacy.legislators import lookup
from advocacy.legislators.models import Chamber

bp = Blueprint("legislators", __name__)


@bp.app_template_global()
def seat_label(chamber: str, state: str, district: str | None) -> str:
    """``("us_house", "NY", "12")`` → "NY-12"; for templates that hold district keys."""
    return lookup.seat_label(Chamber(chamber), state, district)


@bp.app_template_global()
def signature_choice_args(signature) -> dict[str, str]:
    """The ``/legislators`` query arguments for the districts a signer chose."""
    return {
        row.chamber: f"{row.state}-{row.district}"
        for row in signature.districts
        if row.status == "chosen"
    }


@bp.app_template_global()
def chamber_label(chamber: str) -> str:
    return Chamber(chamber).label


def choices_from(args) -> dict[str, str]:
    """The signer's picks among candidate districts, from ``?us_house=NY-12&…``."""
    return {key: args[key][:120] for key in lookup.CHOICE_KEYS if args.get(key)}


@bp.get("/legislators")
def find():
    zip_code = (request.args.get("zip") or "").strip()[:20]
    result = error = None
    status = 200
    if zip_code:
        try:
            result = lookup.find_legislators(zip_code, choices=choices_from(request.args))
        except lookup.DirectoryNotLoaded as exc:
            error, status = exc.message, 503
        except lookup.LookupError as exc:
            error, status = exc.message, 400
    snapshot = lookup.current_snapshot()
    return render_template(
        "legislators/find.html",
        zip_code=zip_code,
        result=result,
        error=error,
        snapshot=snapshot,
        house_lookup_url=lookup.HOUSE_LOOKUP_URL,
        state_lookup_url=lookup.STATE_LOOKUP_URL,
    ), status
