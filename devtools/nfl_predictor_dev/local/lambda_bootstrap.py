"""Run by a fresh ``python -I -S`` interpreter: the Lambda Python runtime's part, locally.

Standard library only, and nothing of the developer's environment: ``-S`` keeps site-packages off
``sys.path``; the paths come from the runner (the function's code, the layer, the runtime's boto3),
in Lambda's order. Reads one JSON job from stdin (handler, paths, events, context fields), imports
the handler like the runtime's init phase, calls it once per event, and writes one JSON result to
the file the runner names: responses (or Lambda's error documents), durations, memory.

With ``snapstart`` in the job, between init and the first event it does what SnapStart does around
a snapshot: runs the hooks registered with ``snapshot_restore_py`` (before-snapshot in reverse order
of registration, then after-restore in order, as the managed runtime does), so the events are
answered by a "restored" environment.
"""

import importlib
import json
import os
import resource
import site
import sys
import time
import traceback
import uuid
from typing import Any


class Context:
    """The fields of Lambda's context object that handlers and Powertools read."""

    def __init__(self, job, deadline):
        self.function_name = job["function_name"]
        self.function_version = "$LATEST"
        self.invoked_function_arn = job["function_arn"]
        self.memory_limit_in_mb = int(job["memory_mb"])
        self.aws_request_id = str(uuid.uuid4())
        self.log_group_name = job["log_group"]
        self.log_stream_name = job["log_stream"]
        self.identity = None
        self.client_context = None
        self._deadline = deadline

    def get_remaining_time_in_millis(self):
        return max(0, int((self._deadline - time.monotonic()) * 1000))


def error_document(exc, error_type=None):
    return {
        "errorMessage": str(exc),
        "errorType": error_type or type(exc).__name__,
        "stackTrace": traceback.format_exception(exc),
    }


def max_memory_mb():
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # KiB on Linux


def snapshot_and_restore(result, handler):
    """SnapStart's hooks around a snapshot; a failing hook fails the environment, as in Lambda."""
    hooks = sys.modules.get("snapshot_restore_py")
    ran = {"before_snapshot": 0, "after_restore": 0}
    result["snapstart"] = ran
    if hooks is None:
        return handler
    try:
        before = hooks.get_before_snapshot()
        while before:
            func, args, kwargs = before.pop()
            func(*args, **kwargs)
            ran["before_snapshot"] += 1
        for func, args, kwargs in hooks.get_after_restore():
            func(*args, **kwargs)
            ran["after_restore"] += 1
    except Exception as exc:
        result["init_error"] = error_document(exc, "Runtime.SnapStartHookError")
        return None
    return handler


def main():
    job = json.loads(sys.stdin.read())
    sys.path[:0] = job["paths"]
    for site_dir in job.get("site_dirs", []):  # --source only: the developer's environment
        site.addsitedir(site_dir)
    init_started = time.monotonic()
    module_name, _, attr = os.environ["_HANDLER"].rpartition(".")  # env plumbing
    result: dict[str, Any] = {"init_error": None, "invocations": []}
    try:
        module = importlib.import_module(module_name)
        handler = getattr(module, attr)
    except Exception as exc:
        # Lambda's own wording for a handler that cannot load.
        result["init_error"] = error_document(
            Exception(f"Unable to import module '{module_name}': {exc}"), "Runtime.ImportModuleError"
        )
        handler = None
    result["init_done_wall"] = time.time()
    result["init_ms"] = (time.monotonic() - init_started) * 1000
    result["init_max_memory_mb"] = max_memory_mb()
    if handler is not None and job.get("snapstart"):
        handler = snapshot_and_restore(result, handler)
    if handler is not None:
        for event in job["events"]:
            started = time.monotonic()
            context = Context(job, started + float(job["timeout_s"]))
            trace_id = f"Root=1-{int(time.time()):08x}-{uuid.uuid4().hex[:24]};Parent={uuid.uuid4().hex[:16]};Sampled=1"
            os.environ["_X_AMZN_TRACE_ID"] = trace_id
            try:
                response, error = handler(event, context), None
            except Exception as exc:
                response, error = None, error_document(exc)
            result["invocations"].append(
                {
                    "request_id": context.aws_request_id,
                    "response": response,
                    "error": error,
                    "duration_ms": (time.monotonic() - started) * 1000,
                    "max_memory_mb": max_memory_mb(),
                }
            )
    sys.stdout.flush()
    sys.stderr.flush()
    with open(job["result_path"], "w", encoding="utf-8") as out:
        json.dump(result, out, default=str)


if __name__ == "__main__":
    main()
