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
import textwrap
from pathlib import Path

__all__ = ["run_bounded", "GIB", "ROOT"]

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
