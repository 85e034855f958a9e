"""The subcommands about uncertain assumptions: ``simulate`` (Monte Carlo over their ranges:
intervals of a portfolio's lines and total), ``sensitivity`` (what drives a total) and
``calibrate`` (assumption values fitted to public figures, written as a parameter file)."""

from __future__ import annotations

import argparse
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from secpa_model.analysis.calibration import calibrate
from secpa_model.analysis.outputs import TOTAL, Output
from secpa_model.analysis.sensitivity import Sensitivity, sensitivity
from secpa_model.analysis.simulation import ROWS_PER_CHUNK, Simulation, simulate
from secpa_model.analysis.targets import Target, load_targets, needed_columns, public_targets
from secpa_model.core.errors import InputError
from secpa_model.core.money import cents_to_euros, format_euros
from secpa_model.core.rounding import CENT_HALF_UP
from secpa_model.core.safe_text import shown
from secpa_model.io.formats import suffix_list
from secpa_model.io.manifest import Manifest, manifest_path
from secpa_model.io.output import atomic_path
from secpa_model.model.model import Model
from secpa_model.presentation.cli.common import (
    STDOUT,
    PortfolioRun,
    Subcommands,
    add_options,
    add_output_option,
    add_period_arguments,
    assumption_line,
    check_output,
    envelope_euros,
    input_files,
    number,
    period_from,
    refuse_overwriting,
    scheduler_client,
    write_results,
)
from secpa_model.presentation.cli.progress import progress_log
from secpa_model.presentation.cli.tables import text_table
from secpa_model.presentation.report import all_synthetic

_PARAMETER_SUFFIX = ".toml"


def _add_free_arguments(parser: argparse.ArgumentParser, required: bool) -> None:
    default = "" if required else " (default: every parameter with a plausible range)"
    parser.add_argument(
        "--free",
        metavar="PATH",
        action="append",
        required=required,
        help=f"an assumption parameter to vary or fit (repeat the option for several){default};"
        " a scale's free value is a factor on its brackets' values",
    )
    parser.add_argument(
        "--bounds",
        metavar="PATH=LOW..HIGH",
        action="append",
        default=[],
        help="the range of a free parameter, in its unit (a factor for a scale), uniform, "
        "instead of its plausible range in the parameters, e.g. "
        "participatory_activities.cost_per_etp=38000..55000",
    )


def bounds_from(words: list[str]) -> dict[str, tuple[Decimal, Decimal]]:
    """``--bounds PATH=LOW..HIGH`` options as a mapping (an InputError naming a bad one)."""
    found: dict[str, tuple[Decimal, Decimal]] = {}
    for word in words:
        path, sign, span = word.partition("=")
        low, dots, high = span.partition("..")
        try:
            if not (sign and dots and path):
                raise InvalidOperation
            found[path.strip()] = (Decimal(low.strip()), Decimal(high.strip()))
        except InvalidOperation:
            raise InputError(
                f"--bounds {shown(word, 60)}: expected PATH=LOW..HIGH, e.g. "
                "participatory_activities.cost_per_etp=38000..55000"
            ) from None
        if path.strip() in list(found)[:-1]:
            raise InputError(f"--bounds: {path.strip()} given twice")
    return found


# --------------------------------------------------------------------- sensitivity


def add_sensitivity(commands: Subcommands, model: Model) -> None:
    """``sensitivity``: one-at-a-time swings and Sobol indices of a portfolio's total."""
    sub = commands.add_parser(
        "sensitivity",
        help="which assumptions drive a portfolio's total (tornado, Sobol indices)",
        description=(
            "Vary the --free assumption parameters of the model (default: those with a "
            "plausible range) over their ranges (or --bounds) and "
            "measure a portfolio's total (or one --line) over the period: one at a time "
            "(each at the low and high end of its range, the others at their values) and "
            "by Sobol variance-based indices (SALib; first-order and total, with confidence "
            "intervals). Prints both tables; -o writes them as one tidy file (amounts in "
            "integer cents); progress of the model runs on stderr."
        ),
    )
    add_options(sub, "input", "--from", "--encoding")
    add_period_arguments(sub)
    sub.add_argument(
        "--line",
        default=TOTAL,
        metavar="LINE",
        help=f"the line measured (a line key of the model; default: {TOTAL})",
    )
    _add_free_arguments(sub, required=False)
    sub.add_argument(
        "--method",
        choices=("oat", "sobol", "both"),
        default="both",
        help="oat: one at a time (tornado); sobol: variance-based indices; both (default)",
    )
    sub.add_argument(
        "--samples",
        type=int,
        default=256,
        metavar="N",
        help="Saltelli base sample, a power of 2 (N × (free parameters + 2) runs; default 256)",
    )
    sub.add_argument("--seed", type=int, default=0, help="the random seed (default 0)")
    add_output_option(sub, f"a table file ({suffix_list()}; -: standard output, with --to)")
    add_options(sub, "--to")
    sub.add_argument("--tornado", metavar="PNG", help="draw the tornado chart into PNG")
    sub.add_argument("--sobol", metavar="PNG", help="draw the Sobol indices chart into PNG")
    add_options(sub, "--allow-duplicates", "--model", "--parameters", "--scheduler")
    sub.set_defaults(handler=run_sensitivity)


