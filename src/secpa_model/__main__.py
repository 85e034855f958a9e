"""``python -m secpa_model``: the command line."""

import sys

from secpa_model.presentation.cli import main

sys.exit(main())
