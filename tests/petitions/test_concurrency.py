"""The counter stays exact when many confirmations and repeat signings race (PostgreSQL)."""

from __future__ import annotations

import contextlib
import threading
from concurrent.futures import ThreadPoolExecutor

import pytest
from sqlalchemy import func, select

from advocacy.petitions import services
from advocacy.petitions.models import Milestone, Signature
from tests.conftest import ON_POSTGRES

pytestmark = [
    pytest.mark.postgres,
    pytest.mark.skipif(not ON_POSTGRES, reason="needs TEST_DATABASE_URL=postgresql://…"),
]


def _race(app, jobs, workers=8):
    barrier = threading.Barrier(workers)

    def run(job):
        with app.app_context():
            with contextlib.suppress(threading.BrokenBarrierError):
                barrier.wait(timeout=5)
            try:
                return job()
            finally:
                from advocacy.extensions import db

                db.session.remove()

    with ThreadPoolExecutor(max_workers=workers) as pool:
        return list(pool.map(run, jobs))


def test_concurrent_confirmations_end_with_exact_count(app, db, make, mailbox):
    org = make.organization()
    make.organizer(org)
    petition = make.petition(org, goal=100)
    signatures = [
        make.signature(petition, email=f"c{i}@example.com", confirmed=False) for i in range(120)
    ]
    tokens = [services.make_token(s) for s in signatures]
    # Every link is clicked twice, concurrently.
    jobs = [(lambda t=t: services.confirm_signature(t).newly_confirmed) for t in tokens * 2]
    results = _race(app, jobs)

    assert sum(results) == 120
    db.session.expire_all()
    db.session.refresh(petition)
    assert petition.signature_count == 120
    numbers = sorted(db.session.scalars(select(Signature.signer_number)))
    assert numbers == list(range(1, 121))
    percents = sorted(db.session.scalars(select(Milestone.percent)))
    assert percents == [25, 50, 75, 100]
    assert len(mailbox.messages(kind="milestone")) == 4


def test_concurrent_signing_with_same_email_creates_one_signature(app, db, make):
    petition = make.petition(require_confirmation=False)
    petition_id = petition.id

    def sign():
        from advocacy.extensions import db as _db
        from advocacy.petitions.models import Petition

        p = _db.session.get(Petition, petition_id)
        data = services.SignatureInput("Ana", "Diaz", "same@example.com", "13202")
        return services.sign_petition(p, data).needs_confirmation

    _race(app, [sign] * 16)
    db.session.expire_all()
    assert db.session.scalar(select(func.count(Signature.id))) == 1
    db.session.refresh(petition)
    assert petition.signature_count == 1
