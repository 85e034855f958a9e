"""Compare two scenarios with the reference parameters on the SYNTHETIC portfolio.

Question: what does the programme cost in 2024 if an ETP costs 50 000 € instead of the
assumed 45 000 €, or if the poverty brackets start paying from 20 % instead of 15 %?
Run: ``PYTHONPATH=src python examples/compare_scenarios.py [output_dir]``; saves
``compare_scenarios.png``.
"""

from __future__ import annotations

from _output import output_dir

from secpa_model import Scenario, compare, reference_parameters
from secpa_model.core.money import format_euros
from secpa_model.datasets import SYNTHETIC_NOTE, illustrative_portfolio
from secpa_model.presentation.plots import plot_comparison

PERIOD = 2024

DEARER_ETP = Scenario(
    "ETP at 50 k€",
    {"participatory_activities.cost_per_etp": 50000},
    description="Cost of an ETP of a mediator or coordinator at 50 000 €/year.",
)
TIGHTER_POVERTY = Scenario(
    "poverty brackets +5 pts",
    {
        "practitioner_participation.amount_per_patient": {
            "mode": "step",
            "brackets": [
                {"threshold": 0, "value": 0},
                {"threshold": 0.20, "value": 25},
                {"threshold": 0.30, "value": 40},
                {"threshold": 0.40, "value": 55},
            ],
        }
    },
    description="Every poverty-rate bracket starts 5 points higher.",
)


def main() -> None:
    """Compare, print, plot."""
    portfolio = illustrative_portfolio()
    result = compare(portfolio, PERIOD, reference_parameters(), DEARER_ETP, TIGHTER_POVERTY)
    print(f"Portfolio totals over {PERIOD} ({SYNTHETIC_NOTE})")
    summary = result.summary[
        ["scenario", "total_eur", "difference_eur", "difference_pct", "structures_changed"]
    ]
    print(
        summary.to_string(
            index=False,
            formatters={
                "total_eur": format_euros,
                "difference_eur": format_euros,
                "difference_pct": "{:+.2f} %".format,
            },
        )
    )
    print("\nScenario records (reproducible):")
    for scenario in (DEARER_ETP, TIGHTER_POVERTY):
        print(" ", scenario.to_json())
    path = output_dir() / "compare_scenarios.png"
    plot_comparison(
        result,
        synthetic=True,
        path=path,
        title=f"Synthetic portfolio, {PERIOD}: reference and two scenarios",
    )
    print(f"Chart saved to {path}")


if __name__ == "__main__":
    main()
