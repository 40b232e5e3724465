"""Tests of clients/python/labsweep.py against a fake agent on a real Unix socket.

Run: python3 -m unittest discover -s tests/clients -p "*_test.py"
"""

import json
import math
import os
import pathlib
import queue
import socket
import subprocess
import sys
import tempfile
import threading
import unittest
import warnings
from unittest import mock

ROOT = pathlib.Path(__file__).resolve().parents[2]
CLIENT_DIR = ROOT / "clients" / "python"
sys.path.insert(0, str(CLIENT_DIR))

import labsweep  # noqa: E402

TIMEOUT = 10  # seconds; a safety net against a hung test, never a timing assertion


class AgentConnection:
    """The agent's end of one trial connection: lines received, and a way to send."""

    def __init__(self, sock, responder):
        self.sock = sock
        self.lines = queue.Queue()
        self._responder = responder
        self._thread = threading.Thread(target=self._read, daemon=True)
        self._thread.start()

    def _read(self):
        buf = b""
        while True:
            try:
                data = self.sock.recv(65536)
            except OSError:
                data = b""
            if not data:
                self.lines.put(None)  # end of stream
                return
            buf += data
            while b"\n" in buf:
                line, buf = buf.split(b"\n", 1)
                if self._responder is not None:
                    try:
                        for reply in self._responder(self, line):
                            self.send(reply)
                    except OSError:
                        pass  # the trial may be gone once it has what it waited for
                self.lines.put(line)

    def next_line(self):
        line = self.lines.get(timeout=TIMEOUT)
        if line is None:
            raise AssertionError("the trial closed the connection")
        return line

    def wait_closed(self):
        while self.lines.get(timeout=TIMEOUT) is not None:
            pass

    def send(self, message):
        data = message if isinstance(message, bytes) else json.dumps(message).encode() + b"\n"
        self.sock.sendall(data)

    def close(self):
        try:
            self.sock.shutdown(socket.SHUT_RDWR)
        except OSError:
            pass
        self.sock.close()


class FakeAgent:
    """Listens on a Unix socket in `directory` and accepts any number of connections.

    `responder(conn, line)` (optional) returns the lines to send back for each line received.
    """

    def __init__(self, directory, responder=None):
        self.path = os.path.join(directory, "trial.sock")
        self._responder = responder
        self._listener = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        self._listener.bind(self.path)
        self._listener.listen(16)
        self._accepted = queue.Queue()
        self._all = []
        self._thread = threading.Thread(target=self._accept, daemon=True)
        self._thread.start()

    def _accept(self):
        while True:
            try:
                sock, _ = self._listener.accept()
            except OSError:
                return
            conn = AgentConnection(sock, self._responder)
            self._all.append(conn)
            self._accepted.put(conn)

    def next_connection(self):
        return self._accepted.get(timeout=TIMEOUT)

    def close(self):
        try:
            self._listener.shutdown(socket.SHUT_RDWR)
        except OSError:
            pass
        self._listener.close()
        self._thread.join(TIMEOUT)
        for conn in self._all:
            conn.close()


def answer_queries(decision):
    """A responder that answers every should_stop query with `decision` ("continue"/"stop")."""

    def respond(conn, line):
        msg = json.loads(line)
        if msg.get("query") != "should_stop":
            return []
        reply = {"decision": decision, "step": msg["step"]}
        if decision == "stop":
            reply["reason"] = "asha: below the rung median"
        return [reply]

    return respond


class TempDirTestCase(unittest.TestCase):
    def setUp(self):
        tmp = tempfile.TemporaryDirectory(prefix="labsweep-")
        self.addCleanup(tmp.cleanup)
        self.dir = tmp.name

    def agent(self, responder=None):
        agent = FakeAgent(self.dir, responder)
        self.addCleanup(agent.close)
        return agent

    def client(self, agent, params_file=None):
        client = labsweep.Client(agent.path, params_file)
        self.addCleanup(client.close)
        return client

    def write(self, name, text):
        path = os.path.join(self.dir, name)
        with open(path, "w", encoding="utf-8") as f:
            f.write(text)
        return path


