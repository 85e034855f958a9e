"""The ``serve`` subcommand: the HTTP interface (:mod:`secpa_model.presentation.serve`),
which needs the optional extra ``serve``."""

from __future__ import annotations

import argparse
from typing import Final

from secpa_model.model.model import Model
from secpa_model.presentation.cli.common import USAGE_ERROR, Subcommands

DEFAULT_MAX_ROWS: Final = 10_000
"""The most structures one request may hold (``--max-rows``)."""
DEFAULT_MAX_BYTES: Final = 5_000_000
"""The largest request body, in bytes (``--max-bytes``)."""
EXTRA_MISSING: Final = (
    "secpa-model serve needs the optional extra 'serve' (FastAPI and uvicorn): "
    "pip install 'secpa-model[serve]'"
)


def _positive(text: str) -> int:
    if not text.isdigit() or int(text) < 1:
        raise argparse.ArgumentTypeError(f"{text!r} is not a whole number of at least 1")
    return int(text)


def add_serve(commands: Subcommands, model: Model) -> None:
    """``serve``: answer HTTP requests (allocate, explain, compare, models, parameters)."""
    sub = commands.add_parser(
        "serve",
        help="serve the library over HTTP (the 'serve' extra)",
        description="Answer HTTP requests: POST /allocate, /explain, /compare; GET /models, "
        "/parameters, /schema/NAME, /openapi.json, /health (docs/cli.md).",
    )
    sub.add_argument("--host", default="127.0.0.1", help="the address (default 127.0.0.1)")
    sub.add_argument("--port", type=int, default=8000, help="the port (default 8000)")
    sub.add_argument(
        "--max-rows",
        type=_positive,
        default=DEFAULT_MAX_ROWS,
        help="the most structures per request, 413 beyond (default %(default)s)",
    )
    sub.add_argument(
        "--max-bytes",
        type=_positive,
        default=DEFAULT_MAX_BYTES,
        help="the largest request body in bytes, 413 beyond (default %(default)s)",
    )
    sub.set_defaults(handler=run_serve)


def run_serve(args: argparse.Namespace) -> int:
    """Serve until stopped (Ctrl-C); exit code 2 if the extra is missing or the address
    cannot be bound."""
    try:
        import uvicorn

        from secpa_model.presentation.serve import create_app
    except ImportError as exc:  # reported on one line, exit code 2
        raise ImportError(EXTRA_MISSING) from exc
    app = create_app(max_rows=args.max_rows, max_bytes=args.max_bytes)
    try:
        uvicorn.run(app, host=args.host, port=args.port)
    except SystemExit as exc:  # uvicorn has logged why it could not start
        return USAGE_ERROR if exc.code else 0
    return 0
