"""Loading a model off the GUI thread, so that the window opens at once and Play does not
wait; the model's voices (names and GM programs, from its metadata) come back as a signal.

The model starts on its numpy pass (no torch import: Play is ready sooner), then the same
helper thread imports torch and hands the model over to its TorchScript module, once no jam
runs: importing torch holds the interpreter for long stretches, which a live bar must not wait
for."""

from __future__ import annotations

import logging
import threading

from PySide6.QtCore import QObject, Signal

from coperformer.common.errors import CoperformerError

log = logging.getLogger(__name__)


class ModelLoader(QObject):
    """load() on the GUI thread; ``loaded`` arrives there once the model is ready, and
    ``runtime`` once TorchScript runs it."""

    loaded = Signal(str, object)  # the name asked for, [(track name, GM program), ...]
    runtime = Signal(str, str)  # the name asked for, the backend now generating its bars

    def __init__(self, parent: QObject | None = None,
                 quiet: threading.Event | None = None):
        super().__init__(parent)
        self.quiet = quiet  # set while no jam runs; the hand-over waits for it

    def load(self, name: str) -> None:
        """Load (and cache) a model on a helper thread (GUI thread)."""
        threading.Thread(target=self._work, args=(name,), name="model-preload",
                         daemon=True).start()

    def _work(self, name: str) -> None:
        from coperformer.model.store import load_model, load_reward_model

        try:
            model = load_model(name or None, quick_start=True)
            load_reward_model()
        except CoperformerError:
            return  # Play reports it in the window
        if not self._emit(self.loaded, name, list(zip(model.track_names, model.programs,
                                                         strict=True))):
            return
        if self.quiet is not None:
            self.quiet.wait()
        try:
            model.adopt_torchscript()
        except Exception as exc:  # noqa: BLE001 - the numpy pass plays on; say why
            log.warning("TorchScript did not take over: %s", exc)
        self._emit(self.runtime, name, model.runtime)

    @staticmethod
    def _emit(signal, *args) -> bool:
        """Emit unless the window closed meanwhile (then False)."""
        try:
            signal.emit(*args)
        except RuntimeError:
            return False
        return True
