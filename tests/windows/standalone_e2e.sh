#!/usr/bin/env bash
# The stand-alone upgrade end to end under Wine: tidemark.exe applies
# plans/connected-backup-8.8.7/standalone.yaml to the Windows sandbox
# (tools/make-sandbox --windows: native registry, SCM services, native files,
# SQLite over odbc32), is killed while Setup runs and resumed, and rolled back;
# then Setup fails half-way and the run is rolled back. After each rollback,
# Windows' own tools read the machine as it was before: `reg export` of the
# touched keys (compared value by value), `sc query` states and the services'
# Start values, the Data Center's files byte for byte, the databases' dumps.
#
# usage: standalone_e2e.sh SOURCE_DIR TIDEMARK_EXE WINDOWS_BIN_DIR
set -euo pipefail
src=$1 exe=$2 winbin=$3
wine=${TIDEMARK_WINE64:-/usr/lib/wine/wine64}
wineserver="$(dirname "$wine")/wineserver"
work="$(mktemp -d)"
sb="$work/sandbox"
export WINEPREFIX="$sb/prefix" WINEDEBUG=-all WINELOADER="$wine"
cleanup() {
  "$wineserver" -k 2>/dev/null || true
  rm -rf "$work"
}
trap cleanup EXIT
fail() { echo "FAILED: $*" >&2; exit 1; }
now() { date +%s.%N; }
# True while a Setup stand-in process is alive (no procps needed).
setup_running() { grep -qs 'tidemark-setup-stand-i[n]' /proc/[0-9]*/cmdline; }  # [n]: not grep itself
since() { awk -v a="$1" -v b="$(now)" 'BEGIN { printf "%.1f s", b - a }'; }
w() { "$wine" "$@" 2>&1 | tr -d '\r'; }
tm() { "$wine" "$exe" "$@" --journal 'C:\e2e.journal' 2>&1 | tr -d '\r'; }

t0=$(now)
bash "$src/tools/make-sandbox" "$sb" --windows --windows-bin "$winbin" >/dev/null
echo "sandbox laid out in $(since "$t0")"
source "$src/tests/windows/machine_snapshot.sh"
# One Wine session for the whole test: services live as long as it does, and
# every tidemark.exe finds the service control manager already up.
wine_session_up || fail "the Wine session did not come up"
echo "Wine session up, services running, $(since "$t0") from the start"

snapshot() { machine_snapshot "$1" || fail "snapshot"; }
same_as_before() {  # label
  snapshot "$work/after"
  if ! cmp -s "$work/before" "$work/after"; then
    fail "$1: not as before: $(diff "$work/before" "$work/after" | head -20)"
  fi
  echo "$1: registry, services, files and databases as before ($(wc -l <"$work/before") lines compared)"
}
snapshot "$work/before"
grep -q '^BackupServer RUNNING start=0x2$' "$work/before" || fail "BackupServer is not running in the sandbox"

plan="$src/plans/connected-backup-8.8.7/standalone.yaml"
# The plan's prompts that ask for the admin's judgement, which --yes does not confirm.
judged="--confirm check-data-integrity --confirm check-sql-accounts"
env_file="$("$wine" winepath -w "$sb/site.yaml" 2>/dev/null | tr -d '\r')"
tm init >/dev/null

# --- 1. killed while Setup runs, resumed, then rolled back
t1=$(now)
SETUP_STANDIN_DELAY_MS=20000 "$wine" "$exe" apply "$plan" --env "$env_file" --yes $judged \
  --journal 'C:\e2e.journal' >"$work/apply1.out" 2>&1 &
apply_pid=$!
for _ in $(seq 300); do
  setup_running && break
  sleep 0.1
done
setup_running || fail "Setup never started: $(tr -d '\r' <"$work/apply1.out")"
sleep 0.5
kill -KILL "$apply_pid" || fail "no tidemark.exe process to kill"  # wine64 runs it in this process
wait "$apply_pid" 2>/dev/null || true
for _ in $(seq 100); do setup_running || break; sleep 0.1; done
setup_running && fail "Setup outlived tidemark.exe (the Job object should end it)"
echo "killed tidemark.exe while Setup ran ($(since "$t1") into the run)"
status=$(tm status)
grep -q 'interrupted\|stopped\|running' <<<"$status" || fail "status after the kill: $status"
resume=$(SETUP_STANDIN_DELAY_MS= tm resume --yes --rerun-step) || fail "resume: $resume"
grep -q 'finished' <<<"$resume" || fail "resume did not finish: $resume"
w reg query 'HKLM\SOFTWARE\Wow6432Node\Connected\DataCenter' /v Version | grep -q '8.8.7.0' ||
  fail "the Data Center does not report 8.8.7.0 after resume"
w reg query 'HKLM\SOFTWARE\Wow6432Node\Outflow' /v Version | grep -q '8.8.7.0' ||
  fail "the DataTransfer API does not report 8.8.7.0 after resume"
echo "upgrade killed and resumed to the end in $(since "$t1")"
verify=$(tm verify) || fail "verify: $verify"
t2=$(now)
rollback=$(tm rollback) || fail "rollback: $rollback"
echo "rolled back in $(since "$t2")"
same_as_before "kill, resume, rollback"

# --- 2. Setup fails half-way, the run is rolled back
t3=$(now)
rc=0
SETUP_STANDIN_FAIL_AFTER=5 tm apply "$plan" --env "$env_file" --yes $judged >"$work/apply2.out" || rc=$?
[[ $rc == 4 ]] || fail "a failing Setup gave exit $rc, not 4: $(cat "$work/apply2.out")"
grep -q 'simulated failure' "$work/apply2.out" || fail "Setup's own error is not shown: $(cat "$work/apply2.out")"
# Setup's output is streamed as it comes, each line with the time since Setup started.
grep -Eq '^    \[[0-9]+\.[0-9]s\] setup-stand-in: SERVER1: registry ' "$work/apply2.out" ||
  fail "Setup's output is not streamed with its elapsed time: $(cat "$work/apply2.out")"
rollback=$(tm rollback) || fail "rollback after the failed Setup: $rollback"
echo "failed Setup rolled back in $(since "$t3")"
same_as_before "failed Setup, rollback"
verify=$(tm verify) || fail "verify at the end: $verify"
echo "end to end under Wine: $(since "$t0") in all"
