"""One module per CLI subcommand, imported only when that subcommand runs."""
