"""The foundation every layer builds on: errors, exact money, rounding and periods."""
