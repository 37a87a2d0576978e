"""The Lambda-faithful runner: a function run from the ``sam build`` output, in a fresh interpreter.

What the python3.12 Lambda runtime gives a function, reproduced here (no Docker):

- the interpreter: the CPython of the function's runtime (``python3.12``: the layer's bytecode and C
  extensions are built for it), found by ``runtime_python`` (``NFLP_PYTHON312``-style override,
  then pyenv's versions, then PATH), not the developer's interpreter.

- ``sys.path``: the function's code (``LAMBDA_TASK_ROOT``), the layer (``/opt/python`` -> the built
  layer's ``python/``), then the runtime's own boto3/botocore (``/var/runtime`` -> the boto3 closure
  of this environment), and the standard library. Nothing else: the interpreter runs with
  ``-I -S``, so the developer's site-packages (and the in-tree source) are invisible, and ``-B``:
  /opt and /var/task are read-only in Lambda, so no bytecode is written beside the code either.
- the environment Lambda sets (``AWS_LAMBDA_FUNCTION_NAME``, ``_HANDLER``, ``LAMBDA_TASK_ROOT``,
  ``AWS_REGION``, the log group, X-Ray's variables when the template turns tracing on...) plus the
  function's template environment resolved locally (``invoke.function_spec``) and the local stack's
  ``DATABASE_URL`` / ``REDIS_URL``.
- init (importing the handler module) then one call per event, with a REPORT line like Lambda's.

The build is the x86_64 one (``LAYER_PLATFORM=manylinux2014_x86_64``: the same locked versions as
the arm64 layer AWS runs, wheels for this machine), made with the ``sam`` CLI when it is missing or
older than the sources. ``source=True`` runs the in-tree code the same way instead (the function's
folder, ``shared/`` and this environment's site-packages).
"""

from __future__ import annotations

import glob
import json
import os
import shutil
import subprocess
import sys
import sysconfig
import tempfile
import time
import uuid
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from nfl_predictor_dev.local.invoke import PSEUDO_PARAMETERS, FunctionSpec, InvokeError

BOOTSTRAP = Path(__file__).with_name("lambda_bootstrap.py")
LOCAL_PLATFORM = "manylinux2014_x86_64"
# The boto3 closure the Lambda runtime carries in /var/runtime (taken from this environment).
RUNTIME_PACKAGES = ("boto3", "botocore", "s3transfer", "jmespath", "dateutil", "six.py", "urllib3")
# What the function's built artifact is made from: a newer file here means the build is stale.
SOURCE_PATHS = ("shared/nfl_predictor", "functions", "layers", "infra/template.yaml")
# Passed through from the caller: how to reach the local stack, and where the process may write.
PASSED_THROUGH = ("DATABASE_URL", "REDIS_URL", "PATH", "TMPDIR")


def runtime_python(runtime: str = "python3.12") -> str:
    """The interpreter for a Lambda runtime name (``python3.12`` -> a working ``python3.12``).

    ``NFLP_PYTHON312`` (``NFLP_PYTHON`` + the version without its dot) overrides; then pyenv's
    installs (their shims refuse a version that is not selected), then PATH.
    """
    version = runtime.removeprefix("python")
    name = f"python{version}"
    override = os.environ.get(f"NFLP_PYTHON{version.replace('.', '')}")  # env plumbing: a tool path
    pyenv_root = os.environ.get("PYENV_ROOT") or str(Path.home() / ".pyenv")  # env plumbing
    candidates: list[str] = [override] if override else []
    candidates += sorted(glob.glob(f"{pyenv_root}/versions/{version}.*/bin/{name}"), reverse=True)
    candidates += [found] if (found := shutil.which(name)) else []
    if sys.version_info[:2] == tuple(int(part) for part in version.split(".")):
        candidates.append(sys.executable)
    for candidate in candidates:
        if candidate and subprocess.run([candidate, "-c", ""], capture_output=True).returncode == 0:
            return candidate
    raise InvokeError(f"no working {name} for the {runtime} runtime: install CPython {version} "
                      f"(pyenv install {version}) or set NFLP_PYTHON{version.replace('.', '')}")  # fmt: skip


