"""Run Python in a fresh interpreter under hard limits on CPU time and address space.

This is how the tests bound the work of a function without timing it: a
busy machine slows a child down, but cannot make it use more CPU seconds or
more memory, so "finishes under a limit of N CPU seconds and 1 GiB of address
space" holds on any machine where the code is linear and bounded, and fails
(killed by SIGXCPU, or MemoryError) where it is not. The wall-clock timeout is
only a guard against a hang, never an assertion about speed.

The limits are set by the child's first statements rather than in a
`preexec_fn`: forking a process that runs threads (the loopback servers, torch)
and then running Python before exec can deadlock.
"""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
import textwrap
import time
from dataclasses import dataclass
from pathlib import Path

__all__ = ["run_bounded", "run_measured", "Measured", "GIB", "ROOT"]

ROOT = Path(__file__).resolve().parent.parent
GIB = 1 << 30


def run_bounded(
    source: str,
    *,
    cpu_seconds: int = 60,
    address_space: int = GIB,
    stdin: bytes = b"",
    hang_guard_s: float = 900.0,
) -> subprocess.CompletedProcess[bytes]:
    """Run `source` (dedented) with the project on its path; returns the completed process, whatever its status."""
    prologue = (
        "import resource\n"
        f"resource.setrlimit(resource.RLIMIT_CPU, ({cpu_seconds}, {cpu_seconds}))\n"
        f"resource.setrlimit(resource.RLIMIT_AS, ({address_space}, {address_space}))\n"
    )
    env = {**os.environ, "OPENBLAS_NUM_THREADS": "1", "OMP_NUM_THREADS": "1", "PYTHONPATH": str(ROOT)}
    return subprocess.run(
        [sys.executable, "-c", prologue + textwrap.dedent(source)],
        input=stdin,
        capture_output=True,
        cwd=ROOT,
        env=env,
        timeout=hang_guard_s,
        check=False,
    )


@dataclass(frozen=True)
class Measured:
    returncode: int
    stdout: bytes
    stderr: bytes
    peak_rss_bytes: int
    """The child's own resident-set high-water mark, from `wait4` (not shared with other children)."""


def run_measured(command: list[str], *, env: dict[str, str], hang_guard_s: float = 900.0) -> Measured:
    """Run `command` to its end and measure its peak resident memory.

    For processes that cannot run under an address-space limit (torch reserves
    far more address space than it uses). Output goes to files, so a chatty
    child cannot fill a pipe while it is waited for; the loop that waits is
    bounded by `hang_guard_s` and kills the child when that passes.
    """
    with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err:
        process = subprocess.Popen(command, cwd=ROOT, env=env, stdout=out, stderr=err, stdin=subprocess.DEVNULL)
        give_up = time.monotonic() + hang_guard_s
        while True:
            pid, status, usage = os.wait4(process.pid, os.WNOHANG)
            if pid == process.pid:
                break
            if time.monotonic() > give_up:
                process.kill()
                pid, status, usage = os.wait4(process.pid, 0)
                break
            time.sleep(0.1)
        process.returncode = os.waitstatus_to_exitcode(status)
        out.seek(0)
        err.seek(0)
        return Measured(process.returncode, out.read(), err.read(), usage.ru_maxrss * 1024)
