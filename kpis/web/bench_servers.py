"""Overview renders at once on N real Streamlit processes sharing one store, for `python -m kpis bench`.

A render is what a visitor's first page view asks of a server: a websocket session on /_stcore/stream
(Streamlit's own protocol, its protobuf messages) and one run of the overview, timed from the request
until the server reports the run finished. The visitors are spread over the processes in turn, as a
proxy with sticky sessions spreads new visitors. A DuckDB file is held by one process, so on the file
store only one process is measured; on PostgreSQL, 1, 2 and 4. The floor, measured in the same run: as
many visitors at once on one process serving a page of one line, which is what Streamlit's sessions
cost with no page of ours.
"""

from __future__ import annotations

import contextlib
import os
import socket
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path

from streamlit.proto.BackMsg_pb2 import BackMsg
from streamlit.proto.ForwardMsg_pb2 import ForwardMsg
from websockets.sync.client import connect
from websockets.typing import Subprotocol

from kpis import store
from kpis.ops.bench_national import percentiles

RENDERS = 40
PROCESSES = (1, 2, 4)
START_SECONDS = 120  # for a process to answer its health check
RENDER_SECONDS = 300  # for one render to finish, however loaded the machine


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@contextlib.contextmanager
def served(db: str | Path, processes: int, script: Path | None = None) -> Iterator[list[int]]:
    """`processes` Streamlit servers of dashboard.py (or script) on db (their ports), stopped when the block ends."""
    env = {**os.environ, "KPIS_DB": str(db)}
    ports = [_free_port() for _ in range(processes)]
    command = [sys.executable, "-m", "streamlit", "run", str(script or "dashboard.py"), "--server.headless", "true",
               "--browser.gatherUsageStats", "false", "--server.port"]  # fmt: skip
    procs = [
        subprocess.Popen([*command, str(port)], cwd=store.ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        for port in ports
    ]
    try:
        for port, proc in zip(ports, procs, strict=True):
            _wait_healthy(port, proc)
        yield ports
    finally:
        for proc in procs:
            proc.terminate()
        for proc in procs:
            try:
                proc.wait(timeout=20)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()


def _wait_healthy(port: int, proc: subprocess.Popen) -> None:
    deadline = time.monotonic() + START_SECONDS
    while time.monotonic() < deadline and proc.poll() is None:
        with contextlib.suppress(OSError):
            if urllib.request.urlopen(f"http://127.0.0.1:{port}/_stcore/health", timeout=2).read() == b"ok":
                return
        time.sleep(0.3)
    raise RuntimeError(f"the Streamlit server on port {port} did not start")


def render(port: int) -> tuple[float, int]:
    """One visitor's first view of the overview: (seconds, exceptions shown on the page or -1 if the run failed)."""
    start = time.perf_counter()
    address = f"ws://127.0.0.1:{port}/_stcore/stream"
    with connect(address, subprotocols=[Subprotocol("streamlit")], max_size=None, open_timeout=60, ping_interval=None) as ws:
        request = BackMsg()
        request.rerun_script.query_string = ""
        request.rerun_script.page_script_hash = ""  # the default page: the overview
        ws.send(request.SerializeToString())
        exceptions = 0
        while True:
            msg = ForwardMsg()
            msg.ParseFromString(ws.recv(timeout=RENDER_SECONDS))
            kind = msg.WhichOneof("type")
            if kind == "delta" and msg.delta.WhichOneof("type") == "new_element":
                exceptions += msg.delta.new_element.WhichOneof("type") == "exception"
            elif kind == "script_finished":
                ok = msg.script_finished == ForwardMsg.FINISHED_SUCCESSFULLY
                return time.perf_counter() - start, exceptions if ok else -1


def at_once(ports: list[int], renders: int = RENDERS) -> dict:
    """`renders` visitors at the same moment, the i-th on ports[i % len(ports)]."""
    seconds: list[float] = []
    errors: list[str] = []
    lock = threading.Lock()
    gate = threading.Barrier(renders)

    def visitor(port: int) -> None:
        try:
            gate.wait()
            took, exceptions = render(port)
            with lock:
                seconds.append(took)
                if exceptions:
                    errors.append("the run failed" if exceptions < 0 else f"{exceptions} exception(s) on the page")
        except Exception as e:  # counted, not raised: the figure is the point
            with lock:
                errors.append(repr(e))

    threads = [threading.Thread(target=visitor, args=(ports[i % len(ports)],)) for i in range(renders)]
    start = time.perf_counter()
    for th in threads:
        th.start()
    for th in threads:
        th.join()
    figures = percentiles(seconds) if seconds else {"p50_ms": None, "p95_ms": None}
    return {
        "renders": renders,
        "errors": len(errors),
        "error_samples": errors[:3],
        "p50_seconds": None if figures["p50_ms"] is None else round(figures["p50_ms"] / 1000, 3),
        "p95_seconds": None if figures["p95_ms"] is None else round(figures["p95_ms"] / 1000, 3),
        "wall_seconds": round(time.perf_counter() - start, 2),
    }


def _measured(db: str | Path, count: int, renders: int, script: Path | None = None) -> dict:
    with served(db, count, script) as ports:
        first = [render(port) for port in ports]  # each process compiles the pages and opens the store once
        return {
            "first_render_seconds": round(max(took for took, _ in first), 3),
            "first_render_errors": sum(1 for _, exceptions in first if exceptions),
            **at_once(ports, renders),
        }


def processes(db: str | Path, counts: tuple[int, ...] = PROCESSES, renders: int = RENDERS) -> dict:
    """For each process count the store allows: the first render of each process, then `renders` at once;
    and the bare floor on one process, with the ratio of the overview's p95 on one process to it."""
    allowed = counts if store.is_server(str(db)) else counts[:1]
    out: dict = {str(count): _measured(db, count, renders) for count in allowed}
    with tempfile.TemporaryDirectory() as tmp:
        bare = Path(tmp) / "one_line.py"
        bare.write_text('import streamlit as st\n\nst.write("ok")\n', encoding="utf-8")
        out["bare_one_line_page_1"] = floor = _measured(db, 1, renders, bare)
    if out["1"]["p95_seconds"] and floor["p95_seconds"]:
        out["ratio_p95_1_to_bare"] = round(out["1"]["p95_seconds"] / floor["p95_seconds"], 2)
    return out