def sam_build_env(runtime: str = "python3.12", path: str | None = None) -> dict[str, str]:
    """What ``sam build`` (no container) needs for the runtime: ``python3.12`` on PATH (after this
    environment's bin, whose ``python``/``pip``/``sam`` stay first) and layers/Makefile's PYTHON
    set to that exact interpreter (never a pyenv shim, which refuses an unselected version)."""
    interpreter = Path(runtime_python(runtime))
    base = os.environ.get("PATH", "") if path is None else path  # env plumbing
    return {"PATH": os.pathsep.join([str(Path(sys.executable).parent), str(interpreter.parent), base]),
            "PYTHON": str(interpreter)}  # fmt: skip


def default_build_dir(repo: Path) -> Path:
    return repo / ".aws-sam" / "local-x86_64"


@dataclass
class Invocation:
    request_id: str
    response: Any
    error: dict[str, Any] | None
    duration_ms: float
    max_memory_mb: float
    init_ms: float | None = None  # only on the first invocation of an environment, as in Lambda

    def report_line(self, memory_size_mb: int) -> str:
        line = (
            f"REPORT RequestId: {self.request_id}\tDuration: {self.duration_ms:.2f} ms\t"
            f"Billed Duration: {max(1, int(self.duration_ms + 0.999))} ms\tMemory Size: {memory_size_mb} MB\t"
            f"Max Memory Used: {int(self.max_memory_mb + 0.999)} MB"
        )
        if self.init_ms is not None:
            line += f"\tInit Duration: {self.init_ms:.2f} ms"
        return line


@dataclass
class RunResult:
    spec: FunctionSpec
    init_ms: float
    init_error: dict[str, Any] | None
    invocations: list[Invocation] = field(default_factory=list)
    logs: str = ""
    snapstart: dict[str, int] | None = None  # hooks run around the simulated snapshot, by kind

    @property
    def ok(self) -> bool:
        return self.init_error is None and all(i.error is None for i in self.invocations)


def _newest_mtime(repo: Path) -> float:
    newest = 0.0
    for rel in SOURCE_PATHS:
        path = repo / rel
        files = [path] if path.is_file() else (p for p in path.rglob("*") if p.is_file())
        for item in files:
            if "__pycache__" not in item.parts:
                newest = max(newest, item.stat().st_mtime)
    return newest


def build_is_current(repo: Path, build_dir: Path) -> bool:
    marker = build_dir / "template.yaml"
    return marker.is_file() and marker.stat().st_mtime >= _newest_mtime(repo)


def sam_executable() -> str | None:
    beside = Path(sys.executable).with_name("sam")
    return str(beside) if beside.is_file() else shutil.which("sam")


def build(
    repo: Path, template: Path, build_dir: Path, *, log: Any = None, runtime: str = "python3.12"
) -> Path:
    """``sam build`` (no container) for this machine's architecture; the layer from the lock file.

    sam (no container) needs the runtime's interpreter on PATH as ``python3.12``: its directory goes
    after this environment's (whose ``python``/``pip`` stay first)."""
    sam = sam_executable()
    if sam is None:
        raise InvokeError(
            f"no current build in {build_dir} and the sam CLI is not installed: pip install aws-sam-cli "
            f"(or the dev extra) and run `LAYER_PLATFORM={LOCAL_PLATFORM} sam build -t {template} "
            f"--build-dir {build_dir}`, or run the in-tree code with --source"
        )
    if log:
        log(f"building {build_dir} with sam build (sources changed or no build yet)")
    env = {**os.environ, "LAYER_PLATFORM": LOCAL_PLATFORM, "SAM_CLI_TELEMETRY": "0", **sam_build_env(runtime)}
    done = subprocess.run(
        [sam, "build", "-t", str(template), "--build-dir", str(build_dir)],
        cwd=repo, env=env, capture_output=True, text=True,
    )  # fmt: skip
    if done.returncode != 0:
        tail = "\n".join((done.stdout + done.stderr).strip().splitlines()[-15:])
        raise InvokeError(f"sam build failed (exit {done.returncode}):\n{tail}")
    platform_file = build_dir / "SharedLayer" / "python" / ".nflp-layer-platform"
    if platform_file.is_file() and platform_file.read_text().strip() != LOCAL_PLATFORM:
        raise InvokeError(f"{build_dir}: the layer was built for {platform_file.read_text().strip()}")
    return build_dir