class ReportTest(TempDirTestCase):
    def test_sends_one_exact_line_per_report(self):
        agent = self.agent()
        client = self.client(agent)
        client.report(3, loss=0.41, acc=0.87)
        client.report(4, loss=0.25)
        conn = agent.next_connection()
        self.assertEqual(conn.next_line(), b'{"step":3,"loss":0.41,"acc":0.87}')
        self.assertEqual(conn.next_line(), b'{"step":4,"loss":0.25}')
        self.assertEqual(client.last_step, 4)

    def test_metric_names_beyond_identifiers_go_in_a_mapping(self):
        agent = self.agent()
        client = self.client(agent)
        client.report(0, {"train/loss": 1e-05, "val.top-1": 0.5}, epoch=2)
        line = agent.next_connection().next_line()
        self.assertEqual(line, b'{"step":0,"train/loss":1e-05,"val.top-1":0.5,"epoch":2}')

    def test_non_finite_values_are_strings(self):
        agent = self.agent()
        client = self.client(agent)
        client.report(1, a=math.nan, b=math.inf, c=-math.inf, d=-0.0)
        line = agent.next_connection().next_line()
        self.assertEqual(line, b'{"step":1,"a":"nan","b":"inf","c":"-inf","d":-0.0}')
        json.loads(line)  # strict JSON: no NaN or Infinity tokens

    def test_numbers_use_their_shortest_exact_text(self):
        class MyFloat(float):
            def __repr__(self):
                return "MyFloat(%s)" % float(self)

        agent = self.agent()
        client = self.client(agent)
        client.report(2**63 - 1, a=0.1, b=1e300, c=MyFloat(2.5), d=2**60, e=-7)
        line = agent.next_connection().next_line()
        self.assertEqual(
            line,
            b'{"step":9223372036854775807,"a":0.1,"b":1e+300,"c":2.5,'
            b'"d":1.152921504606847e+18,"e":-7}',
        )

    def test_objects_convertible_to_float_are_accepted(self):
        class Scalar:  # like a numpy or torch scalar
            def __float__(self):
                return 0.75

        agent = self.agent()
        client = self.client(agent)
        client.report(1, x=Scalar())
        self.assertEqual(agent.next_connection().next_line(), b'{"step":1,"x":0.75}')

    def test_bad_arguments_are_refused_with_clear_errors(self):
        client = labsweep.Client(None)  # validation happens outside labsweep too
        cases = [
            ((-1,), {"loss": 1.0}, ValueError, "step must be between 0 and 2**63-1, got -1"),
            ((2**63,), {"loss": 1.0}, ValueError, "step must be between 0 and 2**63-1"),
            ((1.5,), {"loss": 1.0}, TypeError, "step must be an integer, got float"),
            ((True,), {"loss": 1.0}, TypeError, "step must be an integer, got bool"),
            (("3",), {"loss": 1.0}, TypeError, "step must be an integer, got str"),
            ((1,), {"loss": "0.5"}, TypeError, "metric 'loss': value must be a number, got str"),
            ((1,), {"x": None}, TypeError, "metric 'x': value must be a number, got NoneType"),
            ((1,), {"ok": True}, TypeError, "metric 'ok': value must be a number, got bool"),
            ((1,), {"loss": [1.0]}, TypeError, "metric 'loss': value must be a number, got list"),
            ((1,), {"c": 1j}, TypeError, "metric 'c': value must be a number, got complex"),
            ((1,), {"big": 10**400}, ValueError, "metric 'big': value"),
            ((1, {"val loss": 1.0}), {}, ValueError, "metric name 'val loss': use 1 to 255"),
            ((1, {"": 1.0}), {}, ValueError, "metric name '': use 1 to 255"),
            ((1, {"é": 1.0}), {}, ValueError, "metric name 'é'"),
            ((1, {"x" * 256: 1.0}), {}, ValueError, "use 1 to 255 letters, digits and _ . - /"),
            ((1, {3: 1.0}), {}, TypeError, "metric names must be strings, got int"),
            ((1,), {"step": 1.0}, ValueError, "metric name 'step' is reserved"),
            ((1, {"query": 1.0}), {}, ValueError, "metric name 'query' is reserved"),
            ((1, {"a": 1.0}), {"a": 2.0}, ValueError, "metric 'a' is given twice"),
            ((1,), {}, ValueError, "report() needs at least one metric"),
            ((1, [("a", 1.0)]), {}, TypeError, "metrics must be a mapping"),
        ]
        for args, kwargs, error, message in cases:
            with self.subTest(args=args, kwargs=kwargs):
                with self.assertRaises(error) as raised:
                    client.report(*args, **kwargs)
                self.assertIn(message, str(raised.exception))

    def test_a_refused_report_sends_nothing(self):
        agent = self.agent()
        client = self.client(agent)
        with self.assertRaises(TypeError):
            client.report(1, good=1.0, bad="x")
        client.report(2, good=2.0)
        self.assertEqual(agent.next_connection().next_line(), b'{"step":2,"good":2.0}')

    def test_lines_stay_whole_when_threads_report_at_once(self):
        agent = self.agent()
        client = self.client(agent)
        threads, reports = 8, 200
        wide = {"m%d" % i: i / 7 for i in range(100)}  # lines of a few KiB

        def work(t):
            for step in range(reports):
                client.report(step, wide, thread=t)

        workers = [threading.Thread(target=work, args=(t,)) for t in range(threads)]
        for w in workers:
            w.start()
        for w in workers:
            w.join(TIMEOUT)
        conn = agent.next_connection()
        seen = set()
        for _ in range(threads * reports):
            msg = json.loads(conn.next_line())
            self.assertEqual(len(msg), 102)
            seen.add((msg["thread"], msg["step"]))
        self.assertEqual(len(seen), threads * reports)


