"""`flask demo generate`: the synthetic national-scale data set."""
from __future__ import annotations

import time

import click
from flask import current_app
from flask.cli import AppGroup

from portal.cli.transaction import run
from portal.devdata.generator import SYNTHETIC_PASSWORD, generate
from portal.extensions import db

demo_cli = AppGroup("demo", help="Synthetische data voor tests en metingen.")


@demo_cli.command("generate")
@click.option("--scale", type=float, default=1.0, show_default=True,
              help="1 = Nederland nu (1.500 routes, 900 overeenkomsten, ...); 3 = drie keer zoveel.")
@click.option("--seed", type=int, default=1, show_default=True, help="Zelfde seed, zelfde data.")
@click.option("--practices", type=int, default=None,
              help="Aantal goede voorbeelden (standaard 400 x schaal).")
@click.option("--data-dir", default=None, help="Map met de referentiebestanden (standaard PORTAL_DATA_DIR).")
def generate_command(scale: float, seed: int, practices: int | None, data_dir: str | None) -> None:
    """Genereer een synthetische dataset (gelabeld als synthetisch) in een lege database."""

    started = time.perf_counter()
    report = run(lambda: generate(db.session, scale=scale, seed=seed, practices=practices,
                                  data_dir=data_dir or current_app.config.get("PORTAL_DATA_DIR")))
    click.echo(f"Synthetische data (schaal {scale}, seed {seed}) in "
               f"{time.perf_counter() - started:.1f} s: {report.summary()}.")
    for note in report.notes:
        click.echo(f"  let op: {note}")
    click.echo(f"Accounts: programma@… (staff), beheer@… (admin); wachtwoord {SYNTHETIC_PASSWORD}")
