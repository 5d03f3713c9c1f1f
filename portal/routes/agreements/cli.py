"""The agreements command line (flask agreements ...), for cron."""
from __future__ import annotations

import click

from portal.cli.transaction import run
from portal.extensions import db
from portal.routes.agreements.blueprint import bp
from portal.services.agreements import lifecycle


@bp.cli.command("expire")
def expire_command():
    """Zet getekende overeenkomsten na hun einddatum op verlopen (voor cron)."""
    count = run(lambda: lifecycle.expire_due(db.session))
    click.echo(f"{count} overeenkomst(en) op verlopen gezet.")
