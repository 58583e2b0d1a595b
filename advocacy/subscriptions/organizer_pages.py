"""The organizer's newsletter page: the audience, write and send (asked once), the issues sent.

Under ``/organize/`` (never stored); the organisation must be one the user may manage, else
the same 404 as one that does not exist.
"""

from __future__ import annotations

import secrets

from flask import flash, redirect, render_template, url_for
from flask_login import current_user, login_required

from advocacy.core.errors import DomainError
from advocacy.core.forms import form_error
from advocacy.organize.helpers import Question, ask, confirmed, managed_organization_or_404
from advocacy.subscriptions import issues, services
from advocacy.subscriptions.forms import NewsletterForm
from advocacy.subscriptions.views import bp


@bp.route("/organize/newsletters/<int:organization_id>", methods=["GET", "POST"])
@login_required
def newsletter(organization_id: int):
    organization = managed_organization_or_404(organization_id)
    form = NewsletterForm()
    audience = services.audience(organization.id)
    if form.validate_on_submit():
        reach = (
            f"{audience.reachable:,} {'subscriber' if audience.reachable == 1 else 'subscribers'}"
        )
        if not confirmed():
            return ask(
                Question(
                    heading=f"Send to {reach}? This cannot be undone",
                    consequence=f"“{form.subject.data}” goes by email to every confirmed "
                    f"subscriber of the newsletter of {organization.name}.",
                    yes=f"Yes, send to {reach}",
                    cancel_url=url_for(".newsletter", organization_id=organization.id),
                    fields={
                        "subject": form.subject.data,
                        "body": form.body.data,
                        "request_key": form.request_key.data,
                    },
                )
            )
        try:
            queued = issues.send_issue(
                organization, current_user._get_current_object(), form.update_input(),
                form.request_key.data,
            )  # fmt: skip
        except DomainError as error:
            if error.message == issues.ALREADY_SENT:
                flash(error.message, "error")
                return redirect(url_for(".newsletter", organization_id=organization.id))
            form_error(form, error)
        else:
            flash(
                f"Sending to {queued:,} {'subscriber' if queued == 1 else 'subscribers'}.",
                "success",
            )
            return redirect(url_for(".newsletter", organization_id=organization.id))
    if not form.request_key.data or form.request_key.errors:
        form.request_key.data = secrets.token_hex(16)  # a new page, or an expired key
    return render_template(
        "subscriptions/organizer.html",
        organization=organization,
        form=form,
        audience=audience,
        issues=issues.issues_of(organization),
    ), 400 if form.errors else 200