class ConnectionTest(TempDirTestCase):
    def test_connect_failure_names_the_socket(self):
        path = os.path.join(self.dir, "missing.sock")
        client = labsweep.Client(path)
        with self.assertRaises(labsweep.LabsweepError) as raised:
            client.report(1, loss=0.5)
        self.assertEqual(
            str(raised.exception),
            "labsweep: cannot connect to LABSWEEP_SOCKET '%s': No such file or directory" % path,
        )
        with self.assertRaises(labsweep.LabsweepError):
            client.should_stop()

    def test_a_broken_connection_raises_and_the_next_call_reconnects(self):
        agent = self.agent()
        client = self.client(agent)
        client.report(1, loss=0.5)
        first = agent.next_connection()
        self.assertEqual(first.next_line(), b'{"step":1,"loss":0.5}')
        first.close()
        with self.assertRaises(labsweep.LabsweepError) as raised:
            for step in range(2, 10000):  # the first send after a close may still succeed
                client.report(step, loss=0.5)
        self.assertIn(
            "lost the connection to LABSWEEP_SOCKET '%s'" % agent.path, str(raised.exception)
        )
        client.report(20000, loss=0.25)
        self.assertEqual(agent.next_connection().next_line(), b'{"step":20000,"loss":0.25}')

    def test_a_child_process_reports_on_its_own_connection(self):
        agent = self.agent()
        client = self.client(agent)
        client.report(1, loss=0.5)
        parent = agent.next_connection()
        env = dict(os.environ, PYTHONPATH=str(CLIENT_DIR), LABSWEEP_SOCKET=agent.path)
        code = "import labsweep; labsweep.report(7, {'worker/loss': 0.125})"
        result = subprocess.run(
            [sys.executable, "-c", code], env=env, timeout=TIMEOUT, capture_output=True
        )
        self.assertEqual(result.returncode, 0, result.stderr)
        child = agent.next_connection()
        self.assertEqual(child.next_line(), b'{"step":7,"worker/loss":0.125}')
        client.report(2, loss=0.25)
        self.assertEqual(parent.next_line(), b'{"step":1,"loss":0.5}')
        self.assertEqual(parent.next_line(), b'{"step":2,"loss":0.25}')

    @unittest.skipUnless(hasattr(os, "fork"), "needs fork")
    def test_a_forked_child_opens_its_own_connection(self):
        agent = self.agent()
        client = self.client(agent)
        client.report(1, loss=0.5)
        parent = agent.next_connection()
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", DeprecationWarning)  # fork with threads, on 3.12+
            pid = os.fork()
        if pid == 0:
            code = 1
            try:
                client.report(2, child=1.0)
                code = 0
            finally:
                os._exit(code)
        _, status = os.waitpid(pid, 0)
        self.assertEqual(status, 0)
        self.assertEqual(agent.next_connection().next_line(), b'{"step":2,"child":1.0}')
        client.report(3, loss=0.25)
        self.assertEqual(parent.next_line(), b'{"step":1,"loss":0.5}')
        self.assertEqual(parent.next_line(), b'{"step":3,"loss":0.25}')


