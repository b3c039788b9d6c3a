"""The window's quick start: the model's numpy pass (read from the TorchScript archive without
torch) plays until TorchScript takes over; both must give the same band."""

import pickle
import subprocess
import sys
import zipfile

import numpy as np
import pytest
import torch

from coperformer.model.archive import read_archive
from coperformer.model.backends import (
    AGREEMENT_TOLERANCE,
    NumpyBackend,
    TorchScriptBackend,
    largest_difference,
)
from coperformer.model.export import export_generator
from coperformer.model.network import Generator
from coperformer.model.runtime import BandModel, ModelError
from coperformer.model.store import resolve_model
from coperformer.music import features as F


@pytest.mark.parametrize("style", ["bach", "palestrina"])
def test_the_shipped_models_numpy_pass_equals_their_torchscript(style):
    path = resolve_model(style)
    difference = largest_difference(NumpyBackend(path), TorchScriptBackend(path, path.read_bytes()),
                                    (1, 4))
    assert difference <= AGREEMENT_TOLERANCE


def test_a_freshly_exported_generator_of_other_widths_is_read_too(tmp_path):
    torch.manual_seed(3)
    export_generator(Generator().eval(), tmp_path / "standard.pt", corpus="bach")
    generator = Generator(width=64, hidden=24).eval()  # scripted again: a mangled class name
    path = export_generator(generator, tmp_path / "narrow.pt", corpus="palestrina")
    archive = zipfile.ZipFile(path)
    pickle_name = next(n for n in archive.namelist() if n.endswith("/data.pkl"))
    assert "___torch_mangle_" in archive.read(pickle_name).decode("latin-1")
    numpy_pass = NumpyBackend(path)
    assert numpy_pass.metadata_json == TorchScriptBackend(path, path.read_bytes()).metadata_json
    rng = np.random.default_rng(0)
    inputs = [rng.random(shape, dtype=np.float32) for shape in
              [(2, F.CONTEXT_CHANNELS, 64), (2, F.MELODY_CHANNELS, 16), (2, F.METER_SIZE),
               (2, 1), (2, F.PROFILE_SIZE), (2, F.NOISE_SIZE)]]
    with torch.no_grad():
        eager = generator(*(torch.from_numpy(x) for x in inputs))
    for ours, theirs in zip(numpy_pass(*inputs), eager, strict=True):
        np.testing.assert_allclose(ours, theirs.numpy(), rtol=1e-4, atol=1e-4)


def test_quick_start_plays_without_importing_torch():
    script = (
        "import sys, numpy as np\n"
        "from coperformer.model.store import load_model\n"
        "from coperformer.music import features as F\n"
        "model = load_model('bach', quick_start=True)\n"
        "slots = F.empty_slots(5)\n"
        "bar = model.generate(slots.take(np.arange(4)), slots.take(np.array([4])), False,\n"
        "                     np.random.default_rng(0), np.zeros(12, np.float32))\n"
        "print(model.runtime, 'torch' in sys.modules, bar.pitches.shape)\n"
    )
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True,
                          timeout=120, check=True)
    assert done.stdout.split() == ["numpy", "False", "(3,", "16)"], done.stderr


def test_the_hand_over_keeps_the_band_and_switches_to_torchscript():
    path = resolve_model("bach")
    quick, reference = BandModel(path, quick_start=True), BandModel(path)
    assert (quick.runtime, reference.runtime) == ("numpy", "TorchScript")
    slots = F.empty_slots(5)
    slots.valid[:] = True
    slots.melody[:] = 67
    context, current = slots.take(np.arange(4)), slots.take(np.array([4]))
    profile = np.zeros(12, np.float32)
    profile[[0, 4, 7]] = 1 / 3

    def bars(model):
        rng = np.random.default_rng(5)
        return [model.generate(context, current, offline, rng, profile).key()
                for offline in (False, True) * 10]

    before = bars(quick)
    assert quick.adopt_torchscript() <= AGREEMENT_TOLERANCE
    assert quick.runtime == "TorchScript"
    after, expected = bars(quick), bars(reference)
    assert after == expected
    assert sum(a == b for a, b in zip(before, expected, strict=True)) >= 19


def test_a_module_of_another_layout_starts_on_torchscript(tmp_path):
    from tests.model.test_export_runtime import _foreign

    model = BandModel(_foreign(tmp_path, 2), quick_start=True)
    assert model.runtime == "TorchScript"
    assert model.adopt_torchscript() == 0.0


def test_the_archive_reader_runs_no_code_from_the_file(tmp_path):
    marker = tmp_path / "ran"

    class Payload:
        def __reduce__(self):
            return (open, (str(marker), "w"))

    path = tmp_path / "evil.pt"
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("evil/data.pkl", pickle.dumps({"generator": Payload()}, protocol=2))
    with pytest.raises(ModelError, match="refused global"):
        read_archive(path)
    with pytest.raises(ModelError):
        NumpyBackend(path)
    assert not marker.exists()
    (tmp_path / "junk.pt").write_bytes(b"PK\x03\x04 not really")
    with pytest.raises(ModelError, match="not a readable TorchScript archive"):
        read_archive(tmp_path / "junk.pt")


def test_a_tensor_larger_than_its_storage_is_refused():
    from coperformer.model.archive import _rebuild_tensor

    storage = np.zeros(4, np.float32)
    assert _rebuild_tensor(storage, 0, (2, 2), (2, 1)).shape == (2, 2)
    with pytest.raises(pickle.UnpicklingError, match="more values than its storage"):
        _rebuild_tensor(storage, 0, (1_000_000_000,), (0,))
    with pytest.raises(pickle.UnpicklingError, match="outside its storage"):
        _rebuild_tensor(storage, 2, (4,), (1,))