def ensure_build(repo: Path, template: Path, build_dir: Path, *, log: Any = None) -> Path:
    if build_is_current(repo, build_dir):
        return build_dir
    return build(repo, template, build_dir, log=log)


def runtime_dir(cache_root: Path) -> Path:
    """A stand-in for /var/runtime: links to this environment's boto3 closure, nothing else."""
    import boto3

    site = Path(boto3.__file__).resolve().parent.parent
    target = cache_root / "lambda-runtime"
    target.mkdir(parents=True, exist_ok=True)
    for name in RUNTIME_PACKAGES:
        source, link = site / name, target / name
        if source.exists() and not link.exists():
            link.symlink_to(source)
    return target


def artifact_paths(
    spec: FunctionSpec, build_dir: Path, layer_id: str = "SharedLayer"
) -> tuple[Path, list[Path]]:
    """(LAMBDA_TASK_ROOT, the layer's sys.path entries) for the built function."""
    task_root = build_dir / spec.logical_id
    layer = build_dir / layer_id / "python"
    if not (task_root / "app.py").exists() and not task_root.is_dir():
        raise InvokeError(f"{task_root}: {spec.logical_id} is not in the build")
    if not layer.is_dir():
        raise InvokeError(f"{layer}: the shared layer is not in the build")
    return task_root, [layer / "lib" / spec.runtime / "site-packages", layer]


def source_paths(spec: FunctionSpec, repo: Path) -> tuple[Path, list[Path]]:
    """The in-tree code: the function's folder, shared/, and this environment's site-packages."""
    return spec.code_dir, [repo / "shared"]


def environment_site_dirs() -> list[str]:
    """This environment's site-packages, .pth files (editable installs) included: for --source only."""
    return list(dict.fromkeys([sysconfig.get_paths()["purelib"], sysconfig.get_paths()["platlib"]]))


def lambda_environment(spec: FunctionSpec, task_root: Path, *, tracing: bool,
                       region: str = PSEUDO_PARAMETERS["AWS::Region"]) -> dict[str, str]:  # fmt: skip
    """What Lambda sets for a Python function, then the template's variables, then the stack's."""
    stream = f"{time.strftime('%Y/%m/%d')}/[$LATEST]{uuid.uuid4().hex}"
    env = {
        "AWS_LAMBDA_FUNCTION_NAME": spec.function_name,
        "AWS_LAMBDA_FUNCTION_MEMORY_SIZE": str(spec.memory_mb),
        "AWS_LAMBDA_FUNCTION_VERSION": "$LATEST",
        "AWS_LAMBDA_INITIALIZATION_TYPE": "on-demand",
        "AWS_LAMBDA_LOG_GROUP_NAME": f"/aws/lambda/{spec.function_name}",
        "AWS_LAMBDA_LOG_STREAM_NAME": stream,
        "AWS_LAMBDA_RUNTIME_API": "127.0.0.1:9001",
        "AWS_EXECUTION_ENV": f"AWS_Lambda_{spec.runtime}",
        "AWS_REGION": region,
        "AWS_DEFAULT_REGION": region,
        "_HANDLER": spec.handler,
        "LAMBDA_TASK_ROOT": str(task_root),
        "LAMBDA_RUNTIME_DIR": "/var/runtime",
        "LANG": "en_US.UTF-8",
        "TZ": ":UTC",
        "PYTHONUNBUFFERED": "1",
        # The execution role's session credentials (placeholders: nothing here calls AWS) and no
        # instance metadata lookups, which would leave the machine.
        "AWS_ACCESS_KEY_ID": "ASIALOCALRUNNER00000",
        "AWS_SECRET_ACCESS_KEY": "local-runner-placeholder",
        "AWS_SESSION_TOKEN": "local-runner-placeholder",
        "AWS_EC2_METADATA_DISABLED": "true",
        # Not Lambda's: every AWS API call (CloudWatch, SNS, S3, Secrets Manager) goes to a closed
        # loopback port and fails at once; nothing here may leave the machine.
        "AWS_ENDPOINT_URL": "http://127.0.0.1:9",
    }
    if tracing:
        # Tracing: Active. The X-Ray daemon address is loopback here (nothing listens; UDP is fire and forget).
        env.update({"AWS_XRAY_CONTEXT_MISSING": "LOG_ERROR", "AWS_XRAY_DAEMON_ADDRESS": "127.0.0.1:2000",
                    "_AWS_XRAY_DAEMON_ADDRESS": "127.0.0.1", "_AWS_XRAY_DAEMON_PORT": "2000"})  # fmt: skip
    env.update(spec.environment)
    env.update({name: os.environ[name] for name in PASSED_THROUGH if os.environ.get(name)})  # env plumbing
    return env


