"""ProbeExecute: run a notebook in a bubblewrap sandbox and ask the probes of each test cell; decide nothing there.

The student's code runs only in the sandboxed kernel (see :mod:`autograder.bwrap`), reached over the IPC
transport. A test cell runs only its visible part (taken from the instructor's source, not from the submission);
right after it, each probe of that cell is sent and its one-line plain-data answer is read back. Output is capped
while it streams, the notebook has a wall budget, and a stuck or dead kernel stops the run with a recorded
status. Results go into ``resources["probe_answers"]`` and ``resources["execution"]``; verdicts are decided
afterwards, in the grader's process (:mod:`autograder.verdicts`).
"""
import threading
import time

import zmq
import zmq.asyncio
from jupyter_core.utils import run_sync
from jupyter_client.kernelspec import KernelSpec
from nbclient.exceptions import CellTimeoutError, DeadKernelError
from nbformat.notebooknode import NotebookNode
from nbgrader import utils
from backprop.steady_client import SteadyKernelClient
from nbgrader.preprocessors import Execute
from traitlets import Bool, Float, Instance, Integer, Unicode, default

from . import probes as probing
from .bwrap import Limits, Run

MAX_MESSAGE_BYTES = 2 * 1024 * 1024  # one output message (a large plot is a few hundred kB); bigger ones drop the link
RECEIVE_QUEUE = 8  # messages per socket the grader buffers at most (zmq's default is 1000)
OUTPUT_MESSAGES = {"stream", "display_data", "execute_result", "error", "update_display_data"}


