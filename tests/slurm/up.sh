#!/usr/bin/env bash
# Bring up a real single-node SLURM cluster on localhost for tests (pytest -m slurm).
#
#   munged  -> private key + socket in the state dir
#   mariadbd -> private data dir, 127.0.0.1 only, for slurmdbd
#   slurmdbd -> accounting (the Snakemake SLURM executor polls job states with `sacct`
#               and checks accounts with `sacctmgr`)
#   slurmctld + slurmd -> one node "localhost" (real CPUs/memory), one default partition,
#               proctrack/linuxproc, task/none, no cgroups
#
# Everything lives in $SLURM_STATE (default /tmp/clinical-ner-slurm); daemons run in the
# foreground under setsid and their pids are recorded in $SLURM_STATE/pids/ for down.sh.
# The only file written outside the state dir is the symlink /etc/slurm/slurm.conf ->
# $SLURM_STATE/etc/slurm.conf: the slurm-jobstep executor strips SLURM_* variables
# (SLURM_CONF included) before its nested `srun`, so srun inside a job reads the default
# path. up.sh refuses to run if /etc/slurm/slurm.conf exists and is not its own link.
#
# Needs root (daemons run as root) and Debian/Ubuntu packages; installs missing ones with
# apt-get (non-interactive, services not auto-started). Idempotent: if the cluster in the
# state dir is already up, it only prints the usage lines.
#
# Environment: SLURM_STATE, SLURM_ACCOUNT (default clinicalner),
#   SLURM_PARTITION (default debug), SLURM_PORT_BASE (default 6817: ctld, +1 slurmd,
#   +2 slurmdbd), SLURM_DB_PORT (default 33061), SLURM_UP_TIMEOUT (default 120 s).
set -euo pipefail

t0=$(date +%s)
HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
STATE=${SLURM_STATE:-/tmp/clinical-ner-slurm}
CLUSTER=clinicalner
ACCOUNT=${SLURM_ACCOUNT:-clinicalner}
PARTITION=${SLURM_PARTITION:-debug}
PORT_BASE=${SLURM_PORT_BASE:-6817}
DB_PORT=${SLURM_DB_PORT:-33061}
TIMEOUT=${SLURM_UP_TIMEOUT:-120}
ETC_LINK=/etc/slurm/slurm.conf
CONF=$STATE/etc/slurm.conf

log() { printf '[slurm-up] %s\n' "$*" >&2; }
die() { printf '[slurm-up] ERROR: %s\n' "$*" >&2; exit 1; }

usage_lines() {
    cat <<EOF
SLURM test cluster '$CLUSTER' is up (state: $STATE). Use it with:
    export SLURM_CONF=$CONF
    sinfo; squeue; sacct
    snakemake --workflow-profile profiles/slurm-local ...   (account $ACCOUNT, partition $PARTITION)
Stop it with: SLURM_STATE=$STATE bash tests/slurm/down.sh
EOF
}

[[ $(id -u) -eq 0 ]] || die "run as root (the test daemons run as root)"

# ---------------------------------------------------------------- packages
need_install=()
for bin in munged mariadbd mariadb-install-db slurmctld slurmd slurmdbd sinfo sbatch sacct sacctmgr; do
    command -v "$bin" >/dev/null 2>&1 || need_install+=("$bin")
