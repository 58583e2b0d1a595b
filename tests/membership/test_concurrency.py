"""Double clicks and two organizers at once decide an application once (PostgreSQL)."""

from __future__ import annotations

import contextlib
import threading
from concurrent.futures import ThreadPoolExecutor

import pytest
from sqlalchemy import func, select

from advocacy.accounts.models import Organization, User
from advocacy.core.errors import DomainError
from advocacy.extensions import db as _db
from advocacy.membership import services
from advocacy.membership.models import ApplicationStatus, MemberApplication
from tests.conftest import ON_POSTGRES

pytestmark = [
    pytest.mark.postgres,
    pytest.mark.skipif(not ON_POSTGRES, reason="needs TEST_DATABASE_URL=postgresql://…"),
]


def _race(app, jobs):
    barrier = threading.Barrier(len(jobs))

    def run(job):
        with app.app_context():
            with contextlib.suppress(threading.BrokenBarrierError):
                barrier.wait(timeout=5)
            try:
                return job()
            finally:
                _db.session.remove()

    with ThreadPoolExecutor(max_workers=len(jobs)) as pool:
        return list(pool.map(run, jobs))


def test_concurrent_decisions_decide_once_and_email_once(
    app, db, org, organizer, member, answers, mailbox
):
    application_id = services.apply(member, org, answers).id
    organizer_id = organizer.id

    def decide(approve: bool):
        def job() -> bool:
            application = _db.session.get(MemberApplication, application_id)
            who = _db.session.get(User, organizer_id)
            return services.decide(application, who, approve=approve, revision=1)

        return job

    results = _race(app, [decide(i % 2 == 0) for i in range(8)])
    assert results.count(True) == 1
    assert len(mailbox.messages(kind="member_decision")) == 1
    db.session.expire_all()
    status = db.session.scalar(select(MemberApplication.status))
    assert status in (ApplicationStatus.APPROVED, ApplicationStatus.DECLINED)


def test_concurrent_first_applications_make_one_row(app, db, org, member, answers):
    org_id, member_id = org.id, member.id

    def apply():
        try:
            services.apply(
                _db.session.get(User, member_id), _db.session.get(Organization, org_id), answers
            )
        except DomainError:
            return "refused"
        return "applied"

    results = _race(app, [apply] * 6)
    assert "applied" in results
    db.session.expire_all()
    assert db.session.scalar(select(func.count(MemberApplication.id))) == 1
