#!/usr/bin/env bash
# Stop the localhost SLURM test cluster started by tests/slurm/up.sh and clean up.
# Daemons are stopped by the pids up.sh recorded in $SLURM_STATE/pids (never by name).
# KEEP_SLURM_STATE=1 keeps the state dir (logs) for inspection.
set -uo pipefail

STATE=${SLURM_STATE:-/tmp/clinical-ner-slurm}
CONF=$STATE/etc/slurm.conf
ETC_LINK=/etc/slurm/slurm.conf

log() { printf '[slurm-down] %s\n' "$*" >&2; }

if [[ ! -d $STATE ]]; then
    log "nothing to stop ($STATE does not exist)"
    exit 0
fi

# Cancel whatever is still queued/running on this cluster, so no job steps outlive slurmd.
if [[ -f $CONF ]] && [[ -f $STATE/pids/slurmctld.pid ]] &&
    kill -0 "$(cat "$STATE/pids/slurmctld.pid")" 2>/dev/null; then
    jobs=$(SLURM_CONF=$CONF timeout 20 squeue -h -o %A 2>/dev/null | tr '\n' ' ')
    if [[ -n ${jobs// /} ]]; then
        log "cancelling jobs: $jobs"
        # shellcheck disable=SC2086
        SLURM_CONF=$CONF timeout 20 scancel $jobs 2>/dev/null || true
        sleep 2
    fi
fi

# expected /proc/PID/comm prefix per daemon (guards against a recycled pid)
declare -A COMM=([munged]=munged [mariadbd]=mariadbd [slurmdbd]=slurmdbd [slurmctld]=slurmctld [slurmd]=slurmd)

stop_pid() { # NAME
    local name=$1 pidf=$STATE/pids/$1.pid pid comm i
    [[ -f $pidf ]] || return 0
    pid=$(cat "$pidf")
    if ! kill -0 "$pid" 2>/dev/null; then
        rm -f "$pidf"
        return 0
    fi
    comm=$(cat "/proc/$pid/comm" 2>/dev/null || true)
    if [[ $comm != "${COMM[$name]:-$name}"* ]]; then
        log "pid $pid is '$comm', not $name: leaving it alone"
        rm -f "$pidf"
        return 0
    fi
    kill -TERM "$pid" 2>/dev/null
    for ((i = 0; i < 60; i++)); do
        kill -0 "$pid" 2>/dev/null || break
        sleep 0.5
    done
    if kill -0 "$pid" 2>/dev/null; then
        log "$name ($pid) did not stop on TERM, sending KILL"
        kill -KILL "$pid" 2>/dev/null
    fi
    log "stopped $name ($pid)"
    rm -f "$pidf"
}

# reverse start order: slurmd, slurmctld, slurmdbd, mariadbd, munged
for name in slurmd slurmctld slurmdbd mariadbd munged; do
    stop_pid "$name"
done


if [[ -L $ETC_LINK && $(readlink "$ETC_LINK") == "$CONF" ]]; then
    rm -f "$ETC_LINK"
fi

if [[ ${KEEP_SLURM_STATE:-0} == 1 ]]; then
    log "kept $STATE (KEEP_SLURM_STATE=1)"
else
    rm -rf "$STATE"
    log "removed $STATE"
fi
