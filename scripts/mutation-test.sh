#!/usr/bin/env bash
# Mutation testing (mutmut 3, configured in pyproject.toml [tool.mutmut]) of the modules that guard
# access, cache correctness and stored data. Not part of CI (see README, "Testing").
#
#   scripts/mutation-test.sh access|cache|data|grading   # one group of modules (a few minutes each)
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
# Groups: the modules that guard one thing. mutmut runs, for each mutant, only the tests that called
# the mutated function in its stats run (kept in mutants/mutmut-stats.json), fastest first, stopping
# at the first failure; the test files it may choose from are pyproject's selection.
case "${1:-}" in
    access) shift; set -- run "$@" 'nfl_predictor.service.accounts*' 'nfl_predictor.db.queries.accounts*' \
        'nfl_predictor.service.auth*' 'nfl_predictor.api.security*' 'nfl_predictor.service.ratelimit*' ;;
    cache) shift; set -- run "$@" 'nfl_predictor.cache.keys*' 'nfl_predictor.cache.invalidation*' \
        'nfl_predictor.cache.resolver*' 'nfl_predictor.service.views*' 'nfl_predictor.service.cache_keys*' \
        'nfl_predictor.service.documents*' ;;
    data) shift; set -- run "$@" 'nfl_predictor.data.ingest*' 'nfl_predictor.db.queries.ingest*' \
        'nfl_predictor.data.nflverse*' 'nfl_predictor.db.migrate*' ;;
    grading) shift; set -- run "$@" 'nfl_predictor.engine.grading*' 'nfl_predictor.service.grading*' \
        'nfl_predictor.db.queries.grading*' 'nfl_predictor.service.backfill*' ;;
esac
if [ "$#" -eq 0 ]; then set -- run; fi
# Two test sessions at once: this machine has 2 cores (override: run --max-children N).
if [ "$1" = "run" ] && [[ " $* " != *" --max-children "* ]]; then
    set -- run --max-children "${MUTMUT_CHILDREN:-2}" "${@:2}"
fi
# type_check_command (pyproject) runs mypy inside mutants/, where the package is src/nfl_predictor.
export PATH="$(pwd)/.venv/bin:$PATH" MYPYPATH=src
if [ "$1" = "run" ]; then
    pgdata="$("$PYTHON" -m tests.mutmut_plugin start)"
    export NFLP_TEST_SHARED_PGDATA="$pgdata"
fi
"$MUTMUT" "$@"
