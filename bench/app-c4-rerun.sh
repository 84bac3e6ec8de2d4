#!/usr/bin/env bash
# The App. C.4 re-run (issue 17): every missing (task, seed, checkpoint) measurement, two at a time,
# from the built dist/ (freeze it: run from a separate worktree if you keep developing).
#   bash bench/app-c4-rerun.sh RUNS_DIR OUT_DIR [PARALLEL]
# RUNS_DIR holds the issue-15 runs <task>_daa_s<seed> (cheetah, walker; seeds 1–3) with their
# checkpoint/step-*.json snapshots; OUT_DIR receives <task>_s<seed>_<checkpoint>.json (existing ones
# are skipped, so a killed re-run continues). Then:
#   node dist/bench/app-c4-table.js --dir OUT_DIR --markdown
set -euo pipefail
runs=${1:?runs dir}; out=${2:?out dir}; par=${3:-2}
mkdir -p "$out"
jobs=()
for at in final 200000 100000 300000 400000; do
  for task in cheetah walker; do
    for seed in 1 2 3; do
      name=${task}_s${seed}_${at}
      [ -f "$out/$name.json" ] || jobs+=("$task $seed $at")
    done
  done
done
echo "app-c4: ${#jobs[@]} measurements to run, $par at a time" >&2
run_one() {
  local task=$1 seed=$2 at=$3
  local name=${task}_s${seed}_${at} atflag=()
  [ "$at" != final ] && atflag=(--at "$at")
  node dist/cli/main.js variance --run "$runs/${task}_daa_s${seed}" "${atflag[@]}" --protocol app-c4 \
    --estimators single,qma,daa,mbpo --out "$out/$name.json" > "$out/$name.log" 2>&1 \
    && echo "app-c4: done $name" >&2 || echo "app-c4: FAILED $name (see $out/$name.log)" >&2
}
for job in "${jobs[@]}"; do
  while [ "$(jobs -rp | wc -l)" -ge "$par" ]; do sleep 5; done
  run_one $job &
done
wait
