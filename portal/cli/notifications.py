"""`flask notifications deliver`, `flask notifications digest` and
`flask mail test ADDRESS`. Each step is its own short transaction (claim a
batch; prepare one message; record the outcome): no transaction stays open
while the SMTP server is talked to."""
from __future__ import annotations

import logging

import click
from flask.cli import AppGroup

from portal.cli.transaction import run
from portal.core.mail import Mailer, PermanentMailError, TemporaryMailError, mail_configured
from portal.domain import notifications as rules
from portal.extensions import db
from portal.services.agreements.reminders import schedule_expiry
from portal.services.notifications import delivery, digest
from portal.web.mail import MailSetupError, base_url, compose, test_message

logger = logging.getLogger(__name__)

notifications_cli = AppGroup("notifications", help="Meldingen versturen en weekoverzichten maken.")
mail_cli = AppGroup("mail", help="De e-mailinstellingen controleren.")

NOWHERE = ("MAIL_SERVER is niet ingesteld: er gaat geen e-mail weg. De meldingen staan in de portal op "
           "/account/meldingen (Meldingen, rechtsboven na inloggen).")


def _prepare(notification_id: int, token: str):
    notification = delivery.load(db.session, notification_id, token)
    if notification is None:
        return None
    items = digest.items(db.session, notification) if notification.event == rules.DIGEST else None
    return compose(notification, notification.user, items)


def _deliver_one(mailer: Mailer, notification_id: int, token: str) -> str:
    try:
        message = run(lambda: _prepare(notification_id, token))
    except Exception as exc:  # noqa: BLE001  a bad address, or a message that cannot be built: this row only
        logger.exception("notification %s cannot be prepared", notification_id)
        error = str(exc) if isinstance(exc, PermanentMailError) else f"kon het bericht niet opstellen: {exc!r}"
        run(lambda: delivery.give_up(db.session, notification_id, token, error))
        return rules.FAILED
    if message is None:
        return "skipped"
    try:
        mailer.send(message)
    except TemporaryMailError as exc:
        error = str(exc)
        return run(lambda: delivery.retry_later(db.session, notification_id, token, error))
    except PermanentMailError as exc:
        error = str(exc)
        run(lambda: delivery.give_up(db.session, notification_id, token, error))
        return rules.FAILED
    run(lambda: delivery.mark_sent(db.session, notification_id, token))
    return rules.SENT


@notifications_cli.command("deliver")
@click.option("--limit", type=click.IntRange(1, 100_000), default=500, help="Hoogstens zoveel berichten per run.")
@click.option("--batch", type=click.IntRange(1, 500), default=50, help="Zoveel berichten per claim.")
def deliver_command(limit: int, batch: int) -> None:
    """Verloopmeldingen aanmaken en wachtende meldingen per e-mail versturen."""
    scheduled = run(lambda: schedule_expiry(db.session))
    if scheduled:
        click.echo(f"{scheduled} verloopmelding(en) aangemaakt.")
    if not mail_configured():
        click.echo(NOWHERE)
        return
    try:
        base_url()
    except MailSetupError as exc:
        raise click.ClickException(str(exc)) from exc
    mailer = Mailer()
    outcome: dict[str, int] = {}
    handled = 0
    try:
        while handled < limit:
            size = min(batch, limit - handled)
            claimed = run(lambda size=size: delivery.claim(db.session, limit=size))
            if not claimed.ids:
                break
            for notification_id in claimed.ids:
                status = _deliver_one(mailer, notification_id, claimed.token)
                outcome[status] = outcome.get(status, 0) + 1
            handled += len(claimed.ids)
    finally:
        mailer.close()
    click.echo(f"Verstuurd: {outcome.get(rules.SENT, 0)}; later opnieuw: {outcome.get(rules.PENDING, 0)}; "
               f"opgegeven: {outcome.get(rules.FAILED, 0)}.")
    stuck = run(lambda: delivery.stuck(db.session))
    if stuck:
        click.echo(f"Let op: {stuck} melding(en) staan al meer dan een uur op 'wordt verstuurd' (een eerdere run "
                   "stopte midden in het versturen). Ze worden niet vanzelf opnieuw verstuurd, zodat niemand iets "
                   "dubbel krijgt: kijk in de mailserver of ze aankwamen.")


@notifications_cli.command("digest")
def digest_command() -> None:
    """De weekoverzichten maken (daarna verstuurt `deliver` ze)."""
    made = run(lambda: digest.build_digests(db.session))
    click.echo(f"{made} weekoverzicht(en) aangemaakt.")


@mail_cli.command("test")
@click.argument("address")
def mail_test_command(address: str) -> None:
    """Eén testbericht naar ADDRESS sturen."""
    if not mail_configured():
        raise click.ClickException(NOWHERE)
    mailer = Mailer()
    try:
        mailer.send(test_message(address))
    except (PermanentMailError, TemporaryMailError, MailSetupError) as exc:
        raise click.ClickException(f"Niet verstuurd: {exc}") from exc
    finally:
        mailer.close()
    click.echo(f"Testbericht verstuurd naar {address}.")
