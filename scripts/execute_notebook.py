"""Execute a notebook in the course kernel with nbclient and save it with its outputs.

usage: execute_notebook.py IN.ipynb OUT.ipynb [--timeout SECONDS] [--stop-on-error] [--progress]

Run with Debian's /usr/bin/python3 and the environment the course's Node tools set (JUPYTER_PATH
pointing at the project-local .jupyter folder). Cells run from the repository root, like the kernel.
A cell that runs longer than --timeout is stopped (the kernel is interrupted, as ■ does; restarted, with
the cells before it run again, when it does not stop) and marked in its metadata
(rnn_lessons.timed_out = seconds); the cells after it still run. --progress prints one JSON line per
executed cell on stdout: {"cell": INDEX} (and "timed_out": SECONDS when it was stopped).
"""
import argparse
import asyncio
import json
import os
import sys
from queue import Empty

import nbformat
from nbclient import NotebookClient
from nbclient.exceptions import CellExecutionError, CellTimeoutError, DeadKernelError
from nbclient.util import ensure_async


class KernelDidNotStop(Exception):
    """The kernel ignored the interrupt of a timed-out cell."""


class Client(NotebookClient):
    async def _async_handle_timeout(self, timeout, cell=None):
        marks = cell.metadata.setdefault("rnn_lessons", {})
        if "timed_out" in marks:
            raise KernelDidNotStop()
        # Stop the cell as ■ would, and keep waiting for the kernel's reply to it.
        marks["timed_out"] = timeout
        exercise = marks.get("exercise")
        if exercise:
            self.stopped.add(exercise)
            # The check log tells the kernel's withFallback to use the library's version from now on.
            log = os.environ.get("RNN_LESSONS_GRADE_LOG")
            if log:
                with open(log, "a") as f:
                    f.write(json.dumps({"exercise": exercise, "hidden": marks.get("role") == "hidden", "status": "timed-out",
                                        "rows": [], "message": f"timed out after {timeout} s"}) + "\n")
        await ensure_async(self.km.interrupt_kernel())
        return None

    async def run_quietly(self, source):
        """Runs code in the kernel with no outputs kept (to rebuild state after a restart)."""
        msg_id = await ensure_async(self.kc.execute(source, store_history=False, stop_on_error=False))
        while True:
            msg = await ensure_async(self.kc.shell_channel.get_msg(timeout=max(self.timeout, 120)))
            if msg["parent_header"].get("msg_id") == msg_id:
                await asyncio.sleep(0.3)
                return

    async def restart(self, index):
        """A fresh kernel with the state of the cells before `index` (not the checks: they only report)."""
        await ensure_async(self.km.restart_kernel(now=True))
        await ensure_async(self.kc.wait_for_ready(timeout=self.startup_timeout))
        for earlier in self.nb.cells[:index]:
            marks = earlier.metadata.get("rnn_lessons", {})
            if earlier.cell_type == "code" and "timed_out" not in marks and marks.get("role") not in ("check", "hidden"):
                try:
                    await self.run_quietly(earlier.source)
                except Empty:
                    return  # that cell hangs too: go on without its state

    async def run_all(self):
        self.stopped = set()  # exercises with a timed-out cell: their other checks would only time out again
        async with self.async_setup_kernel():
            for index, cell in enumerate(self.nb.cells):
                marks = cell.metadata.get("rnn_lessons", {})
                if marks.get("exercise") in self.stopped and marks.get("role") in ("check", "hidden"):
                    await report_progress(self, index)
                    continue
                try:
                    await self.async_execute_cell(cell, index, execution_count=self.code_cells_executed + 1)
                except KernelDidNotStop:
                    # The kernel ignored the interrupt: restart it and run the cells before this one again, so
                    # that the cells after it find the variables they need.
                    await self.restart(index)
                await report_progress(self, index)
        return self.nb


async def pause_after_error(cell, cell_index, execute_reply):
    # tslab drops every request that reaches it within 200 ms of a failed cell (its fix for
    # yunabe/tslab#19); wait that out so the cells after a learner's error still run.
    if execute_reply and execute_reply.get("content", {}).get("status") == "error":
        await asyncio.sleep(0.3)


async def report_progress(client, index):
    if client.progress:
        marks = client.nb.cells[index].metadata.get("rnn_lessons", {})
        print(json.dumps({"cell": index, **({"timed_out": marks["timed_out"]} if "timed_out" in marks else {})}), flush=True)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("source")
    ap.add_argument("target")
    ap.add_argument("--timeout", type=int, default=900, help="seconds per cell")
    ap.add_argument("--kernel", default="rnn-lessons")
    ap.add_argument("--stop-on-error", action="store_true")
    ap.add_argument("--progress", action="store_true")
    args = ap.parse_args()

    status = 0
    for attempt in (1, 2):
        nb = nbformat.read(args.source, as_version=4)
        client = Client(
            nb,
            timeout=args.timeout,
            kernel_name=args.kernel,
            allow_errors=not args.stop_on_error,
            record_timing=True,
            on_cell_executed=pause_after_error,
            resources={"metadata": {"path": os.getcwd()}},
        )
        client.progress = args.progress
        try:
            asyncio.run(client.run_all())
        except AssertionError:
            # nbclient's bare assert when it has no kernel client (jupyter/nbclient#126): a kernel that died while
            # starting, seen once when two notebooks were graded at once. Start it once more if no cell ran.
            if attempt == 1 and client.code_cells_executed == 0:
                continue
            raise
        except (CellExecutionError, CellTimeoutError, DeadKernelError) as err:
            print(f"execute_notebook: {type(err).__name__}: {str(err).splitlines()[0] if str(err) else ''}", file=sys.stderr)
            status = 1
        break
    nbformat.write(nb, args.target)
    sys.exit(status)


if __name__ == "__main__":
    main()
