"""The window's model loader: the band starts on the numpy pass, and TorchScript takes over
only while no jam runs (importing torch must not stall a live bar)."""

import threading

from coperformer.gui.model_loader import ModelLoader
from coperformer.model.runtime import BandModel
from coperformer.model.store import resolve_model


def test_torchscript_takes_over_only_once_no_jam_runs(qtbot, monkeypatch):
    model = BandModel(resolve_model("bach"), quick_start=True)
    monkeypatch.setattr("coperformer.model.store.load_model", lambda *_a, **_k: model)
    monkeypatch.setattr("coperformer.model.store.load_reward_model", lambda: None)
    quiet = threading.Event()  # a jam runs
    loader = ModelLoader(quiet=quiet)
    runtimes: list[str] = []
    loader.runtime.connect(lambda _name, runtime: runtimes.append(runtime))
    with qtbot.waitSignal(loader.loaded, timeout=30000):
        loader.load("bach")
    qtbot.wait(1500)
    assert (runtimes, model.runtime) == ([], "numpy")
    quiet.set()  # the jam stopped
    qtbot.waitUntil(lambda: runtimes == ["TorchScript"], timeout=60000)
    assert model.runtime == "TorchScript"


def test_two_hand_overs_at_once_load_torchscript_once():
    model = BandModel(resolve_model("bach"), quick_start=True)
    results: list[float] = []
    threads = [threading.Thread(target=lambda: results.append(model.adopt_torchscript()))
               for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(120)
    assert len(results) == 2 and 0.0 in results  # the second found TorchScript running
    assert model.runtime == "TorchScript"