class StopTest(TempDirTestCase):
    def test_a_stop_notice_is_seen_without_blocking(self):
        agent = self.agent()
        client = self.client(agent)
        client.report(1, loss=0.5)
        conn = agent.next_connection()
        conn.next_line()
        self.assertFalse(client.should_stop())
        self.assertIsNone(client.stop_reason())
        conn.send({"action": "stop", "reason": "stopped by user"})
        self.assertTrue(client.should_stop())
        self.assertEqual(client.stop_reason(), "stopped by user")
        self.assertTrue(client.should_stop())
        self.assertTrue(client.should_stop(wait=True))  # already stopped: no query
        client.report(2, loss=0.25)  # a trial may still report while it winds down
        self.assertEqual(conn.next_line(), b'{"step":2,"loss":0.25}')

    def test_should_stop_before_any_report_connects_and_listens(self):
        agent = self.agent()
        client = self.client(agent)
        self.assertFalse(client.should_stop())
        conn = agent.next_connection()
        conn.send(b'{"action":"stop"}\n')
        self.assertTrue(client.should_stop())
        self.assertEqual(client.stop_reason(), "")

    def test_wait_sends_the_query_and_returns_continue(self):
        agent = self.agent(answer_queries("continue"))
        client = self.client(agent)
        client.report(3, loss=0.41)
        self.assertFalse(client.should_stop(wait=True))
        conn = agent.next_connection()
        self.assertEqual(conn.next_line(), b'{"step":3,"loss":0.41}')
        self.assertEqual(conn.next_line(), b'{"query":"should_stop","step":3}')
        self.assertIsNone(client.stop_reason())
        self.assertFalse(client.should_stop())

    def test_wait_returns_stop_with_its_reason(self):
        agent = self.agent(answer_queries("stop"))
        client = self.client(agent)
        client.report(9, loss=2.0)
        self.assertTrue(client.should_stop(wait=True))
        self.assertEqual(client.stop_reason(), "asha: below the rung median")
        self.assertTrue(client.should_stop())

    def test_a_stop_notice_while_waiting_counts(self):
        def respond(conn, line):
            if b"query" in line:
                return [{"action": "stop", "reason": "sweep cancelled"}]
            return []

        agent = self.agent(respond)
        client = self.client(agent)
        client.report(1, loss=1.0)
        self.assertTrue(client.should_stop(wait=True))
        self.assertEqual(client.stop_reason(), "sweep cancelled")

    def test_malformed_and_unrelated_control_lines_are_ignored(self):
        junk = [
            b"not json\n",
            b"[1, 2]\n",
            b'"stop"\n',
            b"\xff\xfe\n",
            b"\n",
            b'{"action": "pause"}\n',
            b'{"action": 1}\n',
            b'{"decision": "stop"}\n',
            b'{"decision": "stop", "step": "3"}\n',
            b'{"decision": "stop", "step": 3.0}\n',
            b'{"decision": "halt", "step": 3}\n',
            b'{"decision": "continue", "step": 2}\n',  # answers another query
            b"x" * 200000 + b'{"action": "stop"}\n',  # an over-long line, dropped whole
            b'{"decision": "continue", "step": 3, "extra": [1]}\n',
        ]

        def respond(conn, line):
            return junk if b"query" in line else []

        agent = self.agent(respond)
        client = self.client(agent)
        client.report(3, loss=1.0)
        self.assertFalse(client.should_stop(wait=True))
        self.assertFalse(client.should_stop())
        self.assertIsNone(client.stop_reason())

    def test_lines_up_to_the_limit_are_read_and_longer_ones_dropped(self):
        def notice(reason, size):  # a stop notice padded to `size` bytes with its newline
            head = b'{"action":"stop","reason":"' + reason + b'"'
            return head + b" " * (size - len(head) - 2) + b"}\n"

        def respond(conn, line):
            if b"query" not in line:
                return []
            return [notice(b"too long", 65537), notice(b"at the limit", 65536)]

        agent = self.agent(respond)
        client = self.client(agent)
        client.report(1, loss=1.0)
        self.assertTrue(client.should_stop(wait=True))
        self.assertEqual(client.stop_reason(), "at the limit")

    def test_a_stop_decision_on_any_step_stops_the_trial(self):
        def respond(conn, line):
            if b"query" not in line:
                return []
            return [b'{"decision": "stop", "step": 2, "reason": "an older step"}\n',
                    b'{"decision": "continue", "step": 3}\n']

        agent = self.agent(respond)
        client = self.client(agent)
        client.report(3, loss=1.0)
        self.assertTrue(client.should_stop(wait=True))
        self.assertEqual(client.stop_reason(), "an older step")

    def test_a_query_split_across_reads_is_reassembled(self):
        def respond(conn, line):
            if b"query" not in line:
                return []
            return [b'{"decision": "con', b'tinue", "st', b'ep": 5}', b"\n"]

        agent = self.agent(respond)
        client = self.client(agent)
        client.report(5, loss=1.0)
        self.assertFalse(client.should_stop(wait=True))

    def test_threads_waiting_on_one_client_each_get_their_answer(self):
        agent = self.agent(answer_queries("continue"))
        client = self.client(agent)
        client.report(1, loss=1.0)
        results = queue.Queue()

        def wait():
            results.put(client.should_stop(wait=True))

        workers = [threading.Thread(target=wait) for _ in range(8)]
        for w in workers:
            w.start()
        for w in workers:
            w.join(TIMEOUT)
        self.assertEqual([results.get_nowait() for _ in workers], [False] * 8)

    def test_wait_before_any_report_is_an_error(self):
        agent = self.agent()
        client = self.client(agent)
        with self.assertRaises(labsweep.LabsweepError) as raised:
            client.should_stop(wait=True)
        self.assertEqual(
            str(raised.exception), "labsweep: should_stop(wait=True) needs a report() first"
        )

    def test_the_agent_closing_while_waiting_is_an_error(self):
        def respond(conn, line):
            if b"query" in line:
                conn.close()
            return []

        agent = self.agent(respond)
        client = self.client(agent)
        client.report(4, loss=1.0)
        with self.assertRaises(labsweep.LabsweepError) as raised:
            client.should_stop(wait=True)
        self.assertIn("closed before the decision on step 4 arrived", str(raised.exception))


    def test_closing_the_client_releases_a_thread_waiting_for_a_decision(self):
        agent = self.agent()  # never answers
        client = self.client(agent)
        client.report(4, loss=1.0)
        errors = queue.Queue()

        def wait():
            try:
                client.should_stop(wait=True)
            except labsweep.LabsweepError as e:
                errors.put(e)

        waiter = threading.Thread(target=wait)
        waiter.start()
        conn = agent.next_connection()
        conn.next_line()
        self.assertEqual(conn.next_line(), b'{"query":"should_stop","step":4}')
        client.close()
        waiter.join(TIMEOUT)
        self.assertIn("closed before the decision on step 4", str(errors.get(timeout=TIMEOUT)))


