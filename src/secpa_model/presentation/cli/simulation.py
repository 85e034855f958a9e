"""The subcommand ``simulate``: Monte Carlo over the assumptions' ranges for a portfolio in a
file."""

from __future__ import annotations

import argparse
from decimal import Decimal
from pathlib import Path

import numpy as np
import pandas as pd

from secpa_model.analysis.simulation import ROWS_PER_CHUNK, Simulation, simulate
from secpa_model.core.errors import InputError
from secpa_model.core.money import format_euros
from secpa_model.core.rounding import CENT_HALF_UP
from secpa_model.io.formats import suffix_list
from secpa_model.io.manifest import Manifest
from secpa_model.model.model import Model
from secpa_model.presentation.cli.common import (
    STDOUT,
    Subcommands,
    add_options,
    add_output_option,
    add_period_arguments,
    assumption_line,
    base_parameters,
    check_output,
    envelope_euros,
    input_files,
    model_from,
    number,
    output_manifest,
    period_from,
    print_note,
    read_portfolio,
    read_scenarios,
    refuse_overwriting,
    scheduler_client,
    write_results,
)
from secpa_model.presentation.cli.progress import progress_log
from secpa_model.presentation.cli.tables import text_table

DEFAULT_DRAWS = 1000
"""Draws when ``--draws`` is not given."""


def add_simulate(commands: Subcommands, model: Model) -> None:
    """``simulate``: intervals of a portfolio's lines and total over drawn assumptions."""
    sub = commands.add_parser(
        "simulate",
        help="Monte Carlo over the assumptions' ranges: intervals of the lines and the total",
        description=(
            "Allocate the structures of IN under --draws parameter sets drawn from the "
            "plausible ranges of the assumptions (see 'secpa-model params'), and print the "
            "mean, standard deviation and percentiles of each line and of the total over the "
            "portfolio. The same --seed gives the same numbers. Prints progress on stderr "
            "for long runs."
        ),
    )
    add_options(sub, "input", "--from", "--encoding")
    add_period_arguments(sub)
    add_options(sub, "--model", "--parameters")
    sub.add_argument(
        "--scenario",
        metavar="FILE",
        help="a scenario file: its values replace the parameters' (a scenario's values have "
        "no range: they stay fixed in every draw)",
    )
    sub.add_argument(
        "--draws", type=int, default=DEFAULT_DRAWS, metavar="N", help="draws (default 1000)"
    )
    sub.add_argument("--seed", type=int, default=0, metavar="S", help="random seed (default 0)")
    sub.add_argument(
        "--envelope",
        metavar="EUROS",
        help="an envelope in euros (e.g. 14000000): the summary adds the probability that "
        "the total exceeds it",
    )
    sub.add_argument(
        "--chunk-size",
        type=int,
        metavar="N",
        help="draws computed at once (default: about "
        f"{number(ROWS_PER_CHUNK)} rows of structures × draws)",
    )
    add_output_option(
        sub,
        "write one row per draw (the values drawn and the portfolio's lines and total, "
        f"in cents) to OUT ({suffix_list()})",
    )
    sub.add_argument(
        "--detail",
        metavar="OUT",
        help=f"write every draw × structure × line (cents, tidy) to OUT ({suffix_list()})",
    )
    sub.add_argument(
        "--summary-output", metavar="OUT", help="write the summary table (euros) to OUT"
    )
    add_options(sub, "--to", "--allow-duplicates", "--scheduler")
    sub.set_defaults(handler=run_simulate)


