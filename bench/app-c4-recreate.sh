#!/usr/bin/env bash
# Re-creates the issue-15 `daa` runs that the App. C.4 re-run (issue 17) measures, bit for bit, up to
# a given snapshot: the runs are not in git, and a machine that loses them loses its measurements'
# inputs. Each run is trained from the build that made it (seeds 1–2: 756b62f, tfjs networks; seed 3:
# 0e91217, the wasm engine), with the original command (--steps 500k, so every schedule is the
# original's) and stopped once its snapshot at or past UPTO exists (UPTO ≥ 499 712, the run's last
# step, which has no step snapshot: trained to its end, for the `final` measurement). Then the logged return by each
# 100k step is checked against bench/results/issue15/<task>_compare_3seeds.json: equal to 0.1 means
# the same run.
#   bash bench/app-c4-recreate.sh RUNS_DIR UPTO [TASKS] [SEEDS]
#   e.g. bash bench/app-c4-recreate.sh /work/runs 400000 cheetah,walker 1,2,3
# Worktrees of the two builds go to ${BUILDS_DIR:-/tmp/pgvar-c4-builds} (built once, with this
# checkout's node_modules linked). Then: bash bench/app-c4-rerun.sh RUNS_DIR OUT_DIR.
set -euo pipefail
runs=${1:?runs dir}; upto=${2:?snapshot step, e.g. 100000}; tasks=${3:-cheetah,walker}; seeds=${4:-1,2,3}
repo=$(cd "$(dirname "$0")/.." && pwd)
builds=${BUILDS_DIR:-/tmp/pgvar-c4-builds}
mkdir -p "$runs" "$builds"
build_for() { [ "$1" = 3 ] && echo 0e91217 || echo 756b62f; }
ensure_build() {
  local c=$1 d=$builds/$1
  if [ ! -f "$d/dist/cli/main.js" ]; then
    [ -d "$d" ] || git -C "$repo" worktree add -q --detach "$d" "$c"
    [ -e "$d/node_modules" ] || ln -s "$repo/node_modules" "$d/node_modules"
    (cd "$d" && npm run build >/dev/null)
  fi
  echo "$d"
}
# the snapshot PPO writes at the first iteration (2 048 steps) at or past upto; past the run's last
# step (500k rounded down to whole iterations) the run is wanted to its end
snap=$(( (upto + 2047) / 2048 * 2048 ))
last=$(( 500000 / 2048 * 2048 ))
target="step $snap"; [ "$snap" -gt "$last" ] && target="its end (step $last)"
reached() {
  if [ "$snap" -gt "$last" ]; then tail -1 "$1/metrics.jsonl" 2>/dev/null | grep -q "\"global_step\":$last,"
  else [ -f "$1/checkpoint/step-$snap.json" ]; fi
}
for task in ${tasks//,/ }; do
  env=dmc/cheetah-run; [ "$task" = walker ] && env=dmc/walker-walk
  for seed in ${seeds//,/ }; do
    dir=$runs/${task}_daa_s$seed
    if ! reached "$dir"; then
      b=$(ensure_build "$(build_for "$seed")")
      t0=$(date +%s)
      resume=(); [ -f "$dir/checkpoint/checkpoint.json" ] && resume=(--resume "$dir")
      if [ ${#resume[@]} -gt 0 ]; then cmd=(train --quiet "${resume[@]}")
      else cmd=(train --quiet --out "$dir" --env "$env" --action-repeat 4 --estimator daa --steps 500k --seed "$seed" --snapshot-every 100k); fi
      (cd "$b" && exec node dist/cli/main.js "${cmd[@]}") > "$runs/${task}_s$seed.train.log" 2>&1 &
      pid=$!
      until reached "$dir" || ! kill -0 $pid 2>/dev/null; do sleep 5; done
      kill $pid 2>/dev/null || true; wait $pid 2>/dev/null || true
      reached "$dir" || { echo "recreate: $task seed $seed stopped before $target (see $runs/${task}_s$seed.train.log)" >&2; exit 1; }
      echo "recreate: $task seed $seed to $target in $(( $(date +%s) - t0 )) s" >&2
    fi
    node -e '
      const fs = require("fs");
      const [dir, ref, seed, upto] = process.argv.slice(1);
      const rows = fs.readFileSync(dir + "/episodes.csv", "utf8").trim().split("\n").slice(1).map((l) => l.split(",").map(Number));
      const g = JSON.parse(fs.readFileSync(ref, "utf8")).groups.find((x) => x.name === "daa");
      const k = g.seeds.indexOf(Number(seed));
      for (const a of g.at.filter((a) => a.step <= Number(upto))) {
        const r = rows.filter((x) => x[0] <= a.step).slice(-20).map((x) => x[1]);
        const m = r.reduce((s, v) => s + v, 0) / r.length;
        const ok = Math.abs(m - a.per_seed[k]) < 0.1;
        console.error(`recreate: ${dir} by ${a.step}: last-20 return ${m.toFixed(1)} vs the original ${a.per_seed[k]} ${ok ? "(same run)" : "(DIFFERENT)"}`);
        if (!ok) process.exitCode = 1;
      }' "$dir" "$repo/bench/results/issue15/${task}_compare_3seeds.json" "$seed" "$upto"
  done
done
