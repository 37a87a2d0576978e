"""Cold start from the built artifact: the predict function's Lambda init vs a bare FastAPI+Mangum function.

Both are built the same way (``sam build`` for python3.12, a makefile layer installed from
layers/constraints.txt for manylinux2014 x86_64, the same clean-up) and run the same way
(lambda_runner: a fresh ``python3.12 -I -S -B`` interpreter, Lambda's environment, tracing as the
predict function's), in the same run, alternating, several times; the figure is the median Init
Duration (interpreter start to handler imported, as Lambda's INIT phase). Init only: no event is
sent, so no database is needed. Three functions, same run:

- predict: the artifact as it deploys (on demand: the X-Ray SDK loads with botocore, not at init);
- predict without the lazy imports: the same artifact with ``NFLP_XRAY_AT_INIT=true`` (the X-Ray
  SDK, and the botocore it imports, at init, as before the lazy tracer);
- bare: FastAPI + Mangum and nothing else.

    python benchmarks/bench_cold_start.py [--rounds 9] [--build-dir .aws-sam/local-x86_64] [--importtime]

prints each median, the ratios to bare, and ``project X ms | reference Y ms | ratio Z | target 1.2 |
PASS/FAIL`` (exit 1 on FAIL). Where strace is installed, one more init of each counts its mmap calls:
CPython's frame-stack chunks freed and re-made at a boundary show there (handlers.load_handler).
``--importtime`` adds the heaviest imports of predict's init from the
artifact (``python -X importtime``), cumulative ms. Needs the dev extra (the sam CLI) unless both
builds exist already, and a CPython 3.12 (pyenv's, or NFLP_PYTHON312).
"""

from __future__ import annotations

import argparse
import dataclasses
import hashlib
import shutil
import statistics
import sys
import tempfile
from pathlib import Path

from nfl_predictor_dev.bench import syscalls
from nfl_predictor_dev.local import lambda_runner
from nfl_predictor_dev.local.invoke import FunctionSpec, function_spec

REPO = Path(__file__).resolve().parents[1]
TEMPLATE = REPO / "infra" / "template.yaml"
TARGET = 1.2  # issue 16 (issue 11 asked for 1.3)

BARE_APP = '''"""The reference: the least a FastAPI app behind Mangum can be."""
from fastapi import FastAPI
from mangum import Mangum

app = FastAPI()


@app.get("/health")
def health() -> dict:
    return {"status": "ok"}


handler = Mangum(app, lifespan="off")
'''

BARE_TEMPLATE = """AWSTemplateFormatVersion: "2010-09-09"
Transform: AWS::Serverless-2016-10-31
Resources:
  BareLayer:
    Type: AWS::Serverless::LayerVersion
    Properties:
      ContentUri: layer/
      CompatibleRuntimes: [python3.12]
    Metadata:
      BuildMethod: makefile
      BuildArchitecture: x86_64
  BareFunction:
    Type: AWS::Serverless::Function
    Properties:
      CodeUri: function/
      Handler: app.handler
      Runtime: python3.12
      Architectures: [x86_64]
      MemorySize: 1024
      Layers: [!Ref BareLayer]
"""

# The shared layer's Makefile, cut down to fastapi + mangum (same pins, same flags, same clean-up).
BARE_MAKEFILE = """PYTHON ?= python3.12
build-BareLayer:
\t$(PYTHON) -m pip install --quiet --only-binary=:all: --platform manylinux2014_x86_64 --implementation cp \\
\t\t--python-version 3.12 --target "$(ARTIFACTS_DIR)/python" fastapi mangum -c "{constraints}"
\tfind "$(ARTIFACTS_DIR)/python" -name "__pycache__" -type d -prune -exec rm -rf {{}} +
\trm -rf "$(ARTIFACTS_DIR)/python/bin"
\t$(PYTHON) -m compileall -q -j 0 --invalidation-mode unchecked-hash "$(ARTIFACTS_DIR)/python"
"""


def bare_build(root: Path) -> Path:
    """The reference's build, keyed on the lock and this script (rebuilt when either changes)."""
    constraints = REPO / "layers" / "constraints.txt"
    key = hashlib.sha256(constraints.read_bytes() + Path(__file__).read_bytes()).hexdigest()[:12]
    build_dir = root / f"bare-{key}"
    if (build_dir / "template.yaml").is_file():
        return build_dir
    with tempfile.TemporaryDirectory(prefix="nflp-bare-") as tmp:
        project = Path(tmp)
        (project / "layer").mkdir()
        (project / "function").mkdir()
        (project / "layer" / "Makefile").write_text(BARE_MAKEFILE.format(constraints=constraints))
        (project / "function" / "app.py").write_text(BARE_APP)
        (project / "function" / "requirements.txt").write_text("# everything comes from the layer\n")
        (project / "template.yaml").write_text(BARE_TEMPLATE)
        partial = root / f"bare-{key}.partial"
        shutil.rmtree(partial, ignore_errors=True)
        lambda_runner.build(project, project / "template.yaml", partial)
        partial.rename(build_dir)
    return build_dir


