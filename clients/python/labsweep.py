"""Trial-side client for labsweep: read the trial's parameters, report metrics, hear stops.

Standard library only, Python 3.8+. Copy this file next to a training script or put its folder on
PYTHONPATH. The interface it speaks is specified in docs/trial-interface.md.

    import labsweep

    p = labsweep.params()                    # {"lr": 0.01, "optimizer": {"name": "adam"}}
    for step in range(epochs):
        loss = train_one_epoch(p)
        labsweep.report(step, loss=loss)     # also: labsweep.report(step, {"val/loss": v})
        if labsweep.should_stop():           # a stop notice arrived (never blocks)
            save_checkpoint()
            break

Outside labsweep (LABSWEEP_SOCKET unset) the same script runs unchanged: params() reads
LABSWEEP_PARAMS_FILE if set and is empty otherwise, report() does nothing, should_stop() is False.

Errors: TypeError and ValueError for bad arguments (checked even outside labsweep), LabsweepError
for a parameters file that cannot be read or a socket that cannot be used. A report is never
dropped silently.

Thread safety: every function and every Client method may be called from any thread. A process
forked from one that uses a Client opens its own connection on its next call.
"""

import copy
import json
import math
import numbers
import os
import re
import socket
import threading
import weakref
from typing import Any, Dict, Mapping, Optional, Tuple

__all__ = ["Client", "LabsweepError", "params", "report", "should_stop", "stop_reason"]

# Limits shared with the agent (docs/trial-interface.md, "Limits").
MAX_LINE_BYTES = 65536
MAX_METRIC_NAME_BYTES = 255
MAX_STEP = 2**63 - 1

_METRIC_NAME = re.compile(r"[A-Za-z0-9_.\-/]+\Z")
_RESERVED_NAMES = ("step", "query")
_EXACT_INT_LIMIT = 2**53


class LabsweepError(Exception):
    """A parameters file that cannot be read, or a metrics socket that cannot be used."""


class _Connection:
    """One connection to the agent and what has been read from it (guarded by Client._lock)."""

    def __init__(self, sock: socket.socket) -> None:
        self.sock = sock
        self.inbuf = b""
        self.discarding = False  # inside an over-long line, dropping bytes up to its newline
        self.decisions: Dict[int, list] = {}  # step -> [(stop, reason), ...] not yet taken
        self.dead = False
        self.reading = False  # a thread is in recv() on this socket, without the lock


