"""The ``budget`` subcommand: a portfolio's budget per period and per month, quarter or
year, with the cumulative consumption of each period's envelope."""

from __future__ import annotations

import argparse
from decimal import Decimal
from typing import Any

import pandas as pd

from secpa_model.analysis.budget import FREQUENCIES, project_budget
from secpa_model.core.errors import InputError
from secpa_model.core.money import format_euros
from secpa_model.core.periods import Period
from secpa_model.io.formats import suffix_list
from secpa_model.model.model import Model
from secpa_model.presentation.cli.common import (
    EACH_ROWS_YEAR,
    Subcommands,
    add_base_scenario_argument,
    add_errors_argument,
    add_options,
    add_output_option,
    assumption_line,
    checked_outputs,
    envelope_euros,
    model_from,
    number,
    output_manifest,
    parse_period,
    print_note,
    read_portfolio,
    scenario_parameters,
    write_outputs,
)
from secpa_model.presentation.cli.tables import text_table

__all__ = ["add_budget", "run_budget"]


def add_budget(commands: Subcommands, model: Model) -> None:
    """``budget``: the budget of a portfolio per period and per step, against envelopes."""
    sub = commands.add_parser(
        "budget",
        help="the budget of a portfolio per period and per month or quarter, against envelopes",
        description=(
            "Project the budget of the structures of IN (one row per structure with entry "
            "and exit dates, or a structure-year table with a 'year' column) over each "
            "period, per month, quarter or year, with the cumulative consumption of the "
            "period's envelope. Prints the periods and the steps; -o writes the steps."
        ),
    )
    add_options(sub, "input", "--from", "--encoding")
    sub.add_argument(
        "--period",
        metavar="START..END",
        dest="periods",
        action="append",
        help="a period to project, YYYY-MM-DD..YYYY-MM-DD or a year YYYY; repeat for "
        "several (default, with a 'year' column: 1 January of its first year to 31 "
        "December of its last)",
    )
    sub.add_argument(
        "--year",
        metavar="YYYY",
        dest="periods",
        action="append",
        help="a calendar year to project (the same as --period YYYY); repeatable",
    )
    sub.add_argument(
        "--envelope",
        metavar="EUROS",
        action="append",
        help="the envelope of a period in euros, e.g. 14000000; one per period, in the "
        "order of the periods (or none)",
    )
    sub.add_argument(
        "--freq",
        choices=FREQUENCIES,
        default="month",
        help="the steps of each period: calendar months (default), quarters or years",
    )
    add_options(sub, "--allow-duplicates", "--model", "--parameters")
    add_base_scenario_argument(sub, "")
    add_output_option(
        sub,
        "write the steps (one row per period and step: amounts in cents and euros, "
        f"cumulative, envelope consumed) to OUT ({suffix_list()}; -: standard output, with --to)",
    )
    add_options(sub, "--to")
    add_errors_argument(sub, output_required=False)
    sub.set_defaults(handler=run_budget)


def _periods(args: argparse.Namespace) -> dict[str, Period] | None:
    """The periods of ``--period`` and ``--year``, in order, each labelled by its dates."""
    if not args.periods:
        return None
    periods: dict[str, Period] = {}
    for text in args.periods:
        period = parse_period("--period/--year", text)
        if str(period) in periods:
            raise InputError(f"--period {period} is given twice")
        periods[str(period)] = period
    return periods


def run_budget(args: argparse.Namespace) -> int:
    """Print the budget per period and per step; write the steps with ``-o``."""
    output, problems = checked_outputs(args)
    periods = _periods(args)
    amounts = [envelope_euros(text) for text in args.envelope or ()]
    model = model_from(args.model)
    params = scenario_parameters(args, model)
    if amounts and len(amounts) != (len(periods) if periods else 1):
        given = len(periods) if periods else "1 (the years of the table)"
        raise InputError(
            f"{len(amounts)} --envelope for {given} periods: give one per period, in order"
        )
    envelopes: Decimal | dict[str, Decimal] | None = None
    if amounts:
        envelopes = dict(zip(periods, amounts, strict=True)) if periods else amounts[0]
    structures = read_portfolio(args, model)
    projection = project_budget(structures, periods, params, envelopes, freq=args.freq)
    span = Period(min(projection.by_period["start"]), max(projection.by_period["end"]))
    print(f"secpa-model budget: {args.input}, period {_when(periods)}")
    print(f"model: {model.name!r}; parameters: {params.name!r}; steps: {args.freq}s")
    print_note(model)
    print()
    print(text_table(*_period_table(projection.by_period)))
    print()
    print(text_table(*_step_table(projection.timeline, args.freq)))
    print()
    print(assumption_line(params, span))
    write_outputs(
        args,
        structures,
        problems,
        projection.timeline,
        output,
        manifest=lambda: output_manifest(args, model, params, span, structures=structures),
        written=f"steps: {number(len(projection.timeline))} rows",
        index=False,
    )
    return 0


def _when(periods: dict[str, Period] | None) -> str:
    return ", ".join(periods) if periods else f"{EACH_ROWS_YEAR} (the years of the table)"


def _euros(value: Any) -> str:
    return "" if value is None or pd.isna(value) else format_euros(value)


def _percent(value: Any) -> str:
    return "" if pd.isna(value) else f"{value:.1f}"


def _period_table(by_period: pd.DataFrame) -> tuple[list[str], list[list[str]]]:
    headers = ["period", "structures", "total", "envelope", "gap", "within"]
    rows = [
        [
            str(record["label"]),
            str(record["structures_participating"]),
            _euros(record["total_eur"]),
            _euros(record["envelope_eur"]),
            _euros(record["gap_eur"]),
            "" if record["within_envelope"] is None else str(record["within_envelope"]).lower(),
        ]
        for record in by_period.to_dict("records")
    ]
    return headers, rows


def _step_table(timeline: pd.DataFrame, freq: str) -> tuple[list[str], list[list[str]]]:
    headers = [freq, "structures", "total", "cumulative", "consumed %", "remaining"]
    several = timeline["period"].nunique() > 1
    rows = [
        [
            (f"{record['period']} " if several else "") + str(record["label"]),
            str(record["structures_participating"]),
            _euros(record["total_eur"]),
            _euros(record["cumulative_eur"]),
            _percent(record["consumed_pct"]),
            _euros(record["remaining_eur"]),
        ]
        for record in timeline.to_dict("records")
    ]
    return headers, rows
