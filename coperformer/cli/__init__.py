"""The command line: one module per subcommand; cli/main.py holds the parser and turns domain
errors into one line on stderr. ``run`` is the entry point: the stop signals are caught before
anything else is imported."""


def run() -> None:
    """The console script and `python -m coperformer`: Ctrl-C works from the first moment; a
    crash in C code (a segfault) prints every thread's Python stack to stderr."""
    import faulthandler
    import sys

    try:
        faulthandler.enable(all_threads=True)
    except (AttributeError, RuntimeError, ValueError, OSError):
        pass  # no usable stderr (started without one): nowhere to print a crash

    from coperformer.common.stopping import INTERRUPTED, catch_stop_signals, leave

    catch_stop_signals()
    try:
        from coperformer.cli.main import main

        code = main()
    except KeyboardInterrupt:  # before main() could catch it (while importing)
        print("coperformer: interrupted", file=sys.stderr)
        code = INTERRUPTED
    sys.exit(leave(code))
