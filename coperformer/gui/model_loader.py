"""Loading a model off the GUI thread, so that the window opens at once and Play does not
wait; the model's voices (names and GM programs, from its metadata) come back as a signal."""

from __future__ import annotations

import threading

from PySide6.QtCore import QObject, Signal

from coperformer.common.errors import CoperformerError


class ModelLoader(QObject):
    """load() on the GUI thread; ``loaded`` arrives there once the model is ready."""

    loaded = Signal(str, object)  # the name asked for, [(track name, GM program), ...]

    def load(self, name: str) -> None:
        """Load (and cache) a model on a helper thread (GUI thread)."""
        threading.Thread(target=self._work, args=(name,), name="model-preload",
                         daemon=True).start()

    def _work(self, name: str) -> None:
        from coperformer.model.store import load_model, load_reward_model

        try:
            model = load_model(name or None)
            load_reward_model()
        except CoperformerError:
            return  # Play reports it in the window
        try:
            self.loaded.emit(name, list(zip(model.track_names, model.programs, strict=True)))
        except RuntimeError:
            pass  # the window closed meanwhile
