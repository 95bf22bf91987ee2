"""Real PostgreSQL and Milvus servers for cluster-mode tests and `bench/scale.py --cluster`, on loopback.

PostgreSQL comes from Debian's `postgresql` package (the setup path installs
it). `initdb` and the server refuse to run as root, so when the tests run as
root both run as the `postgres` user, in a folder that user owns, on a free
port with the socket in that folder. Milvus is `milvus-lite server` (the
`cluster` extra), which serves the real Milvus gRPC API, so several processes
can share one as they would share a Milvus cluster. Each server is started
once and stopped by the returned handle; `missing_reason` says why a server
cannot start here, so a test can skip with that reason.
"""

from __future__ import annotations

import os
import pwd
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

__all__ = ["Server", "missing_reason", "postgres_bin", "start_milvus", "start_postgres"]

_PG_VERSIONS = ("17", "16", "15")


def postgres_bin() -> Path | None:
    for version in _PG_VERSIONS:
        folder = Path(f"/usr/lib/postgresql/{version}/bin")
        if (folder / "initdb").is_file():
            return folder
    return None


def _milvus_command() -> Path:
    return Path(sys.executable).with_name("milvus-lite")


def missing_reason() -> str | None:
    """Why cluster-mode servers cannot run here, or None."""
    if postgres_bin() is None:
        return "PostgreSQL is not installed (apt-get install postgresql; `make setup` does it as root)"
    if os.geteuid() == 0:
        try:
            pwd.getpwnam("postgres")
        except KeyError:
            return "running as root without a `postgres` user to run the database server"
    try:
        import psycopg  # noqa: F401
        import pymilvus  # noqa: F401
    except ImportError:
        return "the `cluster` extra is not installed (pip install -e '.[cluster]')"
    if not _milvus_command().is_file():
        return "milvus-lite is not installed (the `cluster` extra)"
    return None


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@dataclass
class Server:
    url: str
    folder: Path
    process: subprocess.Popen[bytes] | None = None
    stop_command: list[str] = field(default_factory=list)

    def stop(self) -> None:
        if self.stop_command:
            subprocess.run(self.stop_command, check=False, capture_output=True, timeout=60)
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(timeout=30)
        shutil.rmtree(self.folder, ignore_errors=True)


def _as_postgres(command: list[str]) -> list[str]:
    return ["runuser", "-u", "postgres", "--", *command] if os.geteuid() == 0 else command


def start_postgres(parent: Path | None = None) -> Server:
    """initdb in a fresh folder and start the server on a free loopback port; the URL of database `newsbot`."""
    binaries = postgres_bin()
    if binaries is None:
        raise RuntimeError(missing_reason() or "no PostgreSQL")
    folder = Path(tempfile.mkdtemp(prefix="newsbot-pg-", dir=parent))
    if os.geteuid() == 0:
        os.chown(folder, pwd.getpwnam("postgres").pw_uid, -1)
    data = folder / "data"
    subprocess.run(_as_postgres([str(binaries / "initdb"), "-D", str(data), "-A", "trust", "-U", "postgres",
                                 "--no-sync", "-E", "UTF8", "--locale", "C"]),
                   check=True, capture_output=True, timeout=120)
    port = _free_port()
    options = (f"-p {port} -k {folder} -c listen_addresses=127.0.0.1 -c fsync=off -c synchronous_commit=off "
               "-c full_page_writes=off -c max_connections=100")
    subprocess.run(_as_postgres([str(binaries / "pg_ctl"), "-D", str(data), "-o", options, "-l",
                                 str(folder / "server.log"), "-w", "-t", "120", "start"]),
                   check=True, capture_output=True, timeout=180)
    stop = _as_postgres([str(binaries / "pg_ctl"), "-D", str(data), "-m", "immediate", "-w", "stop"])
    subprocess.run(_as_postgres([str(binaries / "createdb"), "-h", "127.0.0.1", "-p", str(port), "-U", "postgres",
                                 "newsbot"]), check=True, capture_output=True, timeout=60)
    return Server(f"postgresql://postgres@127.0.0.1:{port}/newsbot", folder, stop_command=stop)


def start_milvus(parent: Path | None = None) -> Server:
    """`milvus-lite server` on a free loopback port, answering the Milvus API; waits until it accepts calls."""
    folder = Path(tempfile.mkdtemp(prefix="newsbot-milvus-", dir=parent))
    port = _free_port()
    log = open(folder / "server.log", "wb")  # noqa: SIM115 - the server writes to it until stopped
    process = subprocess.Popen([str(_milvus_command()), "server", "--data-dir", str(folder / "data"),
                                "--host", "127.0.0.1", "--port", str(port)], stdout=log, stderr=subprocess.STDOUT)
    server = Server(f"http://127.0.0.1:{port}", folder, process)
    from pymilvus import MilvusClient

    for _ in range(240):
        if process.poll() is not None:
            raise RuntimeError(f"milvus-lite exited: {(folder / 'server.log').read_text(errors='replace')[-2000:]}")
        try:
            client = MilvusClient(uri=server.url, timeout=2.0, dedicated=True)  # closed: no connection left idle
            client.list_collections()
            client.close()
            return server
        except Exception:
            time.sleep(0.25)
    server.stop()
    raise RuntimeError("milvus-lite did not answer within a minute")
