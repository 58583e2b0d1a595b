"""Organizer pages for delivery packets: build all of a petition's packets as one ZIP (a
background job with a progress bar), download it, or fetch one office's PDF or CSV.

Every route loads the petition through ``managed_or_404``: someone from another
organisation gets the same 404 as a petition that does not exist.
"""

from __future__ import annotations

from dataclasses import dataclass

from flask import (
    abort,
    flash,
    make_response,
    redirect,
    render_template,
    request,
    send_file,
    url_for,
)
from flask_login import current_user

from advocacy.core.db import utcnow
from advocacy.delivery import jobs, packets, services
from advocacy.delivery.models import JobStatus, PacketJob
from advocacy.extensions import db
from advocacy.legislators import titles
from advocacy.legislators.models import Chamber
from advocacy.organize import bp
from advocacy.organize.forms import ActionForm
from advocacy.organize.helpers import managed_or_404
from advocacy.petitions.models import Petition


def packet_urls(petition: Petition, recipient_key: str) -> dict[str, str]:
    """The links to one office's packet: ``{"pdf": …, "csv": …}`` (for district tables)."""
    return {
        kind: url_for(
            f"organize.office_packet_{kind}", petition_id=petition.id, key=recipient_key
        )  # fmt: skip
        for kind in ("pdf", "csv")
    }


bp.add_app_template_global(packet_urls, "packet_urls")


@bp.route("/petitions/<int:petition_id>/packets", methods=["GET", "POST"])
def packets_page(petition_id: int):
    """The packets page; its POST ("Build the packets") starts a build."""
    petition = managed_or_404(petition_id)
    form = ActionForm()
    if request.method == "POST":
        if form.validate_on_submit():
            jobs.request_packets(petition, current_user.id)
        else:
            flash("The form had expired. Press “Build the packets” again.", "error")
        return redirect(url_for("organize.packets_page", petition_id=petition.id))
    job = jobs.latest_job(petition.id)
    running = job is not None and job.status in (JobStatus.QUEUED, JobStatus.RUNNING)
    listing = None if running else _listing(services.offices_for(petition))
    return render_template(
        "organize/packets.html",
        petition=petition,
        job=job,
        running=running,
        archive=jobs.archive_path(job) if job else None,
        listing=listing,
        form=form,
    )


@dataclass(frozen=True)
class StateRow:
    code: str
    name: str
    offices: int
    signers: int  # confirmed signers of the state (its senators' constituents, or the most
    # any one of its offices has where the directory lists no senator: DC, the territories)


@dataclass(frozen=True)
class Listing:
    """The offices the page lists: one state's (``?state=NY``), else a line per state; the
    organisation targets always. A large petition reaches thousands of offices: a page of
    them all would be tens of thousands of pixels tall."""

    total: int
    states: list[StateRow]
    state: StateRow | None
    federal: list[services.Office]
    legislature: list[services.Office]
    targets: list[services.Office]


def _listing(offices: list[services.Office]) -> Listing:
    by_state: dict[str, list[services.Office]] = {}
    for office in offices:
        if office.state:
            by_state.setdefault(office.state, []).append(office)
    states = [
        StateRow(code, titles.state_name(code), len(rows), max(o.constituents for o in rows))
        for code, rows in sorted(by_state.items(), key=lambda item: titles.state_name(item[0]))
    ]
    wanted = (request.args.get("state") or "").strip().upper()
    chosen = next((row for row in states if row.code == wanted), None)
    rows = by_state.get(chosen.code, []) if chosen else []
    federal = (Chamber.US_SENATE.value, Chamber.US_HOUSE.value)
    return Listing(
        total=len(offices),
        states=states,
        state=chosen,
        federal=[o for o in rows if o.chamber in federal],
        legislature=[o for o in rows if o.chamber not in federal],
        targets=[o for o in offices if o.target_id is not None],
    )


@bp.get("/petitions/<int:petition_id>/packets/<int:job_id>.zip")
def download_packets(petition_id: int, job_id: int):
    petition = managed_or_404(petition_id)
    job = db.session.get(PacketJob, job_id)
    if job is None or job.petition_id != petition.id:
        abort(404)
    path = jobs.archive_path(job)
    if path is None:
        abort(404)
    response = send_file(
        path,
        mimetype="application/zip",
        as_attachment=True,
        download_name=f"packets-{petition.slug}.zip",
        max_age=0,
    )
    response.headers["Cache-Control"] = "private, no-store"
    return response


def _office_or_404(petition: Petition, key: str) -> services.Office:
    office = services.office_for(petition, key)
    if office is None:
        abort(404)
    return office


def _attachment(data: bytes, mimetype: str, name: str):
    response = make_response(data)
    response.headers["Content-Type"] = mimetype
    response.headers["Content-Disposition"] = f'attachment; filename="{name}"'
    response.headers["Cache-Control"] = "private, no-store"
    return response


@bp.get("/petitions/<int:petition_id>/packets/office/<key>.pdf")
def office_packet_pdf(petition_id: int, key: str):
    petition = managed_or_404(petition_id)
    office = _office_or_404(petition, key)
    data = packets.pdf_bytes(petition, office, utcnow().date())
    return _attachment(data, "application/pdf", f"{office.file_stem}.pdf")


@bp.get("/petitions/<int:petition_id>/packets/office/<key>.csv")
def office_packet_csv(petition_id: int, key: str):
    petition = managed_or_404(petition_id)
    office = _office_or_404(petition, key)
    return _attachment(
        packets.csv_bytes(petition, office), "text/csv; charset=utf-8", f"{office.file_stem}.csv"
    )
