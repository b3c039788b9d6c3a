"""Writing files so that a failure never leaves a half-written one behind, and checking
before any work that a path can be read or written."""

from __future__ import annotations

import os
import stat
import tempfile
from collections.abc import Callable
from pathlib import Path

from coperformer.common.errors import CoperformerError


def atomic_write(path: str | os.PathLike, write: Callable[[str], None]) -> None:
    """Call ``write(tmp_path)`` and move the result into place; leave nothing on failure."""
    target = Path(path)
    if target.is_dir():
        raise OSError(f"{target}: is a directory")
    directory = target.parent if str(target.parent) else Path(".")
    if not directory.is_dir():
        raise OSError(f"{directory}: no such directory")
    handle, tmp = tempfile.mkstemp(prefix=".coperformer-", suffix=target.suffix, dir=directory)
    os.close(handle)
    try:
        write(tmp)
        umask = os.umask(0)
        os.umask(umask)
        os.chmod(tmp, 0o666 & ~umask)
        os.replace(tmp, target)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def _kind(mode: int) -> str:
    if stat.S_ISDIR(mode):
        return "is a folder"
    if stat.S_ISFIFO(mode):
        return "is a FIFO (named pipe)"
    if stat.S_ISCHR(mode) or stat.S_ISBLK(mode):
        return "is a device"
    if stat.S_ISSOCK(mode):
        return "is a socket"
    return "is not a regular file"


def input_problem(path: str | os.PathLike) -> str | None:
    """Why a path cannot be read as a regular file ('no such file', 'is a FIFO ...'), or None.

    Only stat() is called, so a FIFO or a device is refused without being opened (no hang).
    """
    try:
        mode = os.stat(path).st_mode
    except FileNotFoundError:
        return "no such file"
    except OSError as exc:
        return exc.strerror or type(exc).__name__
    if not stat.S_ISREG(mode):
        return _kind(mode)
    if not os.access(path, os.R_OK):
        return "permission denied"
    return None


def output_problem(path: str | os.PathLike) -> str | None:
    """Why a file cannot be written at a path (its folder is missing or read-only, or the path
    is a folder, a device, a FIFO ...), or None; an existing regular file may be replaced."""
    target = Path(path)
    folder = target.parent if str(target.parent) else Path(".")
    try:
        mode = os.stat(target).st_mode
    except FileNotFoundError:
        mode = None
    except OSError as exc:
        return exc.strerror or type(exc).__name__
    if mode is not None and not stat.S_ISREG(mode):
        return _kind(mode)
    if not folder.is_dir():
        return f"no such folder: {folder}"
    if not os.access(folder, os.W_OK | os.X_OK):
        return f"the folder {folder} is not writable"
    return None


class UnreadableFile(CoperformerError):
    """A file refused before it is read: not a regular file, or larger than its limit."""


def read_regular(path: str | os.PathLike, limit: int, what: str = "file") -> bytes:
    """The bytes of a regular file of at most ``limit`` bytes, read once; UnreadableFile
    otherwise. A FIFO or a device is never waited on (opened non-blocking, checked by fstat
    before any read), and no more than ``limit`` + 1 bytes are ever read. Any thread."""
    try:
        handle = os.open(path, os.O_RDONLY | os.O_NONBLOCK | getattr(os, "O_CLOEXEC", 0))
    except FileNotFoundError:
        raise UnreadableFile(f"{path}: no such {what}") from None
    except OSError as exc:
        raise UnreadableFile(f"{path}: {what} {_kind_or(exc)}") from None
    try:
        mode = os.fstat(handle).st_mode
        if not stat.S_ISREG(mode):
            raise UnreadableFile(f"{path}: the {what} {_kind(mode)}")
        if os.fstat(handle).st_size > limit:
            raise UnreadableFile(f"{path}: the {what} is larger than {_size(limit)}")
        chunks, size = [], 0
        while chunk := os.read(handle, min(1 << 20, limit + 1 - size)):
            chunks.append(chunk)
            size += len(chunk)
            if size > limit:
                raise UnreadableFile(f"{path}: the {what} is larger than {_size(limit)}")
        return b"".join(chunks)
    except OSError as exc:
        raise UnreadableFile(f"{path}: the {what} cannot be read ({_kind_or(exc)})") from None
    finally:
        os.close(handle)


def _kind_or(exc: OSError) -> str:
    return exc.strerror or type(exc).__name__


def _size(limit: int) -> str:
    return f"{limit // 2**20} MB" if limit >= 2**20 else f"{limit // 1024} KB"
