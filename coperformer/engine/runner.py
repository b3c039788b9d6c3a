"""The worker thread that drives a session from absolute deadlines."""

from __future__ import annotations

import threading
import traceback
from collections.abc import Callable

from coperformer.engine.session import Session


class SessionRunner:
    """Runs ``session.poll`` at every deadline on one thread until stopped or finished."""

    def __init__(self, session: Session, on_error: Callable[[BaseException], None] | None = None):
        self.session = session
        self.on_error = on_error
        self.error: BaseException | None = None
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="coperformer-worker", daemon=True)
        self.lock = threading.Lock()

    def start(self) -> None:
        """Start the transport and the worker."""
        with self.lock:
            self.session.start()
        self._thread.start()

    def _run(self) -> None:
        clock = self.session.clock
        try:
            while not self._stop.is_set() and not self.session.finished:
                with self.lock:
                    self.session.poll(clock.now_ns())
                    deadline = self.session.next_deadline()
                clock.wait_until(deadline)
        except BaseException as exc:  # noqa: BLE001 - reported, never swallowed silently
            self.error = exc
            traceback.print_exc()
            if self.on_error:
                self.on_error(exc)
        finally:
            with self.lock:
                self.session.stop()

    def stop(self, timeout: float = 5.0) -> None:
        """Stop the worker (which ends every sounding note) and wait for it."""
        self._stop.set()
        self.session.clock.wake()
        if self._thread.is_alive():
            self._thread.join(timeout)
        elif not self.session.finished:
            self.session.stop()

    def wait(self, timeout: float | None = None) -> bool:
        """Wait until the session finishes; True if it did."""
        self._thread.join(timeout)
        return not self._thread.is_alive()

    @property
    def running(self) -> bool:
        """True while the worker runs."""
        return self._thread.is_alive()
