#!/bin/sh
# scripts/slurm/metersim.sbatch on a one-node Slurm cluster made for the test: munged,
# slurmctld and slurmd with a generated slurm.conf, state and logs in a temporary directory,
# ports of their own, no cgroups (proctrack/linuxproc), no accounting.  Five jobs:
#   1. the sbatch script launching a small MPI program with srun: ranks 0 and 1 of 2
#      (whether Slurm can start Open MPI ranks here at all);
#   2. the same with mpirun inside the allocation;
#   3. the script without SCENARIO: refused with exit 2 and a message in the job's log;
#   4. metersim itself on 2 ranks (METERSIM_SLURM_RANKS): a complete trace that `metersim
#      info` reads and whose datasets equal a 1-process run's (same_datasets.py);
#   5. scripts/slurm/metersim-sweep.sbatch as a 2-task array over a 2-point sweep: each task
#      writes its point's trace, the one `--list-sweep` shows, equal to a `--sweep-index` run.
# Needs root (slurmd starts job steps as their user) and the packages of
# scripts/install-deps.sh: without root it prints SKIP and exits 77; anything else missing
# is a failure.  The daemons it started are stopped on every exit.  About 15 s.
set -eu
BIN=$1; SRC=$2
PY=/usr/bin/python3
RANKS=${METERSIM_SLURM_RANKS:-2}
JOB_TIMEOUT_S=60
# the script's variables reach a job only as the test sets them
unset SCENARIO OUT METERSIM EXTRA LAUNCHER
. "$SRC/tests/sim/testlib.sh"

if [ "$(id -u)" -ne 0 ]; then
    echo "SKIP: slurmd must run as root to start jobs; run this test as root"
    exit 77
fi
for c in munged slurmctld slurmd sbatch scontrol scancel squeue srun mpicc mpirun; do
    command -v "$c" > /dev/null || fail "$c not found: run scripts/install-deps.sh"
done

T=$(mktemp -d /tmp/metersim-slurm.XXXXXX)
# munged wants every directory on its socket's path searchable by all
chmod 755 "$T"
export SLURM_CONF="$T/slurm.conf"
ctld_pid=""; slurmd_pid=""; munged_pid=""