def run_sensitivity(args: argparse.Namespace) -> int:
    """Compute the sensitivity, print it, write the table and the charts."""
    outputs = []
    if args.output:
        outputs.append((f"-o {args.output}", check_output(args.output, args.to_format)))
    for flag in ("tornado", "sobol"):
        name = getattr(args, flag)
        if name:
            outputs.append((f"--{flag} {name}", _png(name, flag)))
    refuse_overwriting(outputs, input_files(args))
    period = period_from(args)
    run = PortfolioRun.read(args)
    bounds = bounds_from(args.bounds)
    log = progress_log(args, "model runs")
    with scheduler_client(args.scheduler) as client:
        result = sensitivity(
            run.structures,
            Output(period, args.line),
            args.free,
            parameters=run.params,
            bounds=bounds,
            method=args.method,
            samples=args.samples,
            seed=args.seed,
            progress=log,
            client=client,
        )
    log.finish()
    run.heading(
        f"secpa-model sensitivity: {args.input}; {result.output.label}",
        f"parameters: {run.params.name!r}; seed {args.seed}",
    )
    print(f"base: {format_euros(cents_to_euros(result.base_cents))}")
    if result.tornado is not None:
        print("\nOne at a time (each free parameter at the ends of its range):")
        print(_tornado_text(result))
    if result.sobol is not None:
        print(f"\nSobol indices ({result.samples} samples, {result.sobol_evaluations} model runs):")
        print(_sobol_text(result))
    if args.output:
        sobol = result.sobol is not None  # the one random part: its seed and samples
        random = {"seed": args.seed, "draws": result.samples} if sobol else {"seed": None}
        manifest = run.manifest(period).model_copy(update=random)
        write_results(
            [(_tidy(result), Path(args.output), False)], to=args.to_format, manifest=manifest
        )
        print(f"\ntable written to {args.output}")
    _charts(result, args, run.model, all_synthetic(run.structures.frame))
    return 0


def _png(name: str, flag: str) -> Path:
    path = Path(name)
    if path.suffix.lower() != ".png":
        raise InputError(f"--{flag} {shown(name, 60)}: give a file name ending in .png")
    return path


def _charts(result: Sensitivity, args: argparse.Namespace, model: Model, synthetic: bool) -> None:
    """Draw the charts of ``--tornado`` and ``--sobol``, each written whole or not at all."""
    if not (args.tornado or args.sobol):
        return
    from secpa_model.presentation.uncertainty_plots import plot_sobol, plot_tornado

    charts: tuple[tuple[str, Any], ...] = (("tornado", plot_tornado), ("sobol", plot_sobol))
    for flag, draw in charts:
        name = getattr(args, flag)
        if not name:
            continue
        path = Path(name)
        try:
            with atomic_path(path) as temporary:
                draw(result, path=temporary, model=model, synthetic=synthetic)
        except ValueError as exc:
            raise InputError(f"{path}: {exc}") from exc
        except OSError as exc:
            raise InputError(f"{path}: cannot write the file: {exc}") from exc
        print(f"{flag} chart written to {name}")


def _tornado_text(result: Sensitivity) -> str:
    table = result.tornado
    assert table is not None
    rows = [
        [
            str(row["path"]),
            f"{row['low']:g} .. {row['high']:g} {row['unit']}",
            format_euros(cents_to_euros(int(row["output_low_cents"]))),
            format_euros(cents_to_euros(int(row["output_high_cents"]))),
            format_euros(cents_to_euros(int(row["swing_cents"]))),
        ]
        for row in table.to_dict("records")
    ]
    return text_table(["parameter", "range", "at low", "at high", "swing"], rows)


def _sobol_text(result: Sensitivity) -> str:
    table = result.sobol
    assert table is not None
    rows = [
        [
            str(row["path"]),
            str(row["unit"]),
            f"{row['S1']:.3f} ± {row['S1_conf']:.3f}",
            f"{row['ST']:.3f} ± {row['ST_conf']:.3f}",
        ]
        for row in table.to_dict("records")
    ]
    return text_table(["parameter", "unit", "first order S1", "total ST"], rows)


def _tidy(result: Sensitivity) -> pd.DataFrame:
    """One row per free parameter: its range, the tornado's outputs and the indices."""
    frames = [
        t.set_index(["path", "unit"]) for t in (result.tornado, result.sobol) if t is not None
    ]
    table = frames[0].join(frames[1]) if len(frames) == 2 else frames[0]
    table = table.reset_index()
    table.insert(0, "output", result.output.label)
    table.insert(1, "base_cents", result.base_cents)
    return table


# ----------------------------------------------------------------------- calibrate


