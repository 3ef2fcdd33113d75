"""A real ``schoolflow serve`` process on a loopback port, for tests that talk HTTP to it.

The server reads the machine's clock (it is another process); tests that need time use the engine with
a fake clock instead.
"""

from __future__ import annotations

import os
import select
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
READY_SECONDS = 30  # interpreter start, imports and the first database connection


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@contextmanager
def serving(db_url: str, *, threads: int = 4) -> Iterator[str]:
    """Run ``schoolflow serve`` on ``db_url`` until the block ends; yields its base URL."""
    port = 0  # the server takes a free port and says which
    env = {**os.environ, "SECRET_KEY": "live-server-test", "PYTHONPATH": str(ROOT)}
    proc = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "cli",
            "--db",
            db_url,
            "serve",
            "--port",
            str(port),
            "--threads",
            str(threads),
        ],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        yield wait_for_serving(proc)
    finally:
        stop(proc)


def stop(proc: subprocess.Popen) -> None:  # type: ignore[type-arg]
    """End a server started here, and close the pipe it wrote to."""
    proc.terminate()
    try:
        proc.wait(timeout=15)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait()
    for pipe in (proc.stdout, proc.stderr):
        if pipe:
            pipe.close()


def wait_for_serving(proc: subprocess.Popen[str]) -> str:
    """Block until ``schoolflow serve`` says it listens (it prints that line once bound); its base URL."""
    assert proc.stdout is not None
    end = time.monotonic() + READY_SECONDS
    while (left := end - time.monotonic()) > 0:
        ready, _, _ = select.select([proc.stdout], [], [], left)
        if not ready:
            break
        line = proc.stdout.readline()
        if not line:  # the process ended before saying it serves
            raise RuntimeError(f"schoolflow serve stopped: {proc.stderr.read() if proc.stderr else ''}")
        if line.startswith("serving the web UI on "):
            return line.split()[5].rstrip("/")
    raise RuntimeError(f"schoolflow serve did not start within {READY_SECONDS} s")


