#!/usr/bin/env bash
# Mutation testing (mutmut 3, configured in pyproject.toml [tool.mutmut]) of the modules that guard
# access, cache correctness and stored data. Not part of CI (see README, "Testing").
#
#   scripts/mutation-test.sh                          # mutmut run: every mutant (results kept in mutants/)
#   scripts/mutation-test.sh run 'nfl_predictor.service.accounts*'   # one module's mutants
#   scripts/mutation-test.sh results                  # survivors
#   scripts/mutation-test.sh show <mutant>            # the diff of one mutant
#
# mutmut 3 names a mutant after its file's path and strips only a leading "src." from it, so the
# package (which lives in shared/) is offered to it as src/: a symlink made here and removed again.
# One embedded Postgres with a migrated template serves every per-mutant pytest session
# (tests/mutmut_plugin.py); it is stopped and deleted on exit.
set -euo pipefail
cd "$(dirname "$0")/.."
PYTHON="${PYTHON:-.venv/bin/python}"
MUTMUT="${MUTMUT:-.venv/bin/mutmut}"
created=""
pgdata=""
cleanup() {
    if [ -n "$pgdata" ]; then "$PYTHON" -m tests.mutmut_plugin stop "$pgdata" || true; fi
    if [ -n "$created" ]; then rm -f src; fi
}
trap cleanup EXIT
trap "exit 130" INT TERM
if [ ! -e src ]; then
    ln -s shared src
    created=1
fi
if [ "$#" -eq 0 ]; then set -- run; fi
if [ "$1" = "run" ]; then
    pgdata="$("$PYTHON" -m tests.mutmut_plugin start)"
    export NFLP_TEST_SHARED_PGDATA="$pgdata"
fi
"$MUTMUT" "$@"
