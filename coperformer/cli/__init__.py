"""The command line: one module per subcommand; cli/main.py holds the parser and turns domain
errors into one line on stderr."""
