"""``/api/v1``: read-only JSON for petitions, cacheable with ETags."""

from __future__ import annotations

from flask import Blueprint, abort, current_app, jsonify, request, url_for

from advocacy.core.errorpages import api_error
from advocacy.legislators import lookup
from advocacy.legislators.views import geocoder_limit
from advocacy.petitions import services
from advocacy.petitions.models import Petition
from advocacy.resources import services as resources
from advocacy.resources.models import StateResource
from advocacy.resources.states import normalise_state, state_name

bp = Blueprint("api", __name__, url_prefix="/api/v1")


def petition_json(petition: Petition) -> dict:
    return {
        "slug": petition.slug,
        "title": petition.title,
        "status": petition.effective_status.value,
        "goal": petition.goal,
        "signature_count": petition.signature_count,
        "url": url_for("petitions.show", slug=petition.slug, _external=True),
        "deadline": petition.deadline.isoformat() if petition.deadline else None,
        "updated_at": petition.updated_at.isoformat(),
    }


@bp.get("/petitions/<slug>")
def petition(slug: str):
    found = services.get_public_petition(slug)
    if found is None:
        abort(404)
    response = jsonify(petition_json(found))
    response.add_etag()
    response.cache_control.public = True
    response.cache_control.max_age = current_app.config["API_CACHE_SECONDS"]
    return response.make_conditional(request)


@bp.get("/legislators")
@geocoder_limit
def legislators():
    """Who represents a ZIP: ``?zip=13202[&address=…][&us_house=NY-22…]`` (README: JSON API)."""
    args = request.args
    try:
        result = lookup.find_legislators(
            args.get("zip", "")[:20],
            address=(args.get("address") or "")[:200] or None,
            choices={k: v[:120] for k, v in args.items() if k in lookup.CHOICE_KEYS},
            strict_choices=True,
        )
    except lookup.DirectoryNotLoaded as exc:
        return api_error(503, exc.code, exc.message)
    except lookup.LookupError as exc:
        return api_error(400, exc.code, exc.message, exc.field)
    response = jsonify(lookup.as_json(result))
    if args.get("address"):  # a street address must not sit in shared caches
        response.cache_control.private = True
        response.cache_control.no_store = True
        return response
    response.add_etag()
    response.cache_control.public = True
    response.cache_control.max_age = current_app.config["API_CACHE_SECONDS"]
    return response.make_conditional(request)


def entry_json(entry: StateResource) -> dict:
    def day(value):
        return value.isoformat() if value else None

    return {
        "id": entry.id,
        "kind": entry.kind.value,
        "title": entry.title,
        "status": entry.status.value if entry.status else None,
        "reference": entry.reference,
        "name": entry.name,
        "url": entry.url,
        "phone": entry.phone,
        "waiver": entry.waiver.value if entry.waiver else None,
        "body_markdown": entry.body,
        "source_url": entry.source_url,
        "source_title": entry.source_title,
        "reviewed_by": entry.reviewed_by,
        "reviewed_on": day(entry.reviewed_on),
        "effective_on": day(entry.effective_on),
        "ended_on": day(entry.ended_on),
        "history": entry.is_history,
    }


@bp.get("/states/<code>")
def state(code: str):
    """A state's published entries (docs/states.md); 404 for a code that names no state."""
    found = normalise_state(code)
    if found is None:
        return api_error(404, "unknown_state", "No U.S. state, DC or territory has that code.")
    response = jsonify(
        state=found,
        name=state_name(found),
        url=url_for("states.show", code=found, _external=True),
        entries=[entry_json(e) for e in resources.published_entries(found)],
    )
    response.add_etag()
    response.cache_control.public = True
    response.cache_control.max_age = current_app.config["API_CACHE_SECONDS"]
    return response.make_conditional(request)