class ProbeExecute(Execute):
    """nbgrader's Execute with a sandboxed kernel, capped output, a notebook budget and probes after test cells."""

    notebook_budget = Float(180.0, help="Wall-clock seconds one notebook may take in total.").tag(config=True)
    memory_limit_mb = Integer(3072, help="Address-space limit of the kernel in MB.").tag(config=True)
    output_limit_mb = Float(4.0, help="Output kept per notebook; the rest is dropped while it streams.").tag(
        config=True)
    sandboxed = Bool(True, help="Run the kernel in bubblewrap (False only for trusted notebooks).").tag(config=True)
    run_tag = Unicode("", help="Groups this grader's run folders: /tmp/bpg-<tag>-*").tag(config=True)
    plan = Instance(dict, allow_none=True, help="{grade_id: (visible source, [Probe])} of the notebook being run")

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("shutdown_kernel", "immediate")  # the sandbox is thrown away: no graceful shutdown wait
        super().__init__(*args, **kwargs)

    def preprocess(self, nb, resources=None, km=None):
        """Execute ``nb`` in a fresh sandbox; answers and what happened go into ``resources``."""
        resources = resources if resources is not None else {}
        plan = resources.get("probe_plan") if self.plan is None else self.plan
        if plan is None:
            raise RuntimeError("ProbeExecute needs resources['probe_plan'] (the test cells' visible parts and probes)")
        self._plan, self._answers, self._asked = plan, {}, set()
        limits = Limits(cell_timeout=float(self.timeout or 30), notebook_budget=self.notebook_budget,
                        memory_mb=self.memory_limit_mb, output_mb=self.output_limit_mb)
        self._run = Run(limits, files_from=resources.get("metadata", {}).get("path"), tag=self.run_tag)
        self._stop_reason, self._kernel_cpu = None, None
        self._output_bytes, self._output_dropped = 0, False
        started = time.monotonic()
        watchdog = threading.Timer(self.notebook_budget, self._budget_expired)
        watchdog.daemon = True
        watchdog.start()
        record = {"status": "ok", "message": ""}
        metadata = resources.setdefault("metadata", {})
        path = metadata.get("path")
        try:
            metadata["path"] = None  # the kernel's folder is inside the sandbox, not the submission's
            nb, resources = super().preprocess(nb, resources, km)
        except Exception as exc:
            if self._stop_reason is None:
                self._stop_reason = ("crashed", f"the kernel could not be run: {type(exc).__name__}: {str(exc)[:200]}")
        finally:
            metadata["path"] = path
            watchdog.cancel()
            self._kill_kernel()
            self._run.cleanup()
        if self._stop_reason:
            record.update(status=self._stop_reason[0], message=self._stop_reason[1])
        if self._output_dropped:
            record["output_truncated"] = True
        record["seconds"] = round(time.monotonic() - started, 2)
        record["kernel_cpu_seconds"] = self._kernel_cpu
        record["sandbox_uid"] = self._run.uid
        resources["probe_answers"] = self._answers
        resources["execution"] = record
        return nb, resources

    # ---- the sandboxed kernel ----------------------------------------------------------------------------------
    def create_kernel_manager(self):
        km = super().create_kernel_manager()
        if self.sandboxed:
            km.transport = "ipc"
            km.ip = self._run.ipc_prefix
            km.connection_file = self._run.connection_file
            argv = self._run.kernel_argv()
            write = km.write_connection_file

            def write_for_sandbox(**kwargs):  # the kernel runs as the sandbox's uid and must read it
                result = write(**kwargs)
                self._run.hand_over(km.connection_file)
                return result

            km.write_connection_file = write_for_sandbox
        else:
            import sys
            argv = [sys.executable, "-m", "ipykernel_launcher", "-f", "{connection_file}"]
        km.client_factory = capped_client(MAX_MESSAGE_BYTES)
        # An interrupt is a message the kernel turns into SIGINT on itself: a signal to the launcher's pid would
        # reach bwrap outside the sandbox's pid namespace, not the kernel.
        km._kernel_spec = KernelSpec(argv=argv, display_name="Python 3 (grading sandbox)", language="python",
                                     interrupt_mode="message" if self.sandboxed else "signal", env={}, metadata={})
        return km

    async def _async_cleanup_kernel(self):
        """Read the sandbox's CPU time (for the benchmark) just before nbclient stops the kernel."""
        self._kernel_cpu = self._run.cpu_seconds_before_kill()
        await super()._async_cleanup_kernel()

    _cleanup_kernel = run_sync(_async_cleanup_kernel)

    def _kill_kernel(self):
        km = getattr(self, "km", None)
        process = getattr(getattr(km, "provisioner", None), "process", None) if km is not None else None
        if process is not None and process.poll() is None:
            try:
                process.kill()
            except OSError:
                pass

    def _budget_expired(self):
        if self._stop_reason is None:
            self._stop_reason = ("timeout", f"the notebook used up its time budget of {self.notebook_budget:g} s")
        self._kill_kernel()

    # ---- output cap --------------------------------------------------------------------------------------------
    def process_message(self, msg, cell, cell_index):
        if msg.get("msg_type") in OUTPUT_MESSAGES:
            content = msg.get("content", {})
            size = len(str(content.get("text", ""))) + sum(len(str(v)) for v in content.get("data", {}).values())
            size += sum(len(str(line)) for line in content.get("traceback", []) or [])
            self._output_bytes += size
            if self._output_bytes > self.output_limit_mb * 1024 * 1024:
                if not self._output_dropped:
                    self._output_dropped = True
                    cell.outputs.append(NotebookNode(output_type="stream", name="stdout", text=(
                        f"\n[output beyond {self.output_limit_mb:g} MB per notebook was dropped by the grader]\n")))
                if msg["msg_type"] != "error":
                    return None
        return super().process_message(msg, cell, cell_index)

    # ---- cells and probes --------------------------------------------------------------------------------------
    def preprocess_cell(self, cell, resources, index):
        if cell.cell_type != "code":
            return cell, resources
        grade_id = cell.get("metadata", {}).get("nbgrader", {}).get("grade_id")
        is_test = utils.is_grade(cell) and grade_id in self._plan
        if is_test:
            cell.source = self._plan[grade_id][0]
        if self._stop_reason is None and cell.source.strip():
            cell, resources = self._execute(cell, resources, index)
        elif self._stop_reason is not None:
            cell.outputs = list(cell.get("outputs", [])) + [self._not_run_error()]
        if is_test and grade_id not in self._asked:
            self._ask(grade_id, resources, index)
        if index == len(self.nb.cells) - 1:
            for missing in [g for g in self._plan if g not in self._asked]:
                self._ask(missing, resources, index)
        return cell, resources

    def _execute(self, cell, resources, index):
        try:
            return super().preprocess_cell(cell, resources, index)
        except DeadKernelError:
            if self._stop_reason is None:
                self._stop_reason = ("crashed", f"the kernel died while running cell {index}")
        except CellTimeoutError:
            if self._stop_reason is None:
                self._stop_reason = ("timeout", f"cell {index} did not finish within the {self.timeout} s cell "
                                                "timeout and ignored the interrupt (or flooded its output), so the "
                                                "kernel was stopped")
            self._kill_kernel()
        except Exception as exc:  # a broken channel (e.g. an oversized message) ends the run, never the grader
            if self._stop_reason is None:
                self._stop_reason = ("crashed", f"the kernel connection failed in cell {index}: {type(exc).__name__}")
            self._kill_kernel()
        if self._stop_reason is not None:
            cell.outputs = list(cell.get("outputs", [])) + [self._not_run_error()]
        return cell, resources

    def _ask(self, grade_id, resources, index):
        """Send the probes of ``grade_id`` into the kernel (one request) and record each answer, or why none."""
        self._asked.add(grade_id)
        probes = self._plan[grade_id][1]
        if self._stop_reason is not None:
            self._answers[grade_id] = [("error", f"not asked: {self._stop_reason[1]}")] * len(probes)
            return
        from backprop.probes import pack_data

        data_paths = []
        for number, probe in enumerate(probes):
            if not probe.data:
                data_paths.append(None)
                continue
            name = f"{grade_id}-{number}.npz"
            if self.sandboxed:
                data_paths.append(self._run.write_probe_data(name, pack_data(probe.data)))
            else:
                data_paths.append(_write_local(self._run.root / "probe" / name, pack_data(probe.data)))
        source, markers = probing.request(probes, data_paths)
        scratch = NotebookNode(cell_type="code", source=source, metadata={}, outputs=[], execution_count=None)
        real = self.nb.cells[index]
        try:
            self._execute(scratch, resources, index)
        finally:
            self.nb.cells[index] = real  # nbclient files an executed cell under its index
        self._answers[grade_id] = [probing.read_answer(scratch.outputs, marker) for marker in markers]

    def _not_run_error(self):
        status, message = self._stop_reason
        ename = "NotebookTimeout" if status == "timeout" else "KernelDied"
        return NotebookNode(output_type="error", ename=ename, evalue=message,
                            traceback=[f"\x1b[0;31m{ename}\x1b[0m: {message}; this cell was not run"])


