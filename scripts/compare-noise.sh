#!/usr/bin/env bash
# How often `compare` cries wolf, and whether it sees real slowdowns (the figures in the README, "Comparing runs").
#
#   scripts/compare-noise.sh aa   OUT [RUNS]   RUNS (default 8) runs of suites/default.yaml back to back; every
#                                              consecutive pair compared (A/A: nothing changed)
#   scripts/compare-noise.sh slow OUT [PAIRS]  PAIRS (default 3) interleaved baseline/candidate runs of each real change:
#                                              a busy loop on core 1, context 1024 -> 8192, Q4_0 -> F16
#   scripts/compare-noise.sh summary OUT       the counts from OUT's comparisons
#
# Timings: run it alone on the machine (on a shared one: flock -x /work/.measure.lock scripts/compare-noise.sh ...).
# Everything it writes goes under OUT (databases, run files, comparisons as JSON); nothing under results/.
set -euo pipefail
cd "$(dirname "$0")/.."
mode=${1:?usage: compare-noise.sh aa|slow|summary OUT [N]}
out=${2:?usage: compare-noise.sh aa|slow|summary OUT [N]}
mkdir -p "$out"
out=$(cd "$out" && pwd)

bench() { # NAME SUITE [bench args...]: one run into $out/NAME/, its run file's path on stdout
    local name=$1 suite=$2
    shift 2
    npx tsx runner/cli/cli.ts bench "$suite" --db "$out/$name/bench.db" --results "$out/$name/runs" "$@" >/dev/null 2>"$out/$name.log" || true
    ls -t "$out/$name/runs"/*.json | head -1
}
compare() { # NAME BASELINE CANDIDATE [compare args...]
    local name=$1 base=$2 cand=$3
    shift 3
    npx tsx runner/cli/cli.ts compare "$base" "$cand" --format json "$@" >"$out/compare-$name.json" || true
}

case $mode in
aa)
    runs=${3:-8}
    previous=""
    for i in $(seq 1 "$runs"); do
        file=$(bench "aa" suites/default.yaml)
        if [[ -n $previous ]]; then compare "aa-$((i - 1))-$i" "$previous" "$file"; fi
        previous=$file
    done
    ;;
slow)
    pairs=${3:-3}
    large="$out/context-8192.yaml"
    sed 's/^  context: 1024$/  context: 8192/' suites/default.yaml >"$large"
    grep -q "context: 8192" "$large"
    for i in $(seq 1 "$pairs"); do
        # a busy loop pinned to core 1 for the candidate run only
        base=$(bench "hog-base" suites/default.yaml)
        taskset -c 1 sh -c 'while :; do :; done' &
        hog=$!
        cand=$(bench "hog-cand" suites/default.yaml)
        kill "$hog"
        compare "hog-$i" "$base" "$cand"

        base=$(bench "ctx-base" suites/default.yaml --filter "small Q4_0")
        cand=$(bench "ctx-cand" "$large" --filter "small Q4_0")
        compare "context-$i" "$base" "$cand" --match label

        base=$(bench "quant-base" suites/default.yaml --filter "small Q4_0")
        cand=$(bench "quant-cand" suites/default.yaml --filter "small F16")
        compare "quant-$i" "$base" "$cand" --match order
    done
    ;;
summary) ;;
*)
    echo "unknown mode $mode" >&2
    exit 2
    ;;
esac

node --input-type=module - "$out" <<'EOF'
import { readdirSync, readFileSync } from "node:fs";
const out = process.argv[2];
const groups = new Map();
for (const name of readdirSync(out).filter((n) => n.startsWith("compare-") && n.endsWith(".json")).sort()) {
    const c = JSON.parse(readFileSync(`${out}/${name}`, "utf8"));
    const kind = name.replace(/^compare-/, "").replace(/-[\d-]+\.json$/, "");
    const g = groups.get(kind) ?? { pairs: 0, judged: 0, regression: 0, improvement: 0, flagged: new Map() };
    g.pairs++;
    for (const row of c.rows) {
        if (row.verdict === "not judged") continue;
        g.judged++;
        if (row.verdict === "regression" || row.verdict === "improvement") {
            g[row.verdict]++;
            const key = `${row.item} ${row.metric} ${row.verdict}`;
            g.flagged.set(key, (g.flagged.get(key) ?? 0) + 1);
        }
    }
    groups.set(kind, g);
}
for (const [kind, g] of groups) {
    const rate = g.judged === 0 ? 0 : (100 * (g.regression + g.improvement)) / g.judged;
    console.log(`${kind}: ${g.pairs} comparison(s), ${g.judged} judged rows, flagged ${g.regression + g.improvement} (${rate.toFixed(1)} %): ${g.regression} regression(s), ${g.improvement} improvement(s)`);
    for (const [key, n] of [...g.flagged].sort((a, b) => b[1] - a[1])) console.log(`  ${n}/${g.pairs}  ${key}`);
}
EOF
