"""Drives the course kernel through jupyter_client as a learner's Jupyter does, for the interrupt tests.

usage: python3 kernel_session.py STEPS.json  (with the course's JUPYTER_PATH etc. in the environment)
STEPS: [{"code": "...", "interrupt_after": seconds (optional), "timeout": seconds (optional)}, ...]
Prints one JSON object: {"steps": [{"status", "stdout", "stderr", "errors", "alive"}], "alive_at_end",
"exited_on_request"}: with KERNEL_SESSION_GRACEFUL=1 the kernel is asked to shut down as Jupyter asks it, and
exited_on_request says whether its process ended by itself within 10 s (else it is killed).
"""
import json
import os
import queue
import sys
import time

from jupyter_client import KernelManager


def execute(km, kc, step):
    msg_id = kc.execute(step["code"])
    started = time.time()
    interrupt_at = step.get("interrupt_after")
    result = {"status": None, "stdout": "", "stderr": "", "errors": [], "alive": True}
    idle = False
    while time.time() - started < step.get("timeout", 120):
        if interrupt_at is not None and time.time() - started >= interrupt_at:
            km.interrupt_kernel()
            interrupt_at = None
        if not km.is_alive():
            result["alive"] = False
            return result
        try:
            msg = kc.get_iopub_msg(timeout=0.1)
            if msg["parent_header"].get("msg_id") == msg_id:
                kind, content = msg["msg_type"], msg["content"]
                if kind == "stream":
                    result[content["name"]] += content["text"]
                elif kind == "error":
                    result["errors"].append(f"{content['ename']}: {content['evalue']}")
                elif kind == "status" and content["execution_state"] == "idle":
                    idle = True
        except queue.Empty:
            pass
        try:
            reply = kc.get_shell_msg(timeout=0.01)
            if reply["parent_header"].get("msg_id") == msg_id:
                result["status"] = reply["content"]["status"]
        except queue.Empty:
            pass
        if idle and result["status"]:
            return result
    result["status"] = result["status"] or "timeout"
    return result


def main():
    steps = json.load(open(sys.argv[1]))
    km = KernelManager(kernel_name="rnn-lessons")
    km.start_kernel()
    kc = km.client()
    kc.start_channels()
    kc.wait_for_ready(timeout=120)
    results = []
    try:
        for step in steps:
            results.append(execute(km, kc, step))
            if not results[-1]["alive"]:
                break
            time.sleep(step.get("settle", 0))
        alive = km.is_alive()
        exited = None
        if os.environ.get("KERNEL_SESSION_GRACEFUL") == "1" and alive:
            km.request_shutdown()
            deadline = time.time() + 10
            while km.is_alive() and time.time() < deadline:
                time.sleep(0.1)
            exited = not km.is_alive()
    finally:
        kc.stop_channels()
        if km.is_alive():
            km.shutdown_kernel(now=True)
    print(json.dumps({"steps": results, "alive_at_end": alive, "exited_on_request": exited}))


main()