class ParamsTest(TempDirTestCase):
    def test_reads_the_params_file(self):
        path = self.write("params.json", '{"lr": 0.01, "optimizer": {"name": "adam", "b": [1, 2]}}')
        client = labsweep.Client(None, path)
        self.assertEqual(client.params(), {"lr": 0.01, "optimizer": {"name": "adam", "b": [1, 2]}})
        client.params()["optimizer"]["name"] = "changed"  # a copy each call
        self.assertEqual(client.params()["optimizer"]["name"], "adam")

    def test_no_params_file_is_empty(self):
        self.assertEqual(labsweep.Client(None, None).params(), {})
        self.assertEqual(labsweep.Client(None, "").params(), {})

    def test_unreadable_or_malformed_files_are_clear_errors(self):
        missing = os.path.join(self.dir, "missing.json")
        cases = [
            (missing, "labsweep: cannot read LABSWEEP_PARAMS_FILE '%s': No such file or directory"),
            (self.write("bad.json", '{"lr": 0.01,\n "x": }'), "labsweep: LABSWEEP_PARAMS_FILE "
             "'%s': line 2, column 7: Expecting value"),
            (self.write("list.json", "[1, 2]"), "labsweep: LABSWEEP_PARAMS_FILE '%s' is not a "
             "JSON object"),
            (self.write("empty.json", ""), "labsweep: LABSWEEP_PARAMS_FILE '%s': line 1, column 1: "
             "Expecting value"),
        ]
        with open(os.path.join(self.dir, "latin1.json"), "wb") as f:
            f.write(b'{"name": "caf\xe9"}')
        cases.append((os.path.join(self.dir, "latin1.json"), "labsweep: LABSWEEP_PARAMS_FILE "
                      "'%s' is not UTF-8"))
        for path, message in cases:
            with self.subTest(path=path):
                with self.assertRaises(labsweep.LabsweepError) as raised:
                    labsweep.Client(None, path).params()
                self.assertTrue(
                    str(raised.exception).startswith(message % path), str(raised.exception)
                )


