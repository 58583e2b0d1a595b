"""The runtime side of what mypy is told: the ``Model`` alias, ``rowcount``, and the small
fixes the type check asked for (docs/architecture.md, "Types")."""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import update

from advocacy.core import csrf
from advocacy.core.db import Base, rowcount
from advocacy.core.templating import date as date_filter
from advocacy.extensions import Model, db
from advocacy.petitions.models import Petition

from .. import factories


def test_models_subclass_flask_sqlalchemys_model_at_runtime():
    # mypy sees Base; the app must still get db.Model (table names, binds, the registry).
    assert Model is db.Model
    mapped = [m.class_ for m in Base.registry.mappers]
    assert Petition in mapped
    assert all(issubclass(cls, db.Model) for cls in mapped)


def test_rowcount_is_the_number_of_rows_an_update_matched(app):
    org = factories.organization()
    first, second = factories.petition(org), factories.petition(org)
    db.session.commit()
    ids = [first.id, second.id]
    matched = db.session.execute(update(Petition).where(Petition.id.in_(ids)).values(goal=5))
    assert rowcount(matched) == 2
    none = db.session.execute(update(Petition).where(Petition.id == -1).values(goal=5))
    assert rowcount(none) == 0


def test_the_sign_form_token_refuses_to_work_without_a_secret_key(app):
    app.secret_key = None
    app.config["WTF_CSRF_SECRET_KEY"] = None
    with app.test_request_context(), pytest.raises(RuntimeError, match="SECRET_KEY"):
        csrf._keys()


@pytest.mark.parametrize(
    ("value", "shown"),
    [
        (date(2026, 6, 15), "June 15, 2026"),
        ("2026-06-15T10:00:00", "June 15, 2026"),
        ("not a date", "not a date"),
        (None, ""),
    ],
)
def test_the_date_filter_shows_dates_and_leaves_other_text_alone(value, shown):
    assert date_filter(value) == shown