done
if ((${#need_install[@]})); then
    command -v apt-get >/dev/null || die "missing ${need_install[*]} and no apt-get to install them"
    log "installing SLURM, munge and MariaDB (missing: ${need_install[*]})"
    # Keep package scripts from starting system services (they would use the default
    # ports and /etc configs); our daemons are started below from the state dir.
    policy_created=0
    if [[ ! -e /usr/sbin/policy-rc.d ]]; then
        printf '#!/bin/sh\nexit 101\n' >/usr/sbin/policy-rc.d
        chmod 755 /usr/sbin/policy-rc.d
        policy_created=1
    fi
    export DEBIAN_FRONTEND=noninteractive
    apt_ok=1
    apt-get update -q >/dev/null || apt_ok=0
    if ((apt_ok)); then
        apt-get install -y -q --no-install-recommends \
            -o Dpkg::Options::=--force-confdef -o Dpkg::Options::=--force-confold \
            munge slurmctld slurmd slurm-client slurmdbd mariadb-server >/dev/null || apt_ok=0
    fi
    ((policy_created)) && rm -f /usr/sbin/policy-rc.d
    ((apt_ok)) || die "apt-get install failed"
    log "packages installed after $(($(date +%s) - t0)) s"
fi
[[ -x /usr/sbin/mariadbd || -n $(command -v mariadbd) ]] || die "mariadbd not found"

# ---------------------------------------------------------------- already up?
pid_alive() { [[ -f $STATE/pids/$1.pid ]] && kill -0 "$(cat "$STATE/pids/$1.pid")" 2>/dev/null; }
if [[ -d $STATE/pids ]]; then
    if pid_alive munged && pid_alive mariadbd && pid_alive slurmdbd && pid_alive slurmctld &&
        pid_alive slurmd && SLURM_CONF=$CONF sinfo -h >/dev/null 2>&1; then
        log "already running"
        usage_lines
        exit 0
    fi
    log "stale state in $STATE: stopping leftovers"
    SLURM_STATE=$STATE bash "$HERE/down.sh" || true
fi

if [[ -e $ETC_LINK || -L $ETC_LINK ]]; then
    if [[ -L $ETC_LINK && $(readlink "$ETC_LINK") == "$CONF" ]]; then
        rm -f "$ETC_LINK"
    else
        die "$ETC_LINK exists and is not ours: this machine already has a SLURM configuration; refusing to replace it"
    fi
fi
for port in "$PORT_BASE" $((PORT_BASE + 1)) $((PORT_BASE + 2)) "$DB_PORT"; do
    if (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; then
        die "port $port on 127.0.0.1 is already in use (set SLURM_PORT_BASE / SLURM_DB_PORT)"
    fi
done

# ---------------------------------------------------------------- state dir + configs
rm -rf "$STATE"
mkdir -p "$STATE"/{etc,run,log,pids,munge,slurmctld,slurmd,mysql}
chmod 755 "$STATE"
chmod 700 "$STATE/munge"

cpus=$(nproc)
mem_kb=$(awk '/^MemTotal:/ {print $2}' /proc/meminfo)
# Leave ~5% (at least 256 MB) for the daemons so slurmd never reports less than configured.
mem_mb=$((mem_kb / 1024))
reserve=$((mem_mb / 20 > 256 ? mem_mb / 20 : 256))
mem_mb=$((mem_mb - reserve))
db_pass=$(head -c 18 /dev/urandom | od -An -tx1 | tr -d ' \n')

fill() {
    sed -e "s|@STATE@|$STATE|g" -e "s|@CLUSTER@|$CLUSTER|g" -e "s|@CTLD_HOST@|localhost|g" \
        -e "s|@CTLD_PORT@|$PORT_BASE|g" -e "s|@SLURMD_PORT@|$((PORT_BASE + 1))|g" \
        -e "s|@DBD_PORT@|$((PORT_BASE + 2))|g" -e "s|@DB_PORT@|$DB_PORT|g" \
        -e "s|@DB_PASS@|$db_pass|g" -e "s|@CPUS@|$cpus|g" -e "s|@MEM_MB@|$mem_mb|g" \
        -e "s|@PARTITION@|$PARTITION|g" "$1"
}
fill "$HERE/slurm.conf.in" >"$CONF"
fill "$HERE/slurmdbd.conf.in" >"$STATE/etc/slurmdbd.conf"
chmod 644 "$CONF"
chmod 600 "$STATE/etc/slurmdbd.conf"
mkdir -p /etc/slurm
ln -s "$CONF" "$ETC_LINK"
export SLURM_CONF=$CONF

# start NAME LOGFILE CMD...: run a daemon in the foreground in its own session, record its pid.
start() {
    local name=$1 logf=$2
    shift 2
    setsid "$@" </dev/null >>"$logf" 2>&1 &
    echo $! >"$STATE/pids/$name.pid"
    echo "$name" >>"$STATE/pids/order"
}
wait_for() { # DESCRIPTION CMD...: poll until CMD succeeds or TIMEOUT
    local what=$1 deadline=$(($(date +%s) + TIMEOUT))
    shift
    until "$@" >/dev/null 2>&1; do
        if (($(date +%s) > deadline)); then
            log "timed out waiting for $what; logs:"
            tail -n 30 "$STATE"/log/*.log >&2 || true
            die "$what did not come up within ${TIMEOUT}s"
        fi
        sleep 0.5
    done
}
check_alive() { pid_alive "$1" || {
    tail -n 30 "$STATE/log/$1.log" >&2 || true
    die "$1 exited"
}; }

# ---------------------------------------------------------------- munge
head -c 1024 /dev/urandom >"$STATE/munge/munge.key"
chmod 400 "$STATE/munge/munge.key"
start munged "$STATE/log/munged.log" munged --foreground --force \
    --key-file="$STATE/munge/munge.key" --socket="$STATE/munge/munge.socket" \
    --pid-file="$STATE/run/munged.pid" --seed-file="$STATE/munge/munged.seed" \
    --log-file="$STATE/log/munged.log"
wait_for "munged" bash -c "munge -n -S '$STATE/munge/munge.socket' | unmunge -S '$STATE/munge/munge.socket'"
log "munged up"

# ---------------------------------------------------------------- mariadb (private, 127.0.0.1)
mariadb-install-db --no-defaults --user=root --datadir="$STATE/mysql" \
    --auth-root-authentication-method=socket --skip-test-db >"$STATE/log/mariadb-install.log" 2>&1 ||
    { tail -n 30 "$STATE/log/mariadb-install.log" >&2; die "mariadb-install-db failed"; }
mariadbd_bin=$(command -v mariadbd || echo /usr/sbin/mariadbd)
start mariadbd "$STATE/log/mariadbd.log" "$mariadbd_bin" --no-defaults --user=root \
    --datadir="$STATE/mysql" --socket="$STATE/run/mysqld.sock" --pid-file="$STATE/run/mysqld.pid" \
    --bind-address=127.0.0.1 --port="$DB_PORT" --skip-name-resolve \
    --innodb-buffer-pool-size=64M --innodb-lock-wait-timeout=900 --max-allowed-packet=16M
sql() { mariadb --no-defaults -S "$STATE/run/mysqld.sock" -u root -e "$1"; }
wait_for "mariadbd" sql "SELECT 1"
sql "CREATE USER 'slurm'@'127.0.0.1' IDENTIFIED BY '$db_pass';
     GRANT ALL ON slurm_acct_db.* TO 'slurm'@'127.0.0.1'; FLUSH PRIVILEGES;"
log "mariadbd up (127.0.0.1:$DB_PORT)"

# ---------------------------------------------------------------- slurmdbd
start slurmdbd "$STATE/log/slurmdbd.stdout" slurmdbd -D
wait_for "slurmdbd" sacctmgr -n list cluster
check_alive slurmdbd
log "slurmdbd up"
sacctmgr -i add cluster "$CLUSTER" >/dev/null 2>&1 || true
sacctmgr -i add account "$ACCOUNT" Cluster="$CLUSTER" Description="clinical-ner tests" Organization=tests >/dev/null
sacctmgr -i add user root Account="$ACCOUNT" DefaultAccount="$ACCOUNT" Cluster="$CLUSTER" >/dev/null
if [[ -n ${SUDO_USER:-} && $SUDO_USER != root ]]; then
    sacctmgr -i add user "$SUDO_USER" Account="$ACCOUNT" DefaultAccount="$ACCOUNT" Cluster="$CLUSTER" >/dev/null || true
fi

# ---------------------------------------------------------------- slurmctld + slurmd
start slurmctld "$STATE/log/slurmctld.stdout" slurmctld -D -i
wait_for "slurmctld" scontrol ping
check_alive slurmctld
log "slurmctld up"
start slurmd "$STATE/log/slurmd.stdout" slurmd -D -N localhost
node_idle() { [[ $(sinfo -h -n localhost -o %T 2>/dev/null) == idle ]]; }
wait_for "node localhost to be idle" node_idle
check_alive slurmd
# the controller registers with slurmdbd asynchronously; wait until accounting knows it
wait_for "cluster registration in slurmdbd" bash -c "sacctmgr -n -P list cluster format=cluster,controlhost | grep -q '^$CLUSTER|.'"
log "node localhost idle; cluster up in $(($(date +%s) - t0)) s"
sinfo >&2
usage_lines
