"""A real, throwaway PostgreSQL server for the tests: initdb a temporary folder, start it on a free loopback port,
make a database, and stop and delete it all afterwards. Used by the `postgres_url` fixture in tests/conftest.py.

PostgreSQL refuses to run as root, so when the tests run as root the folder belongs to the `postgres` system user
and every server binary runs through `runuser -u postgres --`.
"""

from __future__ import annotations

import contextlib
import glob
import os
import pwd
import re
import shutil
import socket
import subprocess
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

INSTALL = "apt-get install postgresql"
DATABASE = "explorer_test"
USER = "postgres"  # the superuser initdb makes (-U), whoever runs it


class PostgresUnavailable(RuntimeError):
    """No PostgreSQL server could be started here; the message says what to install or set."""


def server_binaries() -> Path:
    """The folder with initdb, pg_ctl and pg_isready: the newest /usr/lib/postgresql/*/bin, else the PATH."""
    def version(folder: str) -> tuple[int, ...]:
        return tuple(int(n) for n in re.findall(r"\d+", Path(folder).parent.name)) or (0,)

    for folder in sorted(glob.glob("/usr/lib/postgresql/*/bin"), key=version, reverse=True):
        if all(os.access(Path(folder) / name, os.X_OK) for name in ("initdb", "pg_ctl", "pg_isready")):
            return Path(folder)
    found = shutil.which("initdb")
    if found and shutil.which("pg_ctl") and shutil.which("pg_isready"):
        return Path(found).parent
    raise PostgresUnavailable(
        f"the PostgreSQL server binaries (initdb, pg_ctl, pg_isready) were not found under /usr/lib/postgresql/*/bin "
        f"or on the PATH: {INSTALL} (or set EXPLORER_TEST_POSTGRES_URL to a server the tests may use)")


def free_port() -> int:
    """A TCP port on 127.0.0.1 that is free now (the tests' servers listen on loopback only)."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _as_server_user() -> list[str]:
    """The command prefix that runs a server binary as a user PostgreSQL accepts."""
    if os.geteuid() != 0:
        return []
    try:
        pwd.getpwnam("postgres")
    except KeyError:
        raise PostgresUnavailable(f"running as root, but there is no 'postgres' system user to run the server as: "
                                  f"{INSTALL} (it creates one)") from None
    if not shutil.which("runuser"):
        raise PostgresUnavailable("running as root, but runuser (util-linux) is missing")
    return ["runuser", "-u", "postgres", "--"]


def _run(cmd: list[str], what: str, timeout: float = 60) -> None:
    done = subprocess.run(cmd, capture_output=True, text=True, timeout=timeout, check=False)
    if done.returncode != 0:
        raise PostgresUnavailable(f"{what} failed ({done.returncode}): {(done.stderr or done.stdout).strip()[-2000:]}")


def _wait_ready(bin_dir: Path, prefix: list[str], port: int, timeout: float = 30.0) -> None:
    deadline = time.monotonic() + timeout
    while True:
        done = subprocess.run([*prefix, str(bin_dir / "pg_isready"), "-h", "127.0.0.1", "-p", str(port), "-t", "2"],
                              capture_output=True, text=True, check=False)
        if done.returncode == 0:
            return
        if time.monotonic() > deadline:
            raise PostgresUnavailable(f"the server on port {port} did not accept connections in {timeout:g} s")
        time.sleep(0.1)


@contextlib.contextmanager
def running_server() -> Iterator[str]:
    """Start a PostgreSQL server with a fresh database; yield its `postgresql+psycopg://` URL; stop it."""
    import psycopg  # the driver the app uses; only needed here

    bin_dir = server_binaries()
    prefix = _as_server_user()
    root = Path(tempfile.mkdtemp(prefix="explorer-pg-"))
    data, sockets, log = root / "data", root / "sockets", root / "server.log"
    sockets.mkdir()
    if prefix:
        for path in (root, sockets):
            shutil.chown(path, "postgres", "postgres")
    started = False
    try:
        _run([*prefix, str(bin_dir / "initdb"), "-D", str(data), "-U", USER, "--auth=trust", "-E", "UTF8",
              "--no-locale", "--no-sync"], "initdb")
        for _ in range(3):  # a free port can be taken before the server binds it: try another
            port = free_port()
            options = (f"-p {port} -c listen_addresses=127.0.0.1 -k {sockets} -c fsync=off "
                       "-c synchronous_commit=off -c full_page_writes=off -c max_connections=50")
            done = subprocess.run([*prefix, str(bin_dir / "pg_ctl"), "-D", str(data), "-l", str(log), "-o", options,
                                   "-w", "-t", "30", "start"], capture_output=True, text=True, timeout=60, check=False)
            if done.returncode == 0:
                started = True
                break
        if not started:
            tail = log.read_text(errors="replace")[-2000:] if log.exists() else done.stderr
            raise PostgresUnavailable(f"pg_ctl start failed: {tail}")
        _wait_ready(bin_dir, prefix, port)
        with psycopg.connect(host="127.0.0.1", port=port, user=USER, dbname="postgres", autocommit=True,
                             connect_timeout=5) as conn:
            conn.execute(f"CREATE DATABASE {DATABASE}")
        yield f"postgresql+psycopg://{USER}@127.0.0.1:{port}/{DATABASE}"
    finally:
        if started:
            subprocess.run([*prefix, str(bin_dir / "pg_ctl"), "-D", str(data), "-m", "fast", "-w", "-t", "30", "stop"],
                           capture_output=True, timeout=60, check=False)
        shutil.rmtree(root, ignore_errors=True)


@contextlib.contextmanager
def postgres_url() -> Iterator[str]:
    """EXPLORER_TEST_POSTGRES_URL if set, else the URL of a server started for the tests (and stopped after)."""
    given = os.environ.get("EXPLORER_TEST_POSTGRES_URL", "").strip()
    if given:
        yield given
        return
    with running_server() as url:
        yield url