# ends a daemon started below (a child of this shell): SIGTERM, up to 10 s to exit (a zombie
# has), then SIGKILL, and reaps it
stop_pid() {
    [ -n "$1" ] || return 0
    kill "$1" 2> /dev/null || true
    i=0
    while [ "$(cut -d ' ' -f 3 "/proc/$1/stat" 2> /dev/null || echo Z)" != Z ] && [ $i -lt 100 ]; do
        sleep 0.1; i=$((i + 1))
    done
    kill -9 "$1" 2> /dev/null || true
    wait "$1" 2> /dev/null || true
}
cleanup() {
    rc=$?
    set +e
    if [ -n "$ctld_pid" ] && kill -0 "$ctld_pid" 2> /dev/null; then
        # jobs first, so that no job step outlives the slurmd that started it
        scancel --quiet --full "--user=$(id -un)" 2> /dev/null
        i=0
        while [ -n "$(squeue -h -t RUNNING,COMPLETING,PENDING 2> /dev/null)" ] && [ $i -lt 100 ]; do
            sleep 0.1; i=$((i + 1))
        done
    fi
    if [ "$rc" -ne 0 ] && [ -d "$T/log" ]; then
        for f in "$T"/log/*; do echo "--- $f (last lines)" >&2; tail -n 15 "$f" >&2; done
    fi
    stop_pid "$slurmd_pid"
    stop_pid "$ctld_pid"
    stop_pid "$munged_pid"
    rm -rf "$T"
    exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

now() { date +%s.%N; }
since() { echo "$1 $(now)" | awk '{printf "%.1f", $2 - $1}'; }
t_start=$(now)

# --- munge: a key of our own and a socket that slurm.conf's AuthInfo points at
mkdir -m 755 "$T/munge"
mkdir -m 700 "$T/log" "$T/state" "$T/spool"
dd if=/dev/urandom of="$T/munge/munge.key" bs=128 count=1 2> /dev/null
chmod 400 "$T/munge/munge.key"
# The daemons run in the foreground as children of this shell, so that their pids are known
# from the moment they start, without a pid file written later by a forked child.
munged --foreground --force --key-file="$T/munge/munge.key" --socket="$T/munge/munge.sock" \
    --pid-file="$T/munge/munged.pid" --log-file="$T/munge/munged.log" \
    --seed-file="$T/munge/munged.seed" > "$T/log/munged.out" 2>&1 &
munged_pid=$!
i=0
until munge -S "$T/munge/munge.sock" -n 2> /dev/null | unmunge -S "$T/munge/munge.sock" > /dev/null 2>&1; do
    kill -0 "$munged_pid" 2> /dev/null || fail "munged stopped: $(cat "$T/log/munged.out")"
    i=$((i + 1)); [ $i -lt 100 ] || fail "munged at $T/munge/munge.sock does not answer after 10 s"
    sleep 0.1
done

# --- two free TCP ports next to each other for slurmctld and slurmd, below the ephemeral
# range (32768 on) that outgoing connections take theirs from
listening=$(ss -Hltn 2> /dev/null | awk '{print $4}' | sed 's/.*://')
port=$((20000 + $$ % 6000 * 2))
tries=0
while echo "$listening" | grep -qx -e "$port" -e "$((port + 1))"; do
    tries=$((tries + 1)); [ $tries -lt 50 ] || fail "no two free ports next to each other in 50 tries"
    port=$((port + 2))
done

# --- slurm.conf: this host as controller and only node, by address so no name lookup is
# needed; its CPUs, cores and memory as slurmd -C finds them
node=$(hostname -s)
hw=$(slurmd -C | head -n 1 | sed 's/^NodeName=[^ ]* //')
cat > "$SLURM_CONF" << EOF
ClusterName=metersimtest
SlurmctldHost=$node(127.0.0.1)
SlurmctldPort=$port
SlurmdPort=$((port + 1))
SlurmUser=root
AuthType=auth/munge
CredType=cred/munge
AuthInfo=socket=$T/munge/munge.sock
StateSaveLocation=$T/state
SlurmdSpoolDir=$T/spool
SlurmctldPidFile=$T/slurmctld.pid
SlurmdPidFile=$T/slurmd.pid
MailProg=/bin/true
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
JobAcctGatherType=jobacct_gather/none
AccountingStorageType=accounting_storage/none
SchedulerType=sched/builtin
SelectType=select/cons_tres
SelectTypeParameters=CR_Core_Memory
MpiDefault=none
ReturnToService=2
NodeName=$node NodeAddr=127.0.0.1 $hw State=UNKNOWN
PartitionName=test Nodes=$node Default=YES MaxTime=INFINITE State=UP
EOF
slurmctld -D -f "$SLURM_CONF" > "$T/log/slurmctld.out" 2>&1 &
ctld_pid=$!
slurmd -D -f "$SLURM_CONF" > "$T/log/slurmd.out" 2>&1 &
slurmd_pid=$!

i=0
while :; do
    state=$(scontrol show node "$node" 2> /dev/null | sed -n 's/.*State=\([A-Z_+]*\).*/\1/p' | head -n 1)
    [ "$state" = IDLE ] && break
    kill -0 "$ctld_pid" 2> /dev/null || fail "slurmctld stopped: $(cat "$T/log/slurmctld.out")"
    kill -0 "$slurmd_pid" 2> /dev/null || fail "slurmd stopped: $(cat "$T/log/slurmd.out")"
    i=$((i + 1)); [ $i -lt 300 ] || fail "node $node not idle after 30 s (State=$state)"
    sleep 0.1
done
echo "slurm: node $node idle, ports $port and $((port + 1)), $(since "$t_start") s after start"

# submit_and_wait LOG [NAME=VALUE]... sbatch [FLAG]...: submits scripts/slurm/metersim.sbatch
# (or $SCRIPT) from the top of the tree with those variables in its environment (sbatch passes
# it on), waits until the job ends (every task of an array) and sets JOB_STATE and JOB_EXIT
# (Slurm's "code:signal"), an array's different ones joined by commas.
submit_and_wait() {
    log=$1; shift
    id=$(cd "$SRC" && env "$@" --parsable "--output=$log" "${SCRIPT:-scripts/slurm/metersim.sbatch}") ||
        fail "$* refused the job"
    waited=0
    while :; do
        info=$(scontrol -o show job "$id")
        JOB_STATE=$(echo "$info" | sed -n 's/.* JobState=\([A-Z_]*\).*/\1/p' | sort -u | paste -sd ,)
        JOB_EXIT=$(echo "$info" | sed -n 's/.* ExitCode=\([0-9:]*\).*/\1/p' | sort -u | paste -sd ,)
        case ,$JOB_STATE, in *,PENDING,* | *,CONFIGURING,* | *,RUNNING,* | *,COMPLETING,* | *,SUSPENDED,*) ;;
        *) break ;; esac
        waited=$((waited + 1))
        [ $waited -lt $((JOB_TIMEOUT_S * 5)) ] ||
            fail "job $id still $JOB_STATE after $JOB_TIMEOUT_S s; log: $(cat "$log" 2> /dev/null)"
        sleep 0.2
    done
}

