"""A real ``schoolflow serve`` process on a loopback port, for tests that talk HTTP to it.

The server reads the machine's clock (it is another process); tests that need time use the engine with
a fake clock instead.
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
import urllib.request
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
    port = free_port()
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
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        wait_until_up(proc, base)
        yield base
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
    if proc.stderr:
        proc.stderr.close()


def wait_until_up(proc: subprocess.Popen[str], base: str) -> None:
    # Polls the port (a server's start-up, not a timer of the engine): bounded, and the process's own
    # error is shown if it dies.
    end = time.monotonic() + READY_SECONDS
    while time.monotonic() < end:
        if proc.poll() is not None:
            raise RuntimeError(f"schoolflow serve stopped: {proc.stderr.read() if proc.stderr else ''}")
        try:
            urllib.request.urlopen(f"{base}/api/v1/openapi.json", timeout=1).close()
            return
        except OSError:
            time.sleep(0.1)
    raise RuntimeError(f"schoolflow serve did not answer within {READY_SECONDS} s")
