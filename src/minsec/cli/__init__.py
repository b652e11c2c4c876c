"""The ``minsec`` command line: thin views over the library, one module per group."""

from __future__ import annotations

import typer

from minsec.cli.data import data
from minsec.cli.origin import origin_views
from minsec.cli.outlook import outlook_views, targets_app
from minsec.cli.portfolio import portfolio, stockpile
from minsec.cli.report import report
from minsec.cli.scenario import scenario
from minsec.cli.serve import serve_app
from minsec.cli.views import views

app = typer.Typer(help="Critical-minerals supply security from official data.",
                  no_args_is_help=True, pretty_exceptions_enable=False, add_completion=False)
app.add_typer(data, name="data")
app.add_typer(scenario, name="scenario")
app.add_typer(targets_app, name="targets")
app.add_typer(portfolio, name="portfolio")
app.add_typer(stockpile, name="stockpile")
app.registered_commands += views.registered_commands + outlook_views.registered_commands
app.registered_commands += origin_views.registered_commands
app.registered_commands += serve_app.registered_commands
app.registered_commands += report.registered_commands

__all__ = ["app"]
