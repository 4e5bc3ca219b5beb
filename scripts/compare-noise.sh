#!/usr/bin/env bash
# How often `compare` cries wolf, and whether it sees real slowdowns (the "before issue 17" row of docs/compare-verdicts.md).
#
#   scripts/compare-noise.sh aa   OUT [RUNS]   RUNS (default 8) runs of suites/default.yaml back to back (A/A:
#                                              nothing changes between them)
#   scripts/compare-noise.sh slow OUT [PAIRS]  PAIRS (default 3) interleaved baseline/candidate runs of each real change:
#                                              a busy loop on core 1, context 1024 -> 8192, Q4_0 -> F16
#   scripts/compare-noise.sh summary OUT       compares what OUT holds with this checkout's compare, and counts:
#                                              A/A every consecutive pair, and the first half against the second
#                                              pooled; each change run by run (pair i with pair i), and all pooled
#
# Timings: run aa and slow alone on the machine (on a shared one, under an exclusive lock: flock -x LOCKFILE scripts/...).
# Everything it writes goes under OUT (databases, run files, comparisons as JSON); nothing under results/.
set -euo pipefail
cd "$(dirname "$0")/.."
mode=${1:?usage: compare-noise.sh aa|slow|summary OUT [N]}
out=${2:?usage: compare-noise.sh aa|slow|summary OUT [N]}
mkdir -p "$out"
out=$(cd "$out" && pwd)
cli() { node --import tsx runner/cli/cli.ts "$@"; }

bench() { # NAME SUITE [bench args...]: one run into $out/NAME/runs
    local name=$1 suite=$2
    shift 2
    cli bench "$suite" --db "$out/$name/bench.db" --results "$out/$name/runs" "$@" >/dev/null 2>>"$out/$name.log" || true
}
compare() { # NAME BASELINE CANDIDATE [compare args...]
    local name=$1 base=$2 cand=$3
    shift 3
    cli compare "$base" "$cand" --format json "$@" >"$out/compare/$name.json" || true
}
runs() { ls "$out/$1/runs"/*.json 2>/dev/null | sort; }

case $mode in
aa)
    for _ in $(seq 1 "${3:-8}"); do bench aa suites/default.yaml; done
    ;;
slow)
    large="$out/context-8192.yaml"
    sed 's/^  context: 1024$/  context: 8192/' suites/default.yaml >"$large"
    grep -q "context: 8192" "$large"
    for _ in $(seq 1 "${3:-3}"); do
        bench hog-base suites/default.yaml
        # a busy loop pinned to core 1, for the candidate run only
        taskset -c 1 sh -c 'while :; do :; done' &
        hog=$!
        bench hog-cand suites/default.yaml
        kill "$hog"
        bench context-base suites/default.yaml --filter "small Q4_0"
        bench context-cand "$large" --filter "small Q4_0"
        bench quant-base suites/default.yaml --filter "small Q4_0"
        bench quant-cand suites/default.yaml --filter "small F16"
    done
    ;;
summary)
    rm -rf "$out/compare"
    mkdir -p "$out/compare"
    mapfile -t aa < <(runs aa)
    for ((i = 1; i < ${#aa[@]}; i++)); do compare "aa-$i" "${aa[i - 1]}" "${aa[i]}"; done
    if ((${#aa[@]} >= 4)); then
        half=$((${#aa[@]} / 2))
        rm -rf "$out/aa-first" "$out/aa-second"
        mkdir -p "$out/aa-first" "$out/aa-second"
        cp "${aa[@]:0:half}" "$out/aa-first/"
        cp "${aa[@]:half:half}" "$out/aa-second/"
        compare "aa-pooled-1" "$out/aa-first" "$out/aa-second" --pool
    fi
    for change in hog context quant; do
        match=()
        [[ $change == context ]] && match=(--match label)
        [[ $change == quant ]] && match=(--match order)
        mapfile -t base < <(runs "$change-base")
        mapfile -t cand < <(runs "$change-cand")
        for ((i = 0; i < ${#base[@]} && i < ${#cand[@]}; i++)); do compare "$change-$((i + 1))" "${base[i]}" "${cand[i]}" "${match[@]}"; done
        if ((${#base[@]} > 1)); then compare "$change-pooled-1" "$out/$change-base/runs" "$out/$change-cand/runs" --pool "${match[@]}"; fi
    done
    node --input-type=module -e '
import { readdirSync, readFileSync } from "node:fs";
const dir = process.argv[1];
const groups = new Map();
for (const name of readdirSync(dir).filter((n) => n.endsWith(".json")).sort()) {
    const text = readFileSync(`${dir}/${name}`, "utf8");
    if (text.trim() === "") {
        console.log(`${name}: compare failed (see its message above)`);
        continue;
    }
    const c = JSON.parse(text);
    const kind = name.replace(/-\d+\.json$/, "");
    const g = groups.get(kind) ?? { comparisons: 0, judged: 0, regression: 0, improvement: 0, flagged: new Map() };
    g.comparisons++;
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
    const flagged = g.regression + g.improvement;
    const rate = g.judged === 0 ? 0 : (100 * flagged) / g.judged;
    console.log(`${kind}: ${g.comparisons} comparison(s), ${g.judged} rows judged, ${flagged} flagged (${rate.toFixed(1)} %): ${g.regression} regression(s), ${g.improvement} improvement(s)`);
    for (const [key, n] of [...g.flagged].sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1))) console.log(`  ${n}/${g.comparisons}  ${key}`);
}' "$out/compare"
    ;;
*)
    echo "unknown mode $mode" >&2
    exit 2
    ;;
esac
