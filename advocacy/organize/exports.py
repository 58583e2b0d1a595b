"""The organizer's signature export: a page of filters (a GET form, so the URL can be shared
or bookmarked) and the CSV itself, streamed. The rules of what leaves are the service's
(``petitions.exports``); this module reads the filters and shapes the response."""

from __future__ import annotations

import re

from flask import Response, render_template, request, stream_with_context
from wtforms import BooleanField, DateField, HiddenField, SelectField, StringField
from wtforms.validators import Optional, ValidationError

from advocacy.core.db import utcnow
from advocacy.core.forms import SafeForm, strip
from advocacy.legislators.importer import STATES
from advocacy.legislators.models import CHAMBER_LABELS, Chamber
from advocacy.organize import bp
from advocacy.organize.helpers import managed_or_404
from advocacy.petitions import exports
from advocacy.petitions.exports import DistrictFilter, ExportFilters

DISTRICT_CHAMBERS = (Chamber.US_HOUSE, Chamber.STATE_UPPER, Chamber.STATE_LOWER)
DISTRICT_KEY = re.compile(r"^([A-Za-z]{2})-(\S(?:.{0,98}\S)?)$")
DATE_MESSAGE = "Enter a date, such as 2026-12-31."


def upper(value: object) -> object:
    return value.upper() if isinstance(value, str) else value


class ExportForm(SafeForm):
    """The export's filters, read from the query string."""

    class Meta:
        csrf = False  # a GET that changes nothing; the URL is meant to be shared

    # Present on every submission: without it an unticked box could not be told from a
    # first visit, where "confirmed only" is ticked by default.
    filtered = HiddenField(default="1")
    start = DateField(
        "From (UTC, optional)",
        format=["%Y-%m-%d", "%m/%d/%Y"],
        invalid_value_message=DATE_MESSAGE,
        validators=[Optional()],
    )
    end = DateField(
        "To (UTC, optional)",
        format=["%Y-%m-%d", "%m/%d/%Y"],
        invalid_value_message=DATE_MESSAGE,
        validators=[Optional()],
    )
    state = StringField("State (optional)", filters=[strip, upper], validators=[Optional()])
    chamber = SelectField(
        "District chamber",
        choices=[("", "Any district"), *((c.value, CHAMBER_LABELS[c]) for c in DISTRICT_CHAMBERS)],
        default="",
    )
    district = StringField("District (optional)", filters=[strip, upper])
    confirmed_only = BooleanField("Confirmed signatures only", default=True)
    opted_in_only = BooleanField("Only signers who agreed to hear from you", default=False)

    def validate_end(self, field) -> None:
        if field.data and self.start.data and field.data < self.start.data:
            raise ValidationError("The end date is before the start date.")

    def validate_state(self, field) -> None:
        if field.data and field.data not in STATES:
            raise ValidationError("Enter a state as two letters, such as NY.")

    def validate_district(self, field) -> None:
        if not field.data:
            if self.chamber.data:
                raise ValidationError("Enter the district, such as NY-22.")
            return
        match = DISTRICT_KEY.match(field.data)
        if match is None or match.group(1) not in STATES:
            raise ValidationError("Enter a district as state-number, such as NY-22.")
        if not self.chamber.data:
            raise ValidationError("Choose the chamber of this district above.")
        if self.state.data and self.state.data in STATES and match.group(1) != self.state.data:
            raise ValidationError(f"This district is not in {self.state.data}.")

    def filters(self) -> ExportFilters:
        """The filters of a validated form."""
        district = None
        if self.district.data:
            state, _, number = self.district.data.partition("-")
            district = DistrictFilter(self.chamber.data, state, number)
        return ExportFilters(
            start=self.start.data,
            end=self.end.data,
            state=self.state.data or None,
            district=district,
            confirmed_only=bool(self.confirmed_only.data),
            opted_in_only=bool(self.opted_in_only.data),
        )


def _form() -> ExportForm:
    """The filters from the query string; with none (the first visit) the defaults. A link
    made by hand without the form's ``filtered`` marker keeps the default boxes too."""
    form = ExportForm(request.args if request.args else None)
    if request.args and "filtered" not in request.args:
        form.confirmed_only.data = True
    return form


def _page(petition, form: ExportForm, status: int = 200):
    count = None if form.errors else exports.count_rows(petition, form.filters())
    return (
        render_template(
            "organize/export.html",
            petition=petition,
            form=form,
            count=count,
            query=request.query_string.decode("ascii", "replace"),
        ),
        status,
    )


@bp.get("/petitions/<int:petition_id>/export")
def export_page(petition_id: int):
    petition = managed_or_404(petition_id)
    form = _form()
    if request.args:
        form.validate()
    return _page(petition, form, 400 if form.errors else 200)


@bp.get("/petitions/<int:petition_id>/export.csv")
def export_csv(petition_id: int):
    petition = managed_or_404(petition_id)
    form = _form()
    if request.args and not form.validate():
        return _page(petition, form, 400)
    filters = form.filters()
    filename = exports.export_filename(petition, utcnow().date())
    return Response(
        stream_with_context(exports.export_csv(petition, filters)),
        mimetype="text/csv",
        headers={
            "Content-Disposition": f'attachment; filename="{filename}"',
            "Cache-Control": "no-store",
        },
    )