def run(spec: FunctionSpec, events: list[Any], *, repo: Path, build_dir: Path | None = None,
        source: bool = False, extra_env: dict[str, str] | None = None, layer_id: str = "SharedLayer",
        init_timeout_s: float = 60.0, snapstart: bool = False,
        command_prefix: tuple[str, ...] = ()) -> RunResult:  # fmt: skip
    """One fresh execution environment: init, then each event in turn. Logs are collected, not printed.

    ``command_prefix``: run the interpreter under a tool (``("strace", "-f", "-c", ...)``, say).

    ``snapstart``: init as SnapStart does it (``AWS_LAMBDA_INITIALIZATION_TYPE=snap-start``), then the
    registered before-snapshot and after-restore hooks, then the events (see lambda_bootstrap)."""
    if source:
        task_root, layer_paths = source_paths(spec, repo)
    else:
        task_root, layer_paths = artifact_paths(spec, build_dir or default_build_dir(repo), layer_id)
    env = lambda_environment(spec, task_root, tracing=spec.tracing)
    if snapstart:
        env["AWS_LAMBDA_INITIALIZATION_TYPE"] = "snap-start"
    env.update(extra_env or {})
    with tempfile.TemporaryDirectory(prefix="nflp-lambda-") as tmp:
        result_path = Path(tmp) / "result.json"
        paths = [task_root, *layer_paths, runtime_dir(Path(tmp))]
        job = {"paths": [str(p) for p in paths], "events": events, "snapstart": snapstart,
               "site_dirs": environment_site_dirs() if source else [], "result_path": str(result_path),
               "function_name": spec.function_name, "memory_mb": spec.memory_mb, "timeout_s": spec.timeout_s,
               "function_arn": f"arn:aws:lambda:{env['AWS_REGION']}:{PSEUDO_PARAMETERS['AWS::AccountId']}"
                               f":function:{spec.function_name}",
               "log_group": env["AWS_LAMBDA_LOG_GROUP_NAME"], "log_stream": env["AWS_LAMBDA_LOG_STREAM_NAME"]}  # fmt: skip
        spawned = time.time()
        try:
            interpreter = sys.executable if source else runtime_python(spec.runtime)
            done = subprocess.run(
                [*command_prefix, interpreter, "-I", "-S", "-B", str(BOOTSTRAP)], input=json.dumps(job, default=str),
                env=env, cwd=task_root, capture_output=True, text=True,
                timeout=init_timeout_s + spec.timeout_s * max(1, len(events)),
            )  # fmt: skip
        except subprocess.TimeoutExpired as exc:
            raise InvokeError(f"{spec.logical_id}: Task timed out after {exc.timeout:.0f} seconds") from None
        logs = done.stdout + done.stderr
        if not result_path.exists():
            raise InvokeError(f"{spec.logical_id}: the runtime exited {done.returncode} without a result:\n"
                              + "\n".join(logs.strip().splitlines()[-20:]))  # fmt: skip
        raw = json.loads(result_path.read_text(encoding="utf-8"))
    # Lambda's Init Duration covers starting the runtime and importing the handler.
    init_ms = (raw["init_done_wall"] - spawned) * 1000
    invocations = [Invocation(**item) for item in raw["invocations"]]
    if invocations:
        invocations[0].init_ms = init_ms
    return RunResult(
        spec=spec,
        init_ms=init_ms,
        init_error=raw["init_error"],
        invocations=invocations,
        logs=logs,
        snapstart=raw.get("snapstart"),
    )
