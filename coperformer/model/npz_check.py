"""Weights kept as .npz (the listening band's chord model): checked before numpy reads them.
The file must be a regular file of at most MAX_NPZ_BYTES, and the arrays it declares (each
.npy header read alone, no data) must hold at most MAX_NPZ_VALUES values in all, of plain
numeric types: a file claiming 10^10 values is refused before any memory is taken."""

from __future__ import annotations

import io
import math
import zipfile
from pathlib import Path

import numpy as np

from coperformer.common.errors import first_line
from coperformer.common.files import UnreadableFile, read_regular
from coperformer.model.errors import ModelError

MAX_NPZ_BYTES = 64 * 1024 * 1024
MAX_NPZ_VALUES = 16 * 1024 * 1024  # the chord model holds well under a million
HEADER_READERS = {(1, 0): np.lib.format.read_array_header_1_0,
                  (2, 0): np.lib.format.read_array_header_2_0}


def check_npz(path: str | Path) -> None:
    """ModelError naming why ``path`` is not a small .npz of numeric arrays (any thread)."""
    try:
        data = read_regular(path, MAX_NPZ_BYTES, "weights file")
    except UnreadableFile as exc:
        raise ModelError(str(exc)) from None
    total = 0
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            for info in archive.infolist():
                total += _declared_values(archive, info, path)
                if total > MAX_NPZ_VALUES:
                    raise ModelError(f"{path}: the arrays claim more than {MAX_NPZ_VALUES:,} "
                                     "values")
            if damaged := archive.testzip():  # every member read through once, its CRC
                raise ModelError(f"{path}: {damaged} is damaged (its checksum differs)")
    except ModelError:
        raise
    except (zipfile.BadZipFile, ValueError, EOFError, OSError, NotImplementedError) as exc:
        raise ModelError(f"{path}: not a weights file (.npz: {first_line(exc)})") from None


def _declared_values(archive: zipfile.ZipFile, info: zipfile.ZipInfo, path) -> int:
    """The values one member's header declares (no data read); ModelError for an object
    array or a member that is not an array."""
    with archive.open(info) as stream:
        version = np.lib.format.read_magic(stream)
        if version not in HEADER_READERS:
            raise ValueError(f"{info.filename}: .npy format {version}")
        shape, _, dtype = HEADER_READERS[version](stream)
    if dtype.hasobject:
        raise ModelError(f"{path}: {info.filename} holds Python objects, not numbers")
    values = math.prod(shape)
    if values * dtype.itemsize > info.file_size:
        raise ModelError(f"{path}: {info.filename} claims {values:,} values, more than it "
                         "holds")
    return values