# --- 1, 2: Slurm launches 2 MPI ranks, with srun and with mpirun
cat > "$T/ranks.c" << 'EOF'
#include <mpi.h>
#include <stdio.h>
#include <stdlib.h>

/* Stands in for metersim in the sbatch script: one line per rank with the rank, the size of
 * the world and the task number Slurm gave the process, so the test sees who started what. */
int main(int argc, char **argv)
{
    int rank, size;
    const char *task = getenv("SLURM_PROCID");

    MPI_Init(&argc, &argv);
    MPI_Comm_rank(MPI_COMM_WORLD, &rank);
    MPI_Comm_size(MPI_COMM_WORLD, &size);
    printf("rank %d of %d (slurm task %s)\n", rank, size, task ? task : "none");
    MPI_Finalize();
    return 0;
}
EOF
mpicc -o "$T/ranks" "$T/ranks.c" || fail "mpicc could not build a hello-world"
for launcher in srun mpirun; do
    t0=$(now)
    submit_and_wait "$T/ranks-$launcher.log" SCENARIO=scenarios/default.yaml OUT="$T/ranks.h5" \
        METERSIM="$T/ranks" LAUNCHER=$launcher sbatch --ntasks=2 --mem-per-cpu=100M
    out=$(cat "$T/ranks-$launcher.log")
    [ "$JOB_STATE" = COMPLETED ] && [ "$JOB_EXIT" = 0:0 ] ||
        fail "$launcher: MPI job $JOB_STATE, exit $JOB_EXIT: $out"
    echo "$out" | grep -q "started by $launcher$" || fail "$launcher: the script did not use it: $out"
    for r in 0 1; do
        echo "$out" | grep -q "^rank $r of 2 " || fail "$launcher: no rank $r of 2 in: $out"
    done
    [ "$(echo "$out" | grep -c '^rank ')" -eq 2 ] || fail "$launcher: not 2 ranks: $out"
    echo "slurm: $launcher launches 2 MPI ranks ($(since "$t0") s): $(echo "$out" | grep '^rank ' | sort | paste -sd ';')"
done

# --- 3: no SCENARIO, a clear refusal before anything runs
submit_and_wait "$T/none.log" sbatch --ntasks=1 --mem-per-cpu=100M
[ "$JOB_STATE" = FAILED ] && [ "$JOB_EXIT" = 2:0 ] ||
    fail "no SCENARIO: job $JOB_STATE, exit $JOB_EXIT (expected FAILED, 2:0)"
grep -q 'SCENARIO is not set' "$T/none.log" || fail "no SCENARIO: log says $(cat "$T/none.log")"
echo "slurm: without SCENARIO the script refuses: $(cat "$T/none.log")"

