"""What people see: explanations, the HTML report, charts and the command line."""
