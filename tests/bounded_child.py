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
import signal
import subprocess
import sys
import tempfile
import textwrap
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


_LAUNCHER = """
import os, subprocess, sys
child = subprocess.Popen(sys.argv[2:])
_, status, usage = os.wait4(child.pid, 0)
child.returncode = os.waitstatus_to_exitcode(status)
with open(sys.argv[1], "w") as report:
    report.write(str(usage.ru_maxrss))
sys.exit(child.returncode if child.returncode >= 0 else 128 - child.returncode)
"""


def run_measured(command: list[str], *, env: dict[str, str], hang_guard_s: float = 900.0) -> Measured:
    """Run `command` to its end and measure its peak resident memory.

    For processes that cannot run under an address-space limit (torch reserves
    far more address space than it uses). Linux charges a child, at exec, with
    the resident memory of the process it was forked from, so the command is
    started by a small launcher interpreter rather than by the test process
    (which holds the model): what `wait4` reports is then the command's own
    peak, plus at most the launcher's few megabytes. Output goes to files, so a
    chatty child cannot fill a pipe while it is waited for; the wait is bounded
    by `hang_guard_s`, after which the whole process group is killed.
    """
    with tempfile.TemporaryDirectory() as folder:
        out_path, err_path, peak_path = (Path(folder) / name for name in ("out", "err", "peak"))
        with open(out_path, "wb") as out, open(err_path, "wb") as err:
            launcher = subprocess.Popen([sys.executable, "-c", _LAUNCHER, str(peak_path), *command], cwd=ROOT,
                                        env=env, stdout=out, stderr=err, stdin=subprocess.DEVNULL,
                                        start_new_session=True)
            try:
                returncode = launcher.wait(timeout=hang_guard_s)
            except subprocess.TimeoutExpired:
                os.killpg(launcher.pid, signal.SIGKILL)
                returncode = launcher.wait()
        peak_kb = int(peak_path.read_text()) if peak_path.exists() else 0
        return Measured(returncode, out_path.read_bytes(), err_path.read_bytes(), peak_kb * 1024)
