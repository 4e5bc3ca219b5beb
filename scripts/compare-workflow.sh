#!/usr/bin/env bash
# docs/compare.md's "Commit results for regression diffs", literally, on a throwaway clone of this checkout:
# baseline → a setting changed → a busy loop on one core → nothing changed (twice), `compare -- HEAD~1 HEAD` (and
# HEAD~2, HEAD HEAD) after each, with the load average and every exit code printed. Issue 17's acceptance.
#
#   bash scripts/compare-workflow.sh [SUITE.yaml]     (default: a two-config suite of the 25M test models)
#
# The clone lives in a new folder under ${TMPDIR:-/tmp} and borrows this checkout's node_modules (a link);
# nothing here is touched. Linux only (taskset from util-linux, GNU sed); needs git and the test models (../shared/models, or
# $GGUF_BENCH_TEST_MODELS).
set -u
here=$(cd "$(dirname "$0")/.." && pwd)
models=${GGUF_BENCH_TEST_MODELS:-$here/../shared/models}
work=$(mktemp -d "${TMPDIR:-/tmp}/gguf-bench-workflow.XXXXXX")
git clone -q "$here" "$work/clone" && cd "$work/clone" || exit 2
ln -s "$here/node_modules" node_modules
git config user.email workflow@example.invalid; git config user.name workflow
if [ $# -ge 1 ]; then
  cp "$1" suites/workflow.yaml
else
  cat > suites/workflow.yaml <<SUITE
name: workflow
description: compare's README workflow, tried literally (scripts/compare-workflow.sh)
defaults:
  repetitions: 3
  warmup: 1
  context: 512
  maxTokens: 32
  threads: 1
models:
  - path: $models/synthetic-llama-25m-q8_0.gguf
  - path: $models/synthetic-llama-25m-q4_k_m.gguf
prompts:
  - id: explain
    text: Explain in two short paragraphs why the sky is blue.
tests:
  - pp: 128
  - tg: 32
SUITE
fi
git add suites/workflow.yaml && git commit -qm "the workflow's suite"
step() { echo; echo "=== $* ($(date -u +%T), load average $(cut -d' ' -f1-3 /proc/loadavg 2>/dev/null))"; }
bench() { npm run -s bench -- suites/workflow.yaml > /dev/null 2> bench.err; echo "bench exit $?"; grep "busy" bench.err; git add results/runs && git commit -qm "$1"; }
compare() { npm run -s compare -- "$@"; echo "compare exit $?"; }

step "bench: baseline"; bench "bench: baseline"
step "change a setting (context → 1024), bench"
sed -i 's/^  context: 512$/  context: 1024/' suites/workflow.yaml; git commit -qam "context 1024"; bench "bench: after the change"
step "compare -- HEAD~1 HEAD"; compare HEAD~1 HEAD
step "bench with a busy loop on core 1"
taskset -c 1 sh -c 'while :; do :; done' & hog=$!
bench "bench: busy loop on core 1"; kill $hog
step "compare -- HEAD~1 HEAD (the busy loop ran during the candidate)"; compare HEAD~1 HEAD
step "bench again, nothing changed"; bench "bench: nothing changed"
step "compare -- HEAD~2 HEAD (against the run before the busy one)"; compare HEAD~2 HEAD
step "compare -- HEAD HEAD"; compare HEAD HEAD
step "bench again, nothing changed"; bench "bench: nothing changed, again"
step "compare -- HEAD~1 HEAD"; compare HEAD~1 HEAD
echo; echo "the clone: $work/clone"
