"""A model file is code: only the shipped models (their sha256 is kept inside the package, see
shipped.py) and files the user trusted (the sha256 they approved, or of a model their own
`coperformer train` wrote, kept in the state folder, never beside the models) are loaded. The
bytes checked are the bytes loaded: a file is read once (model_bytes) and run from memory."""

from __future__ import annotations

import hashlib
import json
import re
from pathlib import Path

from coperformer.common.files import UnreadableFile, atomic_write, read_regular
from coperformer.common.paths import data_dir, state_dir
from coperformer.model.archive import MAX_ARCHIVE_BYTES
from coperformer.model.errors import ModelError
from coperformer.model.shipped import SHIPPED_SHA256

TRUST_FILE = "trusted-models.json"  # in the state folder: the sha256 of each trusted file
MAX_TRUST_FILE_BYTES = 1 << 20
SHA256_HEX = re.compile(r"[0-9a-f]{64}")


def model_bytes(path: str | Path) -> bytes:
    """The bytes of a model file, read once (a regular file of at most MAX_ARCHIVE_BYTES; a
    FIFO or device is refused unopened); ModelError otherwise. Any thread."""
    try:
        return read_regular(path, MAX_ARCHIVE_BYTES, "model file")
    except UnreadableFile as exc:
        raise ModelError(str(exc)) from None


def digest_of(data: bytes) -> str:
    """The hex sha256 of a model's bytes."""
    return hashlib.sha256(data).hexdigest()


def trusted_hashes() -> set[str]:
    """The sha256 of every model file the user has trusted; an unreadable record trusts
    nothing (any thread)."""
    try:
        record = json.loads(read_regular(state_dir() / TRUST_FILE, MAX_TRUST_FILE_BYTES,
                                         "trust record"))
    except (UnreadableFile, ValueError, RecursionError):
        return set()
    hashes = record.get("sha256", []) if isinstance(record, dict) else []
    return {h for h in hashes if isinstance(h, str) and SHA256_HEX.fullmatch(h)} \
        if isinstance(hashes, list) else set()


def trust_digest(digest: str) -> None:
    """Remember the sha256 of a model the user trusts (any thread)."""
    hashes = sorted(trusted_hashes() | {digest})
    target = state_dir() / TRUST_FILE
    target.parent.mkdir(parents=True, exist_ok=True)
    atomic_write(target, lambda tmp: Path(tmp).write_text(json.dumps({"sha256": hashes})))


def trust(path: str | Path) -> str:
    """Trust this exact file from now on (its sha256 is remembered); returns the sha256."""
    digest = digest_of(model_bytes(path))
    trust_digest(digest)
    return digest


def is_shipped(digest: str) -> bool:
    """True for the bytes of a model that ships with coperformer."""
    return digest in SHIPPED_SHA256.values()


def check_trusted(path: str | Path, data: bytes | None = None) -> str:
    """The sha256 of ``data`` (the file's bytes, read now when not given); ModelError unless
    they are a shipped model's or the user trusted them. Any thread."""
    digest = digest_of(model_bytes(path) if data is None else data)
    if is_shipped(digest) or digest in trusted_hashes():
        return digest
    path = Path(path)
    if path.name in SHIPPED_SHA256 and _in_shipped_folder(path):
        raise ModelError(f"{path} is not the model that shipped under this name (its sha256 "
                         f"{digest[:16]}... differs): reinstall coperformer, or load it with "
                         "--trust-model")
    raise ModelError(f"{path} is not a shipped model nor one you trusted, and a model file is "
                     f"code: check where it comes from, then load it with --trust-model "
                     f"(sha256 {digest[:16]}...)")


def _in_shipped_folder(path: Path) -> bool:
    return path.resolve().parent == data_dir("models").resolve()
