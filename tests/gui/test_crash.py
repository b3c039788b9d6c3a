"""The last resort: an unexpected error is one line for the user and a full report in the
state folder's logs, in the command line, the window and helper threads."""

import threading

from coperformer.cli import main as cli_main
from coperformer.common.paths import logs_dir


def _boom(_args):
    raise RuntimeError("a bug nobody saw coming\nsecond line")


def test_a_command_that_breaks_says_one_line_and_logs_the_traceback(monkeypatch, capsys):
    add, _ = cli_main.COMMANDS["devices"]
    monkeypatch.setitem(cli_main.COMMANDS, "devices", (add, _boom))
    assert cli_main.main(["devices"]) == 1
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and "Traceback" not in err[0]
    assert err[0].startswith("coperformer: error: an unexpected RuntimeError: a bug nobody saw "
                             "coming second line (details in ")
    reports = list(logs_dir().glob("error-*.log"))
    assert len(reports) == 1 and str(reports[0]) in err[0]
    text = reports[0].read_text()
    assert "command: devices" in text and "Traceback" in text and "_boom" in text


def test_the_window_shows_a_slot_error_in_its_banner_and_goes_on(window, qtbot, monkeypatch):
    import sys

    from coperformer.gui.app import install_crash_hooks

    monkeypatch.setattr(sys, "excepthook", sys.excepthook)
    monkeypatch.setattr(threading, "excepthook", threading.excepthook)
    install_crash_hooks(window)
    try:
        raise ValueError("slot broke")
    except ValueError as exc:
        sys.excepthook(type(exc), exc, exc.__traceback__)
    assert "unexpected ValueError: slot broke (details in" in window.banner.text()
    worker = threading.Thread(target=lambda: 1 / 0, name="helper")
    worker.start()
    worker.join()
    reports = sorted(logs_dir().glob("error-*.log"))
    assert any("thread helper" in r.read_text() for r in reports)
    assert window.isVisible()