def capped_client(max_message_bytes):
    """A kernel client class whose sockets keep the grader's memory flat whatever the kernel sends.

    A message bigger than ``max_message_bytes`` closes the connection, and at most RECEIVE_QUEUE messages wait in
    a socket's queue (a flooding kernel's PUB socket drops the rest, which ends that run, not this process). Its
    channels never sleep through a message that has arrived (see :mod:`backprop.steady_client`).
    """
    class CappedClient(SteadyKernelClient):
        @default("context")
        def _capped_context(self):
            context = zmq.asyncio.Context()
            context.setsockopt(zmq.MAXMSGSIZE, max_message_bytes)
            context.setsockopt(zmq.RCVHWM, RECEIVE_QUEUE)
            return context

    return CappedClient


def _write_local(path, payload):
    path.write_bytes(payload)
    return str(path)


def plan_from_source(source_nb, where=""):
    """{grade_id: (visible source, [Probe])} for every code test cell of an instructor (source) notebook."""
    plan = {}
    for cell in source_nb.cells:
        if cell.cell_type == "code" and utils.is_grade(cell):
            grade_id = cell.metadata.nbgrader["grade_id"]
            visible, hidden = probing.split_source(cell.source)
            found = probing.learn_probes(hidden, f"{where}{grade_id}") if hidden.strip() else []
            if not found:
                raise probing.AuthoringError(
                    f"test cell {where}{grade_id} declares no probes: a cell without hidden probes would pass "
                    "whenever no error appears; add checks.probe(...) calls in its hidden region")
            plan[grade_id] = (visible, found)
    return plan

