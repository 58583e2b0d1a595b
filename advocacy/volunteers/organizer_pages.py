"""The organizer's volunteers page: counts by state and role, filters, the CSV export.

The organisation must be one the user may manage, else the same 404 as one that does not
exist. The export holds only confirmed volunteers (each consented on the form) and is
streamed through ``core.csvsafe``, formula cells neutralised.
"""

from __future__ import annotations

from flask import Response, abort, render_template, request, stream_with_context
from flask_login import login_required

from advocacy.accounts.models import Organization
from advocacy.core.csvsafe import stream_rows
from advocacy.core.db import utcnow
from advocacy.organize.helpers import managed_organization_or_404
from advocacy.volunteers import services
from advocacy.volunteers.forms import FilterForm
from advocacy.volunteers.views import bp

_YES_NO = {"yes": True, "no": False}


def _filters() -> tuple[FilterForm, services.Filters]:
    form = FilterForm(request.args)
    if request.args and not form.validate():
        return form, services.Filters()
    return form, services.Filters(
        state=form.state.data or None,
        role=form.role.data or None,
        telehealth=_YES_NO.get(form.telehealth.data or ""),
        confirmed=_YES_NO.get(form.confirmed.data or ""),
    )


@bp.get("/organize/volunteers/<int:organization_id>")
@login_required
def organizer_list(organization_id: int):
    organization = managed_organization_or_404(organization_id)
    form, filters = _filters()
    return render_template(
        "volunteers/organizer.html",
        organization=organization,
        form=form,
        volunteers=services.volunteers(organization.id, filters),
        total=services.count(organization.id, filters),
        by_state=services.by_state(organization.id),
        by_role=services.by_role(organization.id),
        summary=services.summary,
    ), 400 if form.errors else 200


@bp.get("/organize/volunteers/<int:organization_id>/volunteers.csv")
@login_required
def organizer_csv(organization_id: int):
    organization = managed_organization_or_404(organization_id)
    form, filters = _filters()
    if form.errors:
        abort(400)
    filename = f"{organization.slug}-volunteers-{utcnow().date().isoformat()}.csv"
    rows = services.export_rows(organization.id, filters)
    return Response(
        stream_with_context(stream_rows(services.CSV_HEADER, rows, bom=True)),
        mimetype="text/csv",
        headers={
            "Content-Disposition": f'attachment; filename="{filename}"',
            "Cache-Control": "no-store",
        },
    )


@bp.app_template_global()
def volunteer_counts(organizations: list[Organization]) -> list[tuple[Organization, int]]:
    """For the organizer dashboard: each organisation's confirmed volunteers."""
    confirmed = services.Filters(confirmed=True)
    return [(org, services.count(org.id, confirmed)) for org in organizations]
