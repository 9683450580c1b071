"""Parse an untrusted workbook in a child process, so that a parser crash cannot take the server down.

python-calamine is Rust: a crafted file can make it ask for hundreds of gigabytes, and the Rust
allocator then aborts the whole process (SIGABRT, not an exception). So the parse runs in a
child with an address-space limit, a CPU limit and a wall-clock timeout; the parent only ever
sees a result, an IngestError's code and params, or the fact that the child died.

Each child is a fresh `python` (not a fork of the many-threaded server) that parses exactly one
file and exits, so nothing an earlier file did can linger. Starting one costs an interpreter start
and the imports (about 0.1-0.15 s here), so one child is kept warm (for the configured limits only), already imported and waiting
on its stdin: a parse pays only the transfer of the bytes and of the grids. A warm child that
died while waiting is simply replaced. multiprocessing's forkserver was tried first and dropped:
it re-runs the parent's __main__ module in every child.
"""

from __future__ import annotations

import datetime as dt
import io
import pickle
import resource
import signal
import struct
import subprocess
import sys
import threading
from collections.abc import Callable
from pathlib import Path
from typing import Any

from kpis.core.settings import MB, PARSER_MEMORY, PARSER_TIMEOUT

MEMORY_ENV = str(PARSER_MEMORY.env)  # address-space limit of a parsing child (kpis.core.settings)
TIMEOUT_ENV = str(PARSER_TIMEOUT.env)  # wall-clock limit of a parsing child
ROOT = Path(__file__).resolve().parents[2]  # so that the child imports this same kpis package

_warm_lock = threading.Lock()
_warm: dict[tuple[int, float], subprocess.Popen] = {}  # at most one: the configured (memory, timeout) -> a child waiting


class ParserFailed(Exception):
    """The child died, was killed by its limits, or did not answer in time; reason says which."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


def memory_limit_bytes() -> int:
    return int(PARSER_MEMORY.current() * MB)


def timeout_seconds() -> float:
    return PARSER_TIMEOUT.current()


def _start(target: str, memory: int, timeout: float) -> subprocess.Popen:
    code = f"import sys; sys.path.insert(0, {str(ROOT)!r}); from kpis.intake.sandbox import worker_main; worker_main()"
    return subprocess.Popen(
        [sys.executable, "-c", code, target, str(memory), str(timeout)],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=None,  # a Rust panic's message goes to the server's log
        close_fds=True,
    )


def _take(target: str, memory: int, timeout: float) -> subprocess.Popen:
    """A child for these limits: the warm one if they are the configured ones (a new warm one is started), else a fresh one.

    Only the configured limits (the environment's, or the defaults) keep a warm child, so that a
    caller passing its own limits does not leave an idle interpreter behind for each pair it used.
    """
    key = (memory, timeout)
    if target != _DEFAULT_TARGET or key != (memory_limit_bytes(), timeout_seconds()):
        return _start(target, memory, timeout)
    with _warm_lock:
        proc = _warm.pop(key, None)
        stale = list(_warm.values())  # warm for limits that are no longer the configured ones
        _warm.clear()
        if proc is not None and proc.poll() is not None:  # it died while waiting: reaped below, replaced now
            stale.append(proc)
            proc = None
        if proc is None:
            proc = _start(target, memory, timeout)
        _warm[key] = _start(target, memory, timeout)
    for old in stale:
        _end(old)
    return proc


def _end(proc: subprocess.Popen) -> None:
    """Kill a child and reap it, closing its pipes (nothing is left open or a zombie)."""
    proc.kill()
    proc.communicate()


_DEFAULT_TARGET = "kpis.intake.sheets:parse_workbook"


def run(
    data: bytes, target: str = _DEFAULT_TARGET, memory: int | None = None, timeout: float | None = None
) -> tuple[str, Any, Any]:
    """Run target(data) ("module:function") in a limited child; returns its message or raises ParserFailed.

    The message is ("ok", result, None), ("ingest_error", code, params) or ("error", exception type, text).
    """
    memory = memory_limit_bytes() if memory is None else memory
    timeout = timeout_seconds() if timeout is None else timeout
    try:
        proc = _take(target, memory, timeout)
    except OSError as e:
        raise ParserFailed("start") from e
    try:
        out, _ = proc.communicate(struct.pack("<Q", len(data)) + data, timeout=timeout)
    except subprocess.TimeoutExpired as e:
        _end(proc)
        raise ParserFailed("timeout") from e
    except (BrokenPipeError, OSError):  # it died before reading the file
        out = b""
    proc.wait()
    if proc.returncode != 0 or not out:
        raise ParserFailed(_death_reason(proc.returncode))
    try:
        message = _SafeUnpickler(io.BytesIO(out)).load()
    except Exception as e:
        raise ParserFailed("bad answer") from e
    if message[0] == "failed":
        raise ParserFailed(message[1])
    return message


def _death_reason(code: int) -> str:
    """'abort', 'killed', 'cpu', 'exit N': what the refusal and the logs say about a dead child."""
    if code < 0:
        sig = signal.Signals(-code)
        return {signal.SIGABRT: "abort", signal.SIGKILL: "killed", signal.SIGSEGV: "crash", signal.SIGXCPU: "cpu"}.get(
            sig, sig.name
        )
    return f"exit {code}"


class _SafeUnpickler(pickle.Unpickler):
    """The child's answer holds only builtins and dates: nothing else may be built from it."""

    ALLOWED = {("datetime", name) for name in ("datetime", "date", "time", "timedelta", "timezone")}

    def find_class(self, module: str, name: str) -> Any:
        if (module, name) in self.ALLOWED:
            return getattr(dt, name)
        raise pickle.UnpicklingError(f"{module}.{name} is not allowed")


def _load(target: str) -> Callable[[bytes], Any]:
    import importlib

    module, _, name = target.partition(":")
    return getattr(importlib.import_module(module), name)


def worker_main() -> None:
    """Child side: import first (while waiting), then limits, then one file from stdin, one answer on stdout."""
    target, memory, timeout = sys.argv[1], int(sys.argv[2]), float(sys.argv[3])
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C on the server is the parent's to handle
    func = _load(target)
    from kpis.intake.limits import IngestError

    stdin, stdout = sys.stdin.buffer, sys.stdout.buffer
    header = stdin.read(8)
    if len(header) < 8:
        return  # the parent went away before sending a file
    resource.setrlimit(resource.RLIMIT_CORE, (0, 0))  # an abort must not leave a core file of the upload
    used = resource.getrusage(resource.RUSAGE_SELF)
    cpu = int(used.ru_utime + used.ru_stime + timeout) + 1
    resource.setrlimit(resource.RLIMIT_CPU, (cpu, cpu + 1))  # a busy loop is stopped even if the parent is slow
    resource.setrlimit(resource.RLIMIT_AS, (memory, memory))
    (size,) = struct.unpack("<Q", header)
    data = stdin.read(size)
    try:
        message: tuple[str, Any, Any] = ("ok", func(data), None)
    except IngestError as e:
        message = ("ingest_error", e.code, e.params)
    except MemoryError:
        message = ("failed", "memory", None)
    except BaseException as e:  # a Rust panic is a BaseException
        message = ("error", type(e).__name__, str(e)[:200])
    try:
        out = pickle.dumps(message, protocol=pickle.HIGHEST_PROTOCOL)
    except MemoryError:  # the answer itself did not fit: say so in one that does
        out = pickle.dumps(("failed", "memory", None))
    stdout.write(out)
    stdout.flush()
