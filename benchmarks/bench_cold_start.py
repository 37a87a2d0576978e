"""Cold start from the built artifact: the predict function's Lambda init vs a bare FastAPI+Mangum function.

Both are built the same way (``sam build``, a makefile layer installed from layers/constraints.txt
for manylinux2014 x86_64, the same clean-up) and run the same way (lambda_runner: a fresh
``python -I -S -B`` interpreter, Lambda's environment, tracing as the predict function's), in the
same run, alternating, several times; the figure is the median Init Duration (interpreter start to
handler imported, as Lambda's INIT phase). Init only: no event is sent, so no database is needed.

    python benchmarks/bench_cold_start.py [--rounds 9] [--build-dir .aws-sam/local-x86_64]

prints ``project X ms | reference Y ms | ratio Z | target 1.3 | PASS/FAIL`` (exit 1 on FAIL).
Needs the dev extra (the sam CLI) unless both builds exist already.
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

from nfl_predictor_dev.local import lambda_runner
from nfl_predictor_dev.local.invoke import FunctionSpec, function_spec

REPO = Path(__file__).resolve().parents[1]
TEMPLATE = REPO / "infra" / "template.yaml"
TARGET = 1.3

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
      CompatibleRuntimes: [python3.11]
    Metadata:
      BuildMethod: makefile
      BuildArchitecture: x86_64
  BareFunction:
    Type: AWS::Serverless::Function
    Properties:
      CodeUri: function/
      Handler: app.handler
      Runtime: python3.11
      Architectures: [x86_64]
      MemorySize: 1024
      Layers: [!Ref BareLayer]
"""

# The shared layer's Makefile, cut down to fastapi + mangum (same pins, same flags, same clean-up).
BARE_MAKEFILE = """PYTHON ?= python3.11
build-BareLayer:
\t$(PYTHON) -m pip install --quiet --only-binary=:all: --platform manylinux2014_x86_64 --implementation cp \\
\t\t--python-version 3.11 --target "$(ARTIFACTS_DIR)/python" fastapi mangum -c "{constraints}"
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


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=9)
    parser.add_argument("--build-dir", type=Path, default=lambda_runner.default_build_dir(REPO))
    args = parser.parse_args()
    build_dir = lambda_runner.ensure_build(REPO, TEMPLATE, args.build_dir, log=print)
    reference_dir = bare_build(REPO / ".aws-sam")
    predict = function_spec(TEMPLATE, "PredictFunction")
    bare = bare_spec(predict)
    # Unreachable on purpose: init must not touch the database (it is lazy); nothing is invoked anyway.
    env = {"DATABASE_URL": "postgresql://postgres@127.0.0.1:9/none"}
    project_ms: list[float] = []
    reference_ms: list[float] = []
    untraced_ms: list[float] = []  # diagnostic: the same artifact with the X-Ray SDK never imported
    untraced = dataclasses.replace(
        predict, environment={**predict.environment, "POWERTOOLS_TRACE_DISABLED": "true"}
    )
    runs = ((predict, build_dir, "SharedLayer", project_ms), (bare, reference_dir, "BareLayer", reference_ms),
            (untraced, build_dir, "SharedLayer", untraced_ms))  # fmt: skip
    for _ in range(args.rounds):
        for spec, where, layer, out in runs:
            result = lambda_runner.run(spec, [], repo=REPO, build_dir=where, extra_env=env, layer_id=layer)
            if result.init_error is not None:
                print(f"{spec.logical_id} cannot start: {result.init_error['errorMessage']}", file=sys.stderr)
                return 1
            out.append(result.init_ms)
    project, reference = statistics.median(project_ms), statistics.median(reference_ms)
    ratio = project / reference
    verdict = "PASS" if ratio <= TARGET else "FAIL"
    print(f"rounds {args.rounds}; predict init ms {sorted(round(v) for v in project_ms)}; "
          f"bare init ms {sorted(round(v) for v in reference_ms)}")  # fmt: skip
    print(f"min: project {min(project_ms):.0f} ms | reference {min(reference_ms):.0f} ms | "
          f"ratio {min(project_ms) / min(reference_ms):.2f}")  # fmt: skip
    untraced_median = statistics.median(untraced_ms)
    print(f"diagnostic, predict with POWERTOOLS_TRACE_DISABLED=true (no X-Ray SDK import): "
          f"{untraced_median:.0f} ms | ratio {untraced_median / statistics.median(reference_ms):.2f}")  # fmt: skip
    print(
        f"project {project:.0f} ms | reference {reference:.0f} ms | ratio {ratio:.2f} | target {TARGET} | {verdict}"
    )
    return 0 if verdict == "PASS" else 1


if __name__ == "__main__":
    raise SystemExit(main())
