"""The chord model's .npz is checked before numpy reads it: a file claiming 10^10 values, a
FIFO, a folder or junk is one named error, at once and without memory growing."""

import io
import os
import resource
import time
import zipfile

import numpy as np
import pytest

from coperformer.common.paths import data_dir
from coperformer.model.errors import ModelError
from coperformer.model.npz_check import check_npz
from coperformer.model.store import load_reward_model


def _claiming(path, shape, descr="<f4"):
    header = io.BytesIO()
    np.lib.format.write_array_header_1_0(header, {"descr": descr, "fortran_order": False,
                                                  "shape": shape})
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("w1.npy", header.getvalue() + b"\0" * 64)
    return path


def test_the_shipped_weights_pass():
    for path in data_dir("models").glob("*.npz"):
        check_npz(path)


@pytest.mark.parametrize("make,reason", [
    (lambda p: _claiming(p, (10**10,)), "claims 10,000,000,000 values, more than it holds"),
    (lambda p: _claiming(p, (3,), "|O"), "holds Python objects"),
    (lambda p: os.mkfifo(p), "is a FIFO"),
    (lambda p: p.mkdir(), "is a folder"),
    (lambda p: p.write_bytes(b"PK\x03\x04 junk"), "not a weights file"),
])
def test_a_bad_weights_file_is_refused_by_name_at_once(make, reason, tmp_path):
    path = tmp_path / "chords.npz"
    make(path)
    before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    started = time.monotonic()
    with pytest.raises(ModelError, match=reason):
        load_reward_model(path)
    assert time.monotonic() - started < 1.0
    assert resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - before < 100 * 1024  # KB
