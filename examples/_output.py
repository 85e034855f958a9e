"""Where the examples save their charts: argv[1], else $SECPA_EXAMPLES_OUT, else ./out/."""

from __future__ import annotations

import os
import sys
from pathlib import Path

ENV_VAR = "SECPA_EXAMPLES_OUT"


def output_dir() -> Path:
    """The output directory (created if needed); ``out/`` at the repository root is
    git-ignored."""
    if len(sys.argv) > 1:
        folder = Path(sys.argv[1])
    elif os.environ.get(ENV_VAR):
        folder = Path(os.environ[ENV_VAR])
    else:
        folder = Path(__file__).resolve().parent.parent / "out"
    folder.mkdir(parents=True, exist_ok=True)
    return folder