class ModuleFunctionsTest(TempDirTestCase):
    """The module-level functions and their default client, configured from the environment."""

    def setUp(self):
        super().setUp()
        self._reset_default()
        self.addCleanup(self._reset_default)

    @staticmethod
    def _reset_default():
        if labsweep._default_client is not None:
            labsweep._default_client.close()
        labsweep._default_client = None

    def environ(self, **values):
        env = {k: v for k, v in os.environ.items() if not k.startswith("LABSWEEP_")}
        env.update(values)
        patcher = mock.patch.dict(os.environ, env, clear=True)
        patcher.start()
        self.addCleanup(patcher.stop)

    def test_outside_labsweep_nothing_happens(self):
        self.environ()
        self.assertEqual(labsweep.params(), {})
        self.assertIsNone(labsweep.report(1, loss=0.5))
        self.assertFalse(labsweep.should_stop())
        self.assertFalse(labsweep.should_stop(wait=True))
        self.assertIsNone(labsweep.stop_reason())
        with self.assertRaises(ValueError):
            labsweep.report(-1, loss=0.5)

    def test_outside_labsweep_a_params_file_is_still_read(self):
        self.environ(LABSWEEP_PARAMS_FILE=self.write("p.json", '{"batch_size": 64}'))
        self.assertEqual(labsweep.params(), {"batch_size": 64})
        labsweep.report(1, loss=0.5)

    def test_inside_labsweep_everything_goes_through_the_socket(self):
        agent = self.agent(answer_queries("stop"))
        self.environ(
            LABSWEEP_SOCKET=agent.path,
            LABSWEEP_PARAMS_FILE=self.write("p.json", '{"lr": 0.1}'),
        )
        self.assertEqual(labsweep.params(), {"lr": 0.1})
        labsweep.report(3, loss=0.41, acc=0.87)
        self.assertTrue(labsweep.should_stop(wait=True))
        self.assertEqual(labsweep.stop_reason(), "asha: below the rung median")
        conn = agent.next_connection()
        self.assertEqual(conn.next_line(), b'{"step":3,"loss":0.41,"acc":0.87}')
        self.assertEqual(conn.next_line(), b'{"query":"should_stop","step":3}')

    def test_connect_failure_from_the_environment_names_the_path(self):
        path = os.path.join(self.dir, "gone.sock")
        self.environ(LABSWEEP_SOCKET=path)
        with self.assertRaisesRegex(labsweep.LabsweepError, "cannot connect to LABSWEEP_SOCKET"):
            labsweep.report(1, loss=0.5)


if __name__ == "__main__":
    unittest.main()
