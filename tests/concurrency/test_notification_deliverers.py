"""Issue 18: two `flask notifications deliver` processes started at the same
moment against the same outbox (a file SQLite database, or PostgreSQL when
DATABASE_URL is set) and a real, slow SMTP server: every message arrives
exactly once and every row ends sent. Small claims (--batch 2) make the two
deliverers claim turn by turn while the other is sending."""
from __future__ import annotations

import os
import subprocess
import sys
import threading
from collections import Counter

from sqlalchemy import func, select

from portal.domain import notifications as rules
from portal.extensions import db
from portal.models import Notification
from tests.conftest import ROOT
from tests.factories import make_user
from tests.smtp_server import SmtpServer

MESSAGES = 24


def seed(app) -> list[str]:
    """Synthetic notifications (test data), committed so that other processes see them."""
    with app.app_context():
        subjects = []
        users = [make_user("reader", email=f"lezer{n}.deliver@example.org") for n in range(4)]
        for n in range(MESSAGES):
            subject = f"Synthetische testmelding {n}"
            db.session.add(Notification(user_id=users[n % 4].id, event="agreement_sent", subject=subject,
                                        summary="Synthetische melding voor de test met twee verstuurders.",
                                        link="/overeenkomsten/", status=rules.PENDING))
            subjects.append(subject)
        db.session.commit()
        return subjects


def deliverer(url: str, port: int, results: list, barrier: threading.Barrier) -> None:
    env = {k: v for k, v in os.environ.items() if k not in ("FLASK_DEBUG",)}
    env.update(DATABASE_URL=url, SECRET_KEY="deliverer-test-secret-key-0123456789", MAIL_SERVER="127.0.0.1",
               MAIL_PORT=str(port), PORTAL_BASE_URL="https://leerroutes.example.org", FLASK_APP="wsgi",
               PORTAL_OFFLINE="1")
    barrier.wait()
    done = subprocess.run([sys.executable, "-m", "flask", "notifications", "deliver", "--batch", "2"],
                          cwd=ROOT, env=env, capture_output=True, text=True, timeout=300)
    results.append(done)


def test_two_deliverers_at_once_send_each_message_once(world):
    smtp = SmtpServer().start()
    smtp.handler.delay = 0.05
    try:
        subjects = seed(world.app)
        with world.app.app_context():  # other concurrency tests of this session may have left rows pending too
            pending = db.session.scalar(select(func.count()).select_from(Notification)
                                        .where(Notification.status == rules.PENDING))
            db.session.remove()
        results: list = []
        barrier = threading.Barrier(2)
        threads = [threading.Thread(target=deliverer, args=(world.url, smtp.port, results, barrier))
                   for _ in range(2)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        outputs = [r.stdout + r.stderr for r in results]
        assert all(r.returncode == 0 for r in results), outputs
        received = Counter(str(message["Subject"]).strip().removeprefix("[Leerroutes] ") for _, message in smtp.messages)
        synthetic = Counter({s: n for s, n in received.items() if s.startswith("Synthetische testmelding")})
        assert synthetic == Counter(subjects), outputs  # each synthetic message exactly once
        assert len(smtp.messages) == pending, outputs  # one message per pending row, none twice
        with world.app.app_context():
            statuses = Counter(db.session.scalars(select(Notification.status).where(
                Notification.subject.like("Synthetische testmelding %"))))
            db.session.remove()
        assert statuses == {rules.SENT: MESSAGES}
    finally:
        smtp.stop()
