"""Execute a notebook in the course kernel with nbclient and save it with its outputs.

usage: execute_notebook.py IN.ipynb OUT.ipynb [--timeout SECONDS] [--stop-on-error]

Run with Debian's /usr/bin/python3 and the environment the course's Node tools set (JUPYTER_PATH
pointing at the project-local .jupyter folder). Cells run from the repository root, like the kernel.
"""
import argparse
import asyncio
import os
import sys

import nbformat
from nbclient import NotebookClient
from nbclient.exceptions import CellExecutionError, CellTimeoutError, DeadKernelError


async def pause_after_error(cell, cell_index, execute_reply):
    # tslab drops every request that reaches it within 200 ms of a failed cell (its fix for
    # yunabe/tslab#19); wait that out so the cells after a learner's error still run.
    if execute_reply and execute_reply.get("content", {}).get("status") == "error":
        await asyncio.sleep(0.3)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("source")
    ap.add_argument("target")
    ap.add_argument("--timeout", type=int, default=900, help="seconds per cell")
    ap.add_argument("--kernel", default="rnn-lessons")
    ap.add_argument("--stop-on-error", action="store_true")
    args = ap.parse_args()

    nb = nbformat.read(args.source, as_version=4)
    client = NotebookClient(
        nb,
        timeout=args.timeout,
        kernel_name=args.kernel,
        allow_errors=not args.stop_on_error,
        record_timing=True,
        on_cell_executed=pause_after_error,
        resources={"metadata": {"path": os.getcwd()}},
    )
    status = 0
    try:
        client.execute()
    except (CellExecutionError, CellTimeoutError, DeadKernelError) as err:
        print(f"execute_notebook: {type(err).__name__}: {str(err).splitlines()[0] if str(err) else ''}", file=sys.stderr)
        status = 1
    nbformat.write(nb, args.target)
    sys.exit(status)


if __name__ == "__main__":
    main()
