"""Quickstart: the four dotations of the SYNTHETIC illustrative portfolio over 2024.

Run: ``PYTHONPATH=src python examples/quickstart.py [output_dir]``. Prints a table and saves
``quickstart_allocations.png``. The amounts rest on the reference parameters, several of
which are labelled assumptions (not published values).
"""

from __future__ import annotations

from _output import output_dir

from secpa_model import add_euro_columns, allocate_frame, experimentation, reference_parameters
from secpa_model.core.money import cents_to_euros, format_euros
from secpa_model.datasets import SYNTHETIC_NOTE, illustrative_portfolio
from secpa_model.presentation.plots import assumption_note, plot_allocations

PERIOD = 2024


def main() -> None:
    """Allocate, print, plot."""
    params = reference_parameters()
    portfolio = illustrative_portfolio()
    result = add_euro_columns(allocate_frame(portfolio, PERIOD, params))
    print(f"Allocations over {PERIOD}, parameters {params.name!r}")
    print(SYNTHETIC_NOTE)
    table = result[
        ["structure_id", *(f"{key}_eur" for key in experimentation().line_keys), "total_eur"]
    ]
    print(table.to_string(index=False, formatters={c: format_euros for c in table.columns[1:]}))
    total = int(result["total_cents"].sum())
    print(f"Portfolio total: {format_euros(cents_to_euros(total))}")
    print(assumption_note(params, synthetic=True))
    path = output_dir() / "quickstart_allocations.png"
    plot_allocations(
        result,
        parameters=params,
        synthetic=True,
        path=path,
        title=f"Illustrative (synthetic) portfolio: allocations over {PERIOD}",
    )
    print(f"Chart saved to {path}")


if __name__ == "__main__":
    main()