class Client:
    """A trial's link to labsweep: its parameters file and its metrics socket.

    socket_path None means outside labsweep (report() does nothing, should_stop() is False);
    params_file None means no parameters. The connection is opened on first use.
    """

    _instances: "weakref.WeakSet[Client]" = weakref.WeakSet()

    def __init__(self, socket_path: Optional[str] = None, params_file: Optional[str] = None):
        self._socket_path = socket_path or None
        self._params_file = params_file or None
        self._init_locks()
        self._conn: Optional[_Connection] = None
        self._pid = os.getpid()
        self._stop_reason: Optional[str] = None
        self._last_step: Optional[int] = None
        self._params: Optional[Dict[str, Any]] = None
        Client._instances.add(self)

    @classmethod
    def from_environment(cls, environ: Optional[Mapping[str, str]] = None) -> "Client":
        """A client for LABSWEEP_SOCKET and LABSWEEP_PARAMS_FILE (unset or empty: none)."""
        env = os.environ if environ is None else environ
        return cls(env.get("LABSWEEP_SOCKET"), env.get("LABSWEEP_PARAMS_FILE"))

    @property
    def socket_path(self) -> Optional[str]:
        return self._socket_path

    @property
    def last_step(self) -> Optional[int]:
        """The step of the last report() on this client, or None."""
        with self._lock:
            return self._last_step

    # ----- parameters -----

    def params(self) -> Dict[str, Any]:
        """The trial's parameters (a fresh copy each call); {} when there is no parameters file."""
        with self._lock:
            if self._params is None:
                self._params = _read_params(self._params_file)
            return copy.deepcopy(self._params)

    # ----- reports -----

    def report(self, step: int, metrics: Optional[Mapping[str, Any]] = None, /, **kwargs: Any):
        """Reports metrics at `step`: report(3, loss=0.41) or report(3, {"val/loss": 0.4}).

        Raises TypeError/ValueError for bad arguments, LabsweepError when the line cannot be sent.
        """
        line = _report_line(step, metrics, kwargs)
        if self._socket_path is None:
            return
        self._send(line)
        with self._lock:
            self._last_step = int(step)

    # ----- stopping -----

    def should_stop(self, wait: bool = False) -> bool:
        """Whether the trial should stop.

        wait=False: True once a stop notice (or a "stop" decision) has arrived; never blocks.
        wait=True: asks the agent for the early-stopping decision on the last reported step and
        blocks until it arrives; True for "stop". A stop notice arriving meanwhile counts too.
        """
        if self._socket_path is None:
            return False
        if not wait:
            conn = self._connection()
            with self._lock:
                if not conn.reading and not conn.dead:
                    self._read_ready(conn)
                return self._stop_reason is not None
        with self._lock:
            if self._stop_reason is not None:
                return True
            step = self._last_step
        if step is None:
            raise LabsweepError("labsweep: should_stop(wait=True) needs a report() first")
        conn = self._send(_encode({"query": "should_stop", "step": step}))
        return self._await_decision(conn, step)

    def stop_reason(self) -> Optional[str]:
        """The reason given with the stop notice or "stop" decision, or None before one."""
        with self._lock:
            return self._stop_reason

    def close(self) -> None:
        """Closes the connection; a later call opens a new one."""
        with self._send_lock, self._lock:
            if self._conn is not None:
                self._retire(self._conn)

    def __enter__(self) -> "Client":
        return self

    def __exit__(self, *exc: Any) -> None:
        self.close()

    # ----- the connection -----
    # Lock order: _send_lock, then _lock. _send_lock keeps lines whole and serialises connecting;
    # _lock (with _cond) guards the connection state, decisions and the stop reason.

    def _init_locks(self) -> None:
        self._send_lock = threading.Lock()
        self._lock = threading.Lock()
        self._cond = threading.Condition(self._lock)

    def _after_fork_in_child(self) -> None:
        self._init_locks()  # another thread may have held them at the fork
        if self._conn is not None:
            self._conn.sock.close()  # our copy only: the parent's connection stays open
            self._conn = None
        self._pid = os.getpid()

    def _connection(self) -> _Connection:
        with self._send_lock:
            return self._connection_locked()

    def _connection_locked(self) -> _Connection:
        with self._lock:
            if self._pid != os.getpid():  # forked without os.register_at_fork
                if self._conn is not None:
                    self._conn.sock.close()  # our copy only: the parent's connection stays open
                self._conn = None
                self._pid = os.getpid()
            if self._conn is not None:
                return self._conn
        sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        try:
            sock.connect(self._socket_path)
        except OSError as e:
            sock.close()
            raise LabsweepError(
                "labsweep: cannot connect to LABSWEEP_SOCKET '%s': %s"
                % (self._socket_path, e.strerror or e)
            ) from e
        conn = _Connection(sock)
        with self._lock:
            self._conn = conn
        return conn

    def _send(self, line: bytes) -> _Connection:
        with self._send_lock:
            conn = self._connection_locked()
            try:
                conn.sock.sendall(line)
            except OSError as e:
                with self._lock:
                    self._retire(conn)
                raise LabsweepError(
                    "labsweep: lost the connection to LABSWEEP_SOCKET '%s': %s"
                    % (self._socket_path, e.strerror or e)
                ) from e
            return conn

    def _retire(self, conn: _Connection) -> None:
        """Marks `conn` dead; closes it unless a reader is inside recv() (it closes it then)."""
        if not conn.dead:
            conn.dead = True
            try:
                conn.sock.shutdown(socket.SHUT_RDWR)  # wakes a thread blocked in recv()
            except OSError:
                pass
        if self._conn is conn:
            self._conn = None
        if not conn.reading:
            conn.sock.close()
        self._cond.notify_all()

    def _await_decision(self, conn: _Connection, step: int) -> bool:
        with self._cond:
            while True:
                if self._stop_reason is not None:
                    return True
                answers = conn.decisions.get(step)
                if answers:
                    stop, _ = answers.pop(0)
                    if not answers:
                        del conn.decisions[step]
                    return stop
                if conn.dead:
                    raise LabsweepError(
                        "labsweep: the connection to LABSWEEP_SOCKET '%s' closed before the "
                        "decision on step %d arrived" % (self._socket_path, step)
                    )
                if conn.reading:
                    self._cond.wait()
                    continue
                self._read_blocking(conn)

    def _read_blocking(self, conn: _Connection) -> None:
        """Reads once, releasing _lock meanwhile; called with _lock held and no other reader."""
        conn.reading = True
        self._lock.release()
        try:
            data = conn.sock.recv(65536)
        except OSError:
            data = b""
        finally:
            self._lock.acquire()
            conn.reading = False
        if data:
            self._take(conn, data)
        else:
            self._retire(conn)
        if conn.dead:
            conn.sock.close()
        self._cond.notify_all()

    def _read_ready(self, conn: _Connection) -> None:
        """Takes whatever has already arrived, without blocking; called with _lock held."""
        while True:
            try:
                data = conn.sock.recv(65536, socket.MSG_DONTWAIT)
            except (BlockingIOError, InterruptedError):
                return
            except OSError:
                data = b""
            if not data:
                self._retire(conn)
                return
            self._take(conn, data)
            self._cond.notify_all()

    def _take(self, conn: _Connection, data: bytes) -> None:
        """Splits received bytes into lines and acts on each whole one."""
        buf = conn.inbuf + data
        while True:
            end = buf.find(b"\n")
            if end < 0:
                break
            line, buf = buf[:end], buf[end + 1 :]
            if conn.discarding:
                conn.discarding = False
            elif len(line) < MAX_LINE_BYTES:  # with its newline, within the limit
                self._act_on(conn, line)
        if len(buf) >= MAX_LINE_BYTES:  # an over-long line: drop it up to its newline
            buf = b""
            conn.discarding = True
        if conn.discarding:
            buf = b""
        conn.inbuf = buf

    def _act_on(self, conn: _Connection, line: bytes) -> None:
        """Acts on one control line from the agent; anything malformed or unknown is ignored."""
        try:
            msg = json.loads(line.decode("utf-8"))
        except (UnicodeDecodeError, ValueError):
            return
        if not isinstance(msg, dict):
            return
        reason = msg.get("reason")
        reason = reason if isinstance(reason, str) else ""
        if msg.get("action") == "stop":
            self._stopped(reason)
            return
        decision, step = msg.get("decision"), msg.get("step")
        if decision not in ("continue", "stop") or not _is_int(step):
            return
        conn.decisions.setdefault(step, []).append((decision == "stop", reason))
        if decision == "stop":
            self._stopped(reason)

    def _stopped(self, reason: str) -> None:
        if self._stop_reason is None:
            self._stop_reason = reason


