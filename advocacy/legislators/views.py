"""``/legislators``: "Find your legislators" for a ZIP code."""

from __future__ import annotations

from flask import Blueprint, current_app, make_response, render_template, request

from advocacy.extensions import limiter
from advocacy.legislators import lookup
from advocacy.legislators.models import Chamber

bp = Blueprint("legislators", __name__)

# A street-address lookup calls the Census Geocoder (online) once per request: limited per
# client address, shared by the page and the API. ZIP-only lookups are offline and free.
geocoder_limit = limiter.shared_limit(
    lambda: current_app.config["GEOCODER_LIMIT_PER_ADDRESS"],
    scope="geocoder",
    exempt_when=lambda: (
        not (current_app.config.get("ADDRESS_GEOCODER_URL") and request.values.get("address"))
    ),
)


@bp.app_template_global()
def seat_label(chamber: str, state: str, district: str | None) -> str:
    """``("us_house", "NY", "12")`` → "NY-12"; for templates that hold district keys."""
    return lookup.seat_label(Chamber(chamber), state, district)


@bp.app_template_global()
def signature_choice_args(signature) -> dict[str, str]:
    """The ``/legislators`` query arguments for the districts a signer chose."""
    return {row.chamber: row.key for row in signature.districts if row.status == "chosen"}


@bp.app_template_global()
def chamber_label(chamber: str) -> str:
    return Chamber(chamber).label


def choices_from(args) -> dict[str, str]:
    """The signer's picks among candidate districts, from ``?us_house=NY-12&…``."""
    return {key: args[key][:120] for key in lookup.CHOICE_KEYS if args.get(key)}


@bp.route("/legislators", methods=["GET", "POST"])
@geocoder_limit
def find():
    """The lookup page. A street address (only offered when ``ADDRESS_GEOCODER_URL`` is set)
    comes by POST, so it stays out of URLs, logs and caches."""
    form = request.form if request.method == "POST" else request.args
    zip_code = (form.get("zip") or "").strip()[:20]
    address = (form.get("address") or "").strip()[:200] if request.method == "POST" else ""
    result = error = None
    status = 200
    if zip_code:
        try:
            result = lookup.find_legislators(
                zip_code, address=address or None, choices=choices_from(form)
            )
        except lookup.DirectoryNotLoaded as exc:
            error, status = exc.message, 503
        except lookup.LookupError as exc:
            error, status = exc.message, 400
    response = make_response(
        render_template(
            "legislators/find.html",
            zip_code=zip_code,
            address=address,
            result=result,
            error=error,
            snapshot=lookup.current_snapshot(),
            geocoder=bool(current_app.config.get("ADDRESS_GEOCODER_URL")),
            house_lookup_url=lookup.HOUSE_LOOKUP_URL,
            state_lookup_url=lookup.STATE_LOOKUP_URL,
        ),
        status,
    )
    if address:
        response.cache_control.private = True
        response.cache_control.no_store = True
    return response
