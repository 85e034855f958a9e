"""Sweep the cost of an ETP from 35 000 € to 60 000 € on the SYNTHETIC portfolio.

Run: ``PYTHONPATH=src python examples/sweep_parameter.py [output_dir]``; saves
``sweep_cost_per_etp.png``. Also prints a small two-parameter grid (cost of an ETP × cap of
the psychological support).
"""

from __future__ import annotations

from _output import output_dir

from secpa_model import sweep, sweep_grid
from secpa_model.core.money import cents_to_euros, format_euros
from secpa_model.datasets import SYNTHETIC_NOTE, illustrative_portfolio
from secpa_model.presentation.plots import plot_sweep

PERIOD = 2024
PATH = "participatory_activities.cost_per_etp"
VALUES = range(35000, 60001, 5000)


def main() -> None:
    """Sweep, print, plot."""
    portfolio = illustrative_portfolio()
    table = sweep(portfolio, PERIOD, PATH, VALUES)
    print(f"Sweep of {PATH} over {PERIOD} ({SYNTHETIC_NOTE})")
    shown = table[["value", "participatory_activities_cents", "total_eur", "difference_cents"]]
    print(
        shown.to_string(
            index=False,
            formatters={
                "participatory_activities_cents": lambda c: format_euros(cents_to_euros(c)),
                "total_eur": format_euros,
                "difference_cents": lambda c: format_euros(cents_to_euros(c)),
            },
        )
    )
    grid = sweep_grid(
        portfolio,
        PERIOD,
        (PATH, [40000, 50000]),
        ("psychological_support.annual_cap", [50000, 66000, 80000]),
    )
    pivot = grid.pivot(index=PATH, columns="psychological_support.annual_cap", values="total_eur")
    print("\nTotal (€) by cost of an ETP (rows) and psychological-support cap (columns):")
    print(pivot.to_string(formatters={c: format_euros for c in pivot.columns}))
    path = output_dir() / "sweep_cost_per_etp.png"
    plot_sweep(table, synthetic=True, path=path, title=f"Synthetic portfolio, {PERIOD}")
    print(f"Chart saved to {path}")


if __name__ == "__main__":
    main()