def add_calibrate(commands: Subcommands, model: Model) -> None:
    """``calibrate``: fit assumption values to targets, write a parameter file."""
    sub = commands.add_parser(
        "calibrate",
        help="fit assumption parameters to public figures; write a parameter file",
        description=(
            "Fit the --free assumption parameters (within their plausible ranges, or "
            "--bounds) so that the "
            "portfolio IN meets the targets (default: the public figures shipped with "
            "secpa-model that the file can answer; --targets FILE for your own; --target "
            "NAME to choose), by bounded least squares. Prints the fitted values, whether "
            "the targets identify each one, and the residual of each target; writes the "
            "parameter set, fitted values labelled 'calibrated', to OUT (.toml)."
        ),
    )
    add_options(sub, "input", "--from", "--encoding")
    add_output_option(sub, "the parameter file written (.toml)", required=True)
    _add_free_arguments(sub, required=True)
    sub.add_argument("--targets", metavar="FILE", help="a targets file (TOML; docs/uncertainty.md)")
    sub.add_argument(
        "--target",
        metavar="NAME",
        action="append",
        help="use only this target (repeat the option for several)",
    )
    add_options(sub, "--allow-duplicates", "--model", "--parameters")
    sub.set_defaults(handler=run_calibrate)


def run_calibrate(args: argparse.Namespace) -> int:
    """Calibrate, print the fit, write the parameter file."""
    output = Path(args.output)
    if args.output == "-" or output.suffix.lower() != _PARAMETER_SUFFIX:
        raise InputError(f"-o {shown(args.output, 60)}: give a parameter file name ending in .toml")
    inputs = input_files(args)
    if args.targets:
        inputs.append((f"the targets file {args.targets} (--targets)", Path(args.targets)))
    refuse_overwriting([(f"-o {output}", output)], inputs)
    run = PortfolioRun.read(args)
    targets, left_out = _chosen_targets(args, run.structures.frame)
    result = calibrate(
        run.structures, targets, args.free, parameters=run.params, bounds=bounds_from(args.bounds)
    )
    manifest = run.manifest(None).to_json()
    write_results([(result.to_toml(), output, None), (manifest, manifest_path(output), None)])
    run.heading(
        f"secpa-model calibrate: {args.input} -> {output}", f"parameters: {run.params.name!r}"
    )
    for name, why in left_out:
        print(f"target left out: {name} ({why})")
    print("\nFitted values (status 'calibrated' in the file):")
    print(
        text_table(
            ["parameter", "base", "fitted", "bounds", "identified"],
            [
                [
                    str(row["path"]),
                    f"{row['base']} {row['unit']}",
                    f"{row['fitted']} {row['unit']}",
                    f"{row['low']:g} .. {row['high']:g}",
                    str(row["note"]) + (" (at a bound)" if row["at_bound"] else ""),
                ]
                for row in result.fitted.to_dict("records")
            ],
        )
    )
    print("\nTargets:")
    print(
        text_table(
            ["target", "kind", "target", "model", "relative", "met"],
            [
                [
                    str(row["target"]),
                    str(row["kind"]),
                    f"{row['target_value']} {row['unit']}",
                    f"{row['model_value']} {row['unit']}",
                    f"{row['relative']:+.2%}",
                    "yes" if row["met"] else "NO",
                ]
                for row in result.residuals.to_dict("records")
            ],
        )
    )
    if not result.success:
        print(f"\nnot a full fit: {result.message}")
    return 0


def _chosen_targets(
    args: argparse.Namespace, frame: pd.DataFrame
) -> tuple[list[Target], list[tuple[str, str]]]:
    """The targets to fit, and the shipped ones left out with why (printed, never silent)."""
    every = list(load_targets(args.targets) if args.targets else public_targets())
    if args.target:
        known = {t.name: t for t in every}
        unknown = [name for name in args.target if name not in known]
        if unknown:
            raise InputError(
                f"--target: unknown targets {', '.join(unknown)} (known: {', '.join(known)})"
            )
        return [known[name] for name in dict.fromkeys(args.target)], []
    if args.targets:
        return every, []
    chosen, left_out = [], []
    for target in every:
        lacking = sorted(needed_columns([target]) - set(frame.columns))
        if lacking:
            left_out.append((target.name, f"needs the column {', '.join(lacking)}"))
        else:
            chosen.append(target)
    return chosen, left_out


# ----------------------------------------------------------------------------- simulate


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
    run = PortfolioRun.read(args)
    params = run.params
    chunk = args.chunk_size or max(1, ROWS_PER_CHUNK // max(run.structures.size, 1))
    long_run = args.draws > chunk  # more than one chunk: show progress
    log = progress_log(args, "draws")
    with scheduler_client(args.scheduler) as client:
        result = simulate(
            run.structures,
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
    run.heading(
        f"secpa-model simulate: {args.input}, period {period}",
        f"parameters: {params.name!r}; {number(args.draws)} draws, seed {args.seed}; "
        f"{number(len(result.structure_ids))} structures",
    )
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
    _write_outputs(args, result, run.manifest(period))
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
