#!/usr/bin/env bash
# CI entry point: bring up the localhost SLURM test cluster, run a command with it, always bring
# the cluster down, and exit with the command's status.
#   bash tests/slurm/ci.sh                 # runs: .venv/bin/python -m pytest -m slurm
#   bash tests/slurm/ci.sh make test       # any command (this is what .ci/run does)
# With the cluster up, SLURM_CONF is exported and CLINICAL_NER_REQUIRE_SLURM=1 makes the SLURM
# tests fail (instead of skip) if they cannot reach it.
set -uo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/../.."

export SLURM_STATE=${SLURM_STATE:-/tmp/clinical-ner-slurm}
status=1

cleanup() {
    trap - EXIT INT TERM
    if ((status != 0)) && [[ -d $SLURM_STATE/log ]]; then
        echo "[slurm-ci] command failed (status $status); SLURM daemon logs:" >&2
        for f in "$SLURM_STATE"/log/*.log; do
            echo "----- $f" >&2
            tail -n 40 "$f" >&2
        done
    fi
    bash tests/slurm/down.sh || echo "[slurm-ci] WARNING: down.sh failed" >&2
    exit "$status"
}
trap cleanup EXIT
trap 'status=130; exit 130' INT TERM

if ! bash tests/slurm/up.sh; then
    echo "[slurm-ci] ERROR: the SLURM test cluster did not come up" >&2
    status=1
    exit 1
fi
export SLURM_CONF=$SLURM_STATE/etc/slurm.conf
export CLINICAL_NER_REQUIRE_SLURM=1

if (($# == 0)); then
    set -- .venv/bin/python -m pytest -m slurm
fi
echo "[slurm-ci] running: $*" >&2
"$@"
status=$?
echo "[slurm-ci] jobs the test cluster ran (sacct):"
sacct --allusers --starttime=now-1days --format=JobID%6,Comment%70,Partition,Account%12,AllocCPUS,State,ExitCode -X 2>&1 || true
echo "[slurm-ci] command exited with status $status" >&2
exit "$status"
