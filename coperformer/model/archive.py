"""Reading a saved TorchScript model without torch: its tensors and attributes come out of the
zip archive's pickle through an unpickler that builds only plain data and numpy arrays (no
code from the file runs). Any thread."""

from __future__ import annotations

import io
import math
import pickle
import re
import zipfile
from collections import OrderedDict
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from coperformer.common.errors import first_line
from coperformer.model.errors import ModelError

STORAGE_DTYPES = {
    "FloatStorage": np.float32, "DoubleStorage": np.float64, "HalfStorage": np.float16,
    "LongStorage": np.int64, "IntStorage": np.int32, "ShortStorage": np.int16,
    "CharStorage": np.int8, "ByteStorage": np.uint8, "BoolStorage": np.bool_,
}
LIST_BUILDERS = ("build_intlist", "build_doublelist", "build_boollist", "build_tensorlist")
MAX_ARCHIVE_BYTES = 512 * 1024 * 1024  # a band model is a few MB
MANGLE_SEGMENT = re.compile(r"___torch_mangle_\d+\.")  # torch's mark on a class scripted again


class ScriptObject:
    """A TorchScript module or object from the archive: its class name and attributes."""

    class_name = ""  # set on each archive class (pickle builds objects without __init__)

    def __init__(self, attributes: dict | None = None):
        self.attributes = dict(attributes or {})

    def __setstate__(self, state: dict) -> None:
        """Pickle's BUILD step: the module's attributes (the unpickling thread)."""
        self.attributes = dict(state) if isinstance(state, dict) else {"state": state}

    def child(self, name: str) -> ScriptObject | None:
        """The attribute ``name`` when it is an object of the archive (any thread)."""
        value = vars(self).get("attributes", {}).get(name)
        return value if isinstance(value, ScriptObject) else None


@dataclass
class ArchiveContents:
    """What a TorchScript archive holds: the root object and every tensor by dotted name."""

    root: ScriptObject
    tensors: dict[str, np.ndarray]


def read_archive(path: str | Path, data: bytes | None = None) -> ArchiveContents:
    """The root object and tensors of the TorchScript archive at ``path`` (or in ``data``, the
    file's bytes already read); ModelError when it is not one this reader understands."""
    path = Path(path)
    try:
        with zipfile.ZipFile(path if data is None else io.BytesIO(data)) as archive:
            total = sum(info.file_size for info in archive.infolist())
            if total > MAX_ARCHIVE_BYTES:
                raise ModelError(f"{path}: {total / 2**20:.0f} MB unpacked is too large")
            root = _unpickle(archive, _data_pickle_name(archive))
    except (zipfile.BadZipFile, OSError, KeyError, EOFError, pickle.UnpicklingError,
            ValueError, TypeError, IndexError) as exc:
        raise ModelError(f"{path}: not a readable TorchScript archive ({first_line(exc)})"
                         ) from exc
    if not isinstance(root, ScriptObject):
        raise ModelError(f"{path}: the archive's root is not a TorchScript module")
    return ArchiveContents(root, dict(_tensors(root, "")))


def _data_pickle_name(archive: zipfile.ZipFile) -> str:
    """The archive's top-level data.pkl (inside its one folder)."""
    names = [name for name in archive.namelist()
             if name.count("/") == 1 and name.endswith("/data.pkl")]
    if len(names) != 1:
        raise KeyError("no single data.pkl")
    return names[0]


def _unpickle(archive: zipfile.ZipFile, name: str) -> object:
    """Unpickle data.pkl with storages read from the archive's data/ folder."""
    folder = name.rsplit("/", 1)[0]
    with archive.open(name) as stream:
        return _RestrictedUnpickler(stream, archive, folder).load()


class _RestrictedUnpickler(pickle.Unpickler):
    """Builds ScriptObjects, numpy arrays, lists and dicts; refuses every other global."""

    def __init__(self, stream, archive: zipfile.ZipFile, folder: str):
        super().__init__(stream)
        self.archive, self.folder = archive, folder

    def find_class(self, module: str, name: str):
        """The constructor for a global the pickle names (the unpickling thread)."""
        if module.startswith("__torch__."):
            return _script_class(f"{module}.{name}")
        if module == "torch" and name in STORAGE_DTYPES:
            return STORAGE_DTYPES[name]
        if (module, name) == ("torch._utils", "_rebuild_tensor_v2"):
            return _rebuild_tensor
        if (module, name) == ("collections", "OrderedDict"):
            return OrderedDict
        if module == "torch.jit._pickle" and name in LIST_BUILDERS:
            return list
        raise pickle.UnpicklingError(f"refused global {module}.{name}")

    def persistent_load(self, pid):
        """A tensor storage: ('storage', dtype, key, location, numel) -> a flat array."""
        kind, dtype, key, _location, numel = pid
        if kind != "storage" or not isinstance(dtype, type):
            raise pickle.UnpicklingError(f"unknown persistent id {kind!r}")
        raw = self.archive.read(f"{self.folder}/data/{key}")
        flat = np.frombuffer(raw, dtype=np.dtype(dtype).newbyteorder("<"))
        if flat.size < numel:
            raise pickle.UnpicklingError(f"storage {key} holds {flat.size} of {numel} values")
        return flat[:numel]


def unmangled(class_name: str) -> str:
    """``class_name`` without torch's ``___torch_mangle_N.`` segments: a class scripted a
    second time in one process (another width, say) is saved under a mangled name."""
    return MANGLE_SEGMENT.sub("", class_name)


def _script_class(class_name: str) -> type[ScriptObject]:
    """The archive class named ``class_name`` (unmangled): a ScriptObject that knows its name."""
    class_name = unmangled(class_name)
    return type(class_name.rsplit(".", 1)[-1], (ScriptObject,), {"class_name": class_name})


def _rebuild_tensor(storage: np.ndarray, offset: int, size, stride, *_rest) -> np.ndarray:
    """A tensor as a writable numpy array of ``size`` over ``storage`` from ``offset``."""
    size, stride = tuple(int(s) for s in size), tuple(int(s) for s in stride)
    last = offset + sum((n - 1) * s for n, s in zip(size, stride, strict=True) if n > 0)
    if offset < 0 or any(s < 0 for s in stride) or (all(size) and last >= storage.size):
        raise pickle.UnpicklingError("a tensor reaches outside its storage")
    if math.prod(size) > storage.size:  # only repeated (zero) strides could make it larger
        raise pickle.UnpicklingError("a tensor holds more values than its storage")
    view = np.lib.stride_tricks.as_strided(
        storage[offset:], shape=size, strides=[s * storage.itemsize for s in stride])
    return np.array(view)


def _tensors(obj: ScriptObject, prefix: str):
    """(dotted name, array) for every tensor under ``obj``, modules first to last."""
    for key, value in vars(obj).get("attributes", {}).items():
        name = f"{prefix}{key}"
        if isinstance(value, np.ndarray):
            yield name, value
        elif isinstance(value, ScriptObject):
            yield from _tensors(value, f"{name}.")