# ----- encoding -----


def _is_int(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def _check_step(step: Any) -> int:
    if isinstance(step, bool) or not isinstance(step, numbers.Integral):
        raise TypeError("step must be an integer, got %s" % type(step).__name__)
    step = int(step)
    if step < 0 or step > MAX_STEP:
        raise ValueError("step must be between 0 and 2**63-1, got %d" % step)
    return step


def _check_name(name: Any) -> str:
    if not isinstance(name, str):
        raise TypeError("metric names must be strings, got %s" % type(name).__name__)
    if name in _RESERVED_NAMES:
        raise ValueError("metric name '%s' is reserved" % name)
    if not _METRIC_NAME.match(name) or len(name) > MAX_METRIC_NAME_BYTES:
        raise ValueError(
            "metric name %r: use 1 to %d letters, digits and _ . - /"
            % (name, MAX_METRIC_NAME_BYTES)
        )
    return name


def _number_text(name: str, value: Any) -> str:
    """The JSON text of a metric value: a number, or "nan", "inf", "-inf" as strings."""
    not_a_number = TypeError(
        "metric '%s': value must be a number, got %s" % (name, type(value).__name__)
    )
    if isinstance(value, (bool, str, bytes)):
        raise not_a_number
    if isinstance(value, numbers.Integral) and abs(int(value)) <= _EXACT_INT_LIMIT:
        return str(int(value))
    try:
        number = float(value)  # numpy and torch scalars too
    except OverflowError:
        too_large = "metric '%s': value %d is too large for a double" % (name, value)
        raise ValueError(too_large) from None
    except (TypeError, ValueError):
        raise not_a_number from None
    if math.isnan(number):
        return '"nan"'
    if math.isinf(number):
        return '"inf"' if number > 0 else '"-inf"'
    return float.__repr__(number)  # shortest round-trip text, whatever the subclass's repr


def _report_line(step: Any, metrics: Optional[Mapping[str, Any]], kwargs: Dict[str, Any]) -> bytes:
    step = _check_step(step)
    items = []
    if metrics is not None:
        if not isinstance(metrics, Mapping):
            raise TypeError("metrics must be a mapping of names to numbers")
        items.extend(metrics.items())
    for name, value in kwargs.items():
        if metrics is not None and name in metrics:
            raise ValueError("metric '%s' is given twice" % name)
        items.append((name, value))
    if not items:
        raise ValueError("report() needs at least one metric")
    fields = ['"step":%d' % step]
    for name, value in items:
        fields.append('"%s":%s' % (_check_name(name), _number_text(name, value)))
    line = ("{" + ",".join(fields) + "}\n").encode("ascii")
    if len(line) > MAX_LINE_BYTES:
        raise ValueError("report for step %d is longer than %d bytes" % (step, MAX_LINE_BYTES))
    return line


def _encode(message: Dict[str, Any]) -> bytes:
    return (json.dumps(message, separators=(",", ":")) + "\n").encode("utf-8")


def _read_params(path: Optional[str]) -> Dict[str, Any]:
    if path is None:
        return {}
    try:
        with open(path, "rb") as f:
            text = f.read().decode("utf-8")
    except OSError as e:
        raise LabsweepError(
            "labsweep: cannot read LABSWEEP_PARAMS_FILE '%s': %s" % (path, e.strerror or e)
        ) from e
    except UnicodeDecodeError as e:
        raise LabsweepError(
            "labsweep: LABSWEEP_PARAMS_FILE '%s' is not UTF-8: %s" % (path, e)
        ) from e
    try:
        value = json.loads(text)
    except ValueError as e:
        raise LabsweepError(
            "labsweep: LABSWEEP_PARAMS_FILE '%s': line %d, column %d: %s"
            % (path, e.lineno, e.colno, e.msg)
        ) from e
    if not isinstance(value, dict):
        raise LabsweepError("labsweep: LABSWEEP_PARAMS_FILE '%s' is not a JSON object" % path)
    return value


# ----- the default client and the module-level functions -----

_default_lock = threading.Lock()
_default_client: Optional[Client] = None


def _default() -> Client:
    global _default_client
    with _default_lock:
        if _default_client is None:
            _default_client = Client.from_environment()
        return _default_client


def params() -> Dict[str, Any]:
    """The trial's parameters from LABSWEEP_PARAMS_FILE; {} when it is unset."""
    return _default().params()


def report(step: int, metrics: Optional[Mapping[str, Any]] = None, /, **kwargs: Any) -> None:
    """Reports metrics at `step` to labsweep: report(3, loss=0.41, acc=0.87)."""
    _default().report(step, metrics, **kwargs)


def should_stop(wait: bool = False) -> bool:
    """Whether labsweep asked this trial to stop; wait=True asks for the last step's decision."""
    return _default().should_stop(wait)


def stop_reason() -> Optional[str]:
    """Why labsweep stopped the trial, or None while it has not."""
    return _default().stop_reason()


def _after_fork_in_child() -> None:
    global _default_lock
    _default_lock = threading.Lock()
    for client in list(Client._instances):
        client._after_fork_in_child()


if hasattr(os, "register_at_fork"):
    os.register_at_fork(after_in_child=_after_fork_in_child)