def run_simulate(args: argparse.Namespace) -> int:
    """Print the summary of the draws; write the draws, the detail and the summary on
    request."""
    outputs = [
        (f"{flag} {value}", check_output(value, args.to_format))
        for flag, value in (
            ("-o", args.output),
            ("--detail", args.detail),
            ("--summary-output", args.summary_output),
        )
        if value
    ]
    refuse_overwriting(outputs, input_files(args))
    if sum(str(path) == STDOUT for _, path in outputs) > 1:
        raise InputError("one output only may be standard output (-)")
    if args.draws < 1:
        raise InputError(f"--draws {args.draws}: give a number of draws of at least 1")
    if args.chunk_size is not None and args.chunk_size < 1:
        raise InputError(f"--chunk-size {args.chunk_size}: give at least 1 draw per chunk")
    if args.seed < 0:
        raise InputError(f"--seed {args.seed}: give a seed of at least 0")
    envelope = None if args.envelope is None else envelope_euros(args.envelope)
    period = period_from(args)
    model = model_from(args.model)
    params = base_parameters(args.parameters, model)
    if args.scenario:
        params = read_scenarios([args.scenario], params, model)[0].apply(params)
    structures = read_portfolio(args, model)
    chunk = args.chunk_size or max(1, ROWS_PER_CHUNK // max(structures.size, 1))
    long_run = args.draws > chunk  # more than one chunk: show progress
    log = progress_log(args, "draws")
    with scheduler_client(args.scheduler) as client:
        result = simulate(
            structures,
            period,
            params,
            draws=args.draws,
            seed=args.seed,
            envelope=envelope,
            chunk_size=args.chunk_size,
            keep="structures" if args.detail else "totals",
            progress=log if long_run else None,
            client=client,
        )
    log.finish()
    print(f"secpa-model simulate: {args.input}, period {period}")
    print(
        f"model: {model.name!r}; parameters: {params.name!r}; {number(args.draws)} draws, "
        f"seed {args.seed}; {number(len(result.structure_ids))} structures"
    )
    print_note(model)
    varied = ", ".join(result.parameter_draws.columns) or "none"
    print(f"drawn from their ranges: {varied}")
    print()
    print(summary_table(result))
    print()
    print(
        "Amounts in euros over the portfolio: mean, standard deviation and percentiles of "
        "the draws; each draw's lines rounded once, half up, to the cent."
    )
    if envelope is not None:
        share = result.summary["prob_exceed"].to_numpy(dtype=np.float64)[-1]
        print(
            f"probability that the total exceeds {format_euros(envelope)}: {share:.1%} of the draws"
        )
    print(assumption_line(params, period))
    _write_outputs(
        args, result, output_manifest(args, model, params, period, structures=structures)
    )
    return 0


def summary_table(result: Simulation) -> str:
    """The summary as a plain-text table: a row per line and the total, amounts in euros."""
    summary = result.summary
    headers = ["line", *summary.columns]
    rows = []
    for line, record in summary.iterrows():
        cells = [str(line)]
        for column, value in record.items():
            if column == "prob_exceed":
                cells.append("" if np.isnan(value) else f"{value:.1%}")
            else:
                cents = int(CENT_HALF_UP.round(float(value) * 100))
                cells.append(format_euros(Decimal(cents) / 100))
        rows.append(cells)
    return text_table(headers, rows)


def _write_outputs(args: argparse.Namespace, result: Simulation, manifest: Manifest) -> None:
    """Write the files asked for, committed together, then say so."""
    chosen: list[tuple[pd.DataFrame | str, Path | None, bool | None]] = []
    said = []
    if args.output:
        draws = result.parameter_draws.join(result.totals).reset_index()
        chosen.append((draws, Path(args.output), False))
        said.append(f"draws: {number(len(draws))} rows written to {args.output}")
    if args.detail:
        chosen.append((result.draws, Path(args.detail), False))
        said.append(f"detail: {number(len(result.draws))} rows written to {args.detail}")
    if args.summary_output:
        chosen.append((result.summary.reset_index(), Path(args.summary_output), False))
        said.append(f"summary written to {args.summary_output}")
    write_results(chosen, to=args.to_format, manifest=manifest)
    for line in said:
        print(line)


__all__ = ["add_simulate", "run_simulate", "summary_table"]
