"""Finding and reading input files so that no file, folder or link can stop a batch.

What a folder handed to `newsbot ingest` may hold, and what happens to it:
- regular files (also behind symbolic links) are collected, in name order;
- folders are walked with an explicit stack, never by recursion, so depth
  (1,100 levels) costs memory proportional to it and nothing else;
- a FIFO, socket or device is reported as "not a regular file": reading a
  FIFO waits for a writer forever and `/dev/zero` never ends;
- a symbolic link loop, a broken link or an unreadable folder is reported;
- hidden names (starting with ".") are skipped.

Reading opens the file without blocking, checks on the open descriptor that
it is a regular file (the path may have changed since it was listed) and
reads at most the byte cap plus one: the size that `stat` reports is not
trusted to bound the read.

File names are bytes on POSIX; `printable_name` turns them into text that
SQLite accepts and a terminal shows as it is.
"""

from __future__ import annotations

import errno
import os
import stat
from collections.abc import Iterable, Iterator
from pathlib import Path

from index.errors import InputError
from index.input.text_cleaning import printable_name

__all__ = ["collect_files", "read_regular_file", "shown_path"]

_READ_CHUNK = 1 << 20


def shown_path(path: Path | str) -> str:
    """A path as messages name it."""
    return printable_name(os.fspath(path))


def _kind(mode: int) -> str:
    if stat.S_ISFIFO(mode):
        return "a FIFO"
    if stat.S_ISSOCK(mode):
        return "a socket"
    if stat.S_ISCHR(mode):
        return "a character device"
    if stat.S_ISBLK(mode):
        return "a block device"
    return "not a regular file"


def _stat_error(path: Path, exc: OSError) -> InputError:
    shown = shown_path(path)
    if exc.errno == errno.ELOOP:
        return InputError(shown, "symbolic link loop")
    if exc.errno == errno.ENOENT:
        if os.path.islink(path):
            return InputError(shown, f"broken symbolic link (to {printable_name(os.readlink(path))})")
        return InputError(shown, "no such file or folder")
    return InputError(shown, f"cannot read ({exc.strerror or exc})")


def _not_regular(path: Path, mode: int) -> InputError:
    return InputError(shown_path(path), f"not a regular file ({_kind(mode)}); only regular files are read")


def collect_files(paths: Iterable[Path]) -> list[Path | InputError]:
    """The regular files named or found below the given paths; everything else as an error value.

    Files of unsupported types inside a folder are kept so that parsing
    reports them, rather than being skipped without a word.
    """
    found: list[Path | InputError] = []
    for path in paths:
        try:
            info = os.stat(path)
        except OSError as exc:
            found.append(_stat_error(path, exc))
            continue
        if stat.S_ISDIR(info.st_mode):
            found.extend(_walk(path, info))
        elif stat.S_ISREG(info.st_mode):
            found.append(path)
        else:
            found.append(_not_regular(path, info.st_mode))
    return found


def _sorted_entries(folder: Path) -> tuple[list[os.DirEntry[str]], InputError | None]:
    try:
        with os.scandir(folder) as listing:
            entries = [entry for entry in listing if not entry.name.startswith(".")]
    except OSError as exc:
        return [], InputError(shown_path(folder), f"cannot read folder ({exc.strerror or exc})")
    entries.sort(key=lambda entry: entry.name)
    return entries, None


def _walk(root: Path, root_info: os.stat_result) -> Iterator[Path | InputError]:
    """Depth first in name order, following links to folders, with the open folders kept on a stack.

    A folder already open further up the stack is a loop: it is reported once,
    where the link that closes it is found. A folder reached a second time
    through another link is skipped: its files were collected the first time.
    """
    entries, problem = _sorted_entries(root)
    if problem is not None:
        yield problem
        return
    root_key = (root_info.st_dev, root_info.st_ino)
    open_folders: dict[tuple[int, int], Path] = {root_key: root}
    seen_folders = {root_key}
    stack: list[tuple[tuple[int, int], Iterator[os.DirEntry[str]]]] = [(root_key, iter(entries))]
    while stack:
        key, pending = stack[-1]
        entry = next(pending, None)
        if entry is None:
            stack.pop()
            open_folders.pop(key, None)
            continue
        path = Path(entry.path)
        try:
            info = entry.stat()
        except OSError as exc:
            yield _stat_error(path, exc)
            continue
        if stat.S_ISREG(info.st_mode):
            yield path
        elif stat.S_ISDIR(info.st_mode):
            child_key = (info.st_dev, info.st_ino)
            if child_key in open_folders:
                target = shown_path(open_folders[child_key])
                yield InputError(shown_path(path), f"symbolic link loop (leads back to {target})")
                continue
            if child_key in seen_folders:
                continue
            children, problem = _sorted_entries(path)
            if problem is not None:
                yield problem
                continue
            seen_folders.add(child_key)
            open_folders[child_key] = path
            stack.append((child_key, iter(children)))
        else:
            yield _not_regular(path, info.st_mode)


def read_regular_file(path: Path, max_bytes: int, shown: str) -> bytes:
    """The bytes of a regular file of at most `max_bytes`; anything else is an InputError naming `shown`."""
    try:
        info = os.stat(path)
        if not stat.S_ISREG(info.st_mode):
            raise InputError(shown, _not_regular(path, info.st_mode).reason)
        descriptor = os.open(path, os.O_RDONLY | os.O_NONBLOCK | getattr(os, "O_CLOEXEC", 0))
    except OSError as exc:
        raise InputError(shown, _stat_error(path, exc).reason) from None
    try:
        info = os.fstat(descriptor)
        if not stat.S_ISREG(info.st_mode):
            raise InputError(shown, _not_regular(path, info.st_mode).reason)
        too_large = f"over the limit of {max_bytes} bytes (ingest.max_file_bytes)"
        if info.st_size > max_bytes:
            raise InputError(shown, f"file is {info.st_size} bytes, {too_large}")
        chunks: list[bytes] = []
        total = 0
        while True:
            chunk = os.read(descriptor, min(_READ_CHUNK, max_bytes + 1 - total))
            if not chunk:
                return b"".join(chunks)
            total += len(chunk)
            if total > max_bytes:
                raise InputError(shown, f"file grew while being read, {too_large}")
            chunks.append(chunk)
    except OSError as exc:
        raise InputError(shown, f"cannot read file ({exc.strerror or exc})") from None
    finally:
        os.close(descriptor)