def bare_spec(predict: FunctionSpec) -> FunctionSpec:
    return dataclasses.replace(
        predict, logical_id="BareFunction", environment={}, function_name="bare-reference"
    )


def import_profile(spec: FunctionSpec, build_dir: Path, env: dict[str, str], top: int = 15) -> list[str]:
    """predict's init from the artifact under ``-X importtime``: the heaviest imports, cumulative."""
    import os
    import subprocess

    task_root, layer_paths = lambda_runner.artifact_paths(spec, build_dir)
    lambda_env = {**lambda_runner.lambda_environment(spec, task_root, tracing=spec.tracing), **env}
    with tempfile.TemporaryDirectory() as tmp:
        paths = [str(p) for p in (task_root, *layer_paths, lambda_runner.runtime_dir(Path(tmp)))]
        code = f"import sys; sys.path[:0] = {paths!r}; import app"
        done = subprocess.run([lambda_runner.runtime_python(spec.runtime), "-I", "-S", "-B", "-X", "importtime",
                               "-c", code], env={**lambda_env, "PATH": os.environ.get("PATH", "")},
                              cwd=task_root, capture_output=True, text=True)  # fmt: skip
    rows = []
    for line in done.stderr.splitlines():
        fields = line.removeprefix("import time:").split("|")
        if len(fields) == 3 and fields[1].strip().isdigit():
            rows.append((int(fields[1]) / 1000, fields[2].rstrip()))
    return [f"{ms:8.1f} ms {name}" for ms, name in sorted(rows, reverse=True)[:top]]


def mmap_calls(spec: FunctionSpec, build_dir: Path, layer: str, env: dict[str, str]) -> int | None:
    """mmap calls during one init (strace -c), or None without strace."""
    if not syscalls.available():
        return None
    with tempfile.TemporaryDirectory() as tmp:
        summary = Path(tmp) / "syscalls"
        lambda_runner.run(spec, [], repo=REPO, build_dir=build_dir, extra_env=env, layer_id=layer,
                          command_prefix=syscalls.strace_prefix(summary))  # fmt: skip
        return syscalls.calls(summary)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=9)
    parser.add_argument("--build-dir", type=Path, default=lambda_runner.default_build_dir(REPO))
    parser.add_argument("--importtime", action="store_true", help="also print predict's heaviest imports")
    args = parser.parse_args()
    build_dir = lambda_runner.ensure_build(REPO, TEMPLATE, args.build_dir, log=print)
    reference_dir = bare_build(REPO / ".aws-sam")
    predict = function_spec(TEMPLATE, "PredictFunction")
    bare = bare_spec(predict)
    # Unreachable on purpose: init must not touch the database (it is lazy); nothing is invoked anyway.
    env = {"DATABASE_URL": "postgresql://postgres@127.0.0.1:9/none"}
    eager = dataclasses.replace(predict, environment={**predict.environment, "NFLP_XRAY_AT_INIT": "true"})
    measured: dict[str, list[float]] = {"predict": [], "predict without lazy imports": [], "bare": []}
    runs = ((predict, build_dir, "SharedLayer", measured["predict"]),
            (eager, build_dir, "SharedLayer", measured["predict without lazy imports"]),
            (bare, reference_dir, "BareLayer", measured["bare"]))  # fmt: skip
    for _ in range(args.rounds):
        for spec, where, layer, out in runs:
            result = lambda_runner.run(spec, [], repo=REPO, build_dir=where, extra_env=env, layer_id=layer)
            if result.init_error is not None:
                print(f"{spec.logical_id} cannot start: {result.init_error['errorMessage']}", file=sys.stderr)
                return 1
            out.append(result.init_ms)
    reference = statistics.median(measured["bare"])
    print(f"rounds {args.rounds}, init duration from the built artifact (python3.12, x86_64), same run:")
    for name, values in measured.items():
        median = statistics.median(values)
        print(f"  {name:30s} median {median:6.0f} ms | min {min(values):6.0f} ms | "
              f"ratio to bare {median / reference:.2f} | all {sorted(round(v) for v in values)}")  # fmt: skip
    churn = {
        name: mmap_calls(spec, where, layer, env)
        for (spec, where, layer, _), name in zip(runs, measured, strict=True)
    }
    if None not in churn.values():
        print("  mmap calls during init (strace, one run each): "
              + " | ".join(f"{name} {count:,}" for name, count in churn.items()))  # fmt: skip
    if args.importtime:
        for spec, label in ((predict, "predict"), (eager, "predict without lazy imports")):
            print(f"heaviest imports, {label} (cumulative, -X importtime, one run):")
            print("\n".join(import_profile(spec, build_dir, env)))
    project = statistics.median(measured["predict"])
    ratio = project / reference
    verdict = "PASS" if ratio <= TARGET else "FAIL"
    print(
        f"project {project:.0f} ms | reference {reference:.0f} ms | ratio {ratio:.2f} | target {TARGET} | {verdict}"
    )
    return 0 if verdict == "PASS" else 1


if __name__ == "__main__":
    raise SystemExit(main())