# --- 4: metersim on $RANKS ranks against one process
# two DNO regions: an area (WAN cell) for each rank
SETS="--set households=400 --set topology.regions=2 --set duration=6h --quiet"
t0=$(now)
# shellcheck disable=SC2086
"$BIN" run "$SRC/scenarios/default.yaml" $SETS -o "$T/one.h5" || fail "the 1-process run failed"
echo "slurm: 1-process run $(since "$t0") s"
t0=$(now)
submit_and_wait "$T/run.log" SCENARIO=scenarios/default.yaml OUT="$T/ranks$RANKS.h5" \
    METERSIM="$BIN" EXTRA="$SETS" sbatch "--ntasks=$RANKS" --mem-per-cpu=500M
if [ "$JOB_STATE" != COMPLETED ] || [ "$JOB_EXIT" != 0:0 ]; then
    hint=""
    ldd "$BIN" | grep -q libmpi ||
        hint=" ($BIN is not linked with MPI: its $RANKS tasks were $RANKS independent runs of one output)"
    fail "metersim job $JOB_STATE, exit $JOB_EXIT$hint: $(cat "$T/run.log")"
fi
echo "slurm: metersim on $RANKS ranks $(since "$t0") s, job COMPLETED 0:0"
[ -f "$T/ranks$RANKS.h5" ] && [ ! -e "$T/ranks$RANKS.h5.partial" ] ||
    fail "after the job: $(ls "$T"); log: $(cat "$T/run.log")"
grep -q "done: $T/ranks$RANKS.h5$" "$T/run.log" || fail "the log does not say where the trace is: $(cat "$T/run.log")"
"$BIN" info "$T/ranks$RANKS.h5" > "$T/info.txt" || fail "metersim info cannot read the job's trace"
"$PY" "$SRC/tests/sim/same_datasets.py" "$T/one.h5" "$T/ranks$RANKS.h5" ||
    fail "the trace of $RANKS ranks differs from the 1-process trace"
echo "slurm: the $RANKS-rank trace's datasets equal the 1-process trace's"

# --- 5: a sweep as a job array, one point per task
printf 'extends: %s\nname: sw\nduration: "6 h"\nsweep:\n  zip:\n    - {key: seed, values: [1, 2]}\n    - {key: households, values: [40, 60]}\n' \
    "$SRC/scenarios/default.yaml" > "$T/sweep.yaml"
"$BIN" run "$T/sweep.yaml" -o "$T/sw.h5" --list-sweep > "$T/list.txt" || fail "--list-sweep"
n=$(wc -l < "$T/list.txt")
t0=$(now)
SCRIPT=scripts/slurm/metersim-sweep.sbatch submit_and_wait "$T/sweep-%a.log" SCENARIO="$T/sweep.yaml" \
    OUT="$T/sw.h5" METERSIM="$BIN" EXTRA=--quiet sbatch "--array=0-$((n - 1))" --mem-per-cpu=500M
[ "$JOB_STATE" = COMPLETED ] && [ "$JOB_EXIT" = 0:0 ] ||
    fail "sweep array $JOB_STATE, exit $JOB_EXIT: $(cat "$T"/sweep-*.log)"
echo "slurm: a $n-point sweep as a job array $(since "$t0") s, every task COMPLETED 0:0"
mkdir "$T/local"
cut -f 3 "$T/list.txt" | while read -r trace; do
    k=$(grep -n "$trace\$" "$T/list.txt" | cut -d : -f 1)
    k=$((k - 1))
    grep -q "done: $trace\$" "$T/sweep-$k.log" || fail "task $k: $(cat "$T/sweep-$k.log")"
    "$BIN" run "$T/sweep.yaml" -o "$T/local/sw.h5" --sweep-index "$k" --quiet || fail "--sweep-index $k"
    "$PY" "$SRC/tests/sim/same_datasets.py" "$trace" "$T/local/$(basename "$trace")" ||
        fail "task $k's trace differs from --sweep-index $k"
done || exit 1
echo "slurm: each task wrote its point's listed trace, equal to a --sweep-index run"
echo "slurm: all done in $(since "$t_start") s"
