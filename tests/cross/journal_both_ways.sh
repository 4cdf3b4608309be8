#!/usr/bin/env bash
# One journal format on both systems. The Linux build upgrades a standalone
# sandbox (registry, files, SQL, services, exec, checkpoint events); tidemark.exe
# under Wine verifies it with the same head hash and exports the same events,
# then appends a note that the Linux build verifies. The reverse: tidemark.exe
# writes a journal (init, apply of registry, file and SQL changes, note, a
# rollback) that the Linux build verifies and exports identically.
#
# usage: journal_both_ways.sh LINUX_TIDEMARK SOURCE_DIR TIDEMARK_EXE EMULATOR...
# (EMULATOR: the command that runs a Windows program, e.g. env WINEPREFIX=... wine64)
# Exit 77 (skipped) when the Linux build is missing.
set -euo pipefail
linux="$1" src="$2" exe="$3"
shift 3
emulator=("$@")
if [[ ! -x $linux ]]; then
  echo "skipped: no Linux build at $linux (tools/build first)"
  exit 77
fi
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
fail() { echo "FAILED: $*" >&2; exit 1; }
win() { LC_ALL=C.UTF-8 "${emulator[@]}" "$exe" "$@" | tr -d '\r'; }  # UTF-8 arguments; CRLF output
head_of() { sed -n 's/.*"head_hash":"\([0-9a-f]*\)".*/\1/p'; }

# Prints the head hash both builds see and fails unless they agree.
same_head() {  # journal label
  local lh wh
  lh="$("$linux" verify --journal "$1" --json | head_of)"
  wh="$(win verify --journal "$1" --json | head_of)"
  [[ -n $lh ]] || fail "$2: Linux verify printed no head"
  [[ $lh == "$wh" ]] || fail "$2: head $lh on Linux, $wh under Wine"
  echo "$2: both builds verify head $lh"
}

same_export() {  # journal label
  "$linux" export --journal "$1" --format jsonl >"$work/linux.jsonl"
  win export --journal "$1" --format jsonl >"$work/windows.jsonl"
  cmp -s "$work/linux.jsonl" "$work/windows.jsonl" ||
    fail "$2: exports differ: $(diff "$work/linux.jsonl" "$work/windows.jsonl" | head -5)"
  echo "$2: both builds export the same $(wc -l <"$work/linux.jsonl") events"
}

# --- written on Linux, read by tidemark.exe
site="$work/sandbox"
bash "$src/tools/make-sandbox" "$site" --topology standalone >/dev/null
lj="$work/linux.journal"
"$linux" init --journal "$lj" >/dev/null
"$linux" note --journal "$lj" "CHG-1 rehearsal" >/dev/null
rc=0
"$linux" apply --journal "$lj" "$src/plans/connected-backup-8.8.7/standalone.yaml" \
  --env "$site/site.yaml" --yes --confirm check-data-integrity --confirm check-sql-accounts >"$work/apply.log" 2>&1 || rc=$?
"$site/bin/sandbox-stop" >/dev/null 2>&1 || true
((rc == 0)) || fail "Linux apply exited $rc: $(tail -5 "$work/apply.log")"
same_head "$lj" "Linux journal"
same_export "$lj" "Linux journal"
# (a release tidemark.exe has no crash hook: the variable is ignored)
TIDEMARK_CRASH_AFTER_SYNCS=1 win note --journal "$lj" "appended by tidemark.exe" >/dev/null ||
  fail "tidemark.exe note (with TIDEMARK_CRASH_AFTER_SYNCS=1) failed"
same_head "$lj" "Linux journal + a note from tidemark.exe"

# --- written by tidemark.exe, read on Linux
mkdir -p "$work/w/hives" "$work/w/hosts/S1/C/DC" "$work/w/db"
cp "$site/hives/SERVER1.reg" "$work/w/hives/S1.reg"
printf 'Server=dt1.example.corp\r\n' >"$work/w/hosts/S1/C/DC/app.ini"
sqlite3 "$work/w/db/registry.db" \
  "CREATE TABLE OutflowServices (ServerId INTEGER PRIMARY KEY, Url TEXT);
   INSERT INTO OutflowServices VALUES (1, 'https://dt1.example.corp:9443/DataTransfer');"
cat >"$work/w/site.yaml" <<EOF
name: cross
hosts:
  S1: { registry: hives/S1.reg, files: hosts/S1 }
databases:
  registry:
    connection: 'Driver=SQLite3;Database=$work/w/db/registry.db'
    backups: backups
EOF
cat >"$work/w/plan.yaml" <<'EOF'
name: cross-check
steps:
  - id: edit
    title: Registry, file and SQL changes
    actions:
      - registry.set: { host: S1, key: 'HKLM\SOFTWARE\Wow6432Node\Outflow', name: DB_PreferedRegistry, value: "S2", create_key: true }
      - registry.set: { host: S1, key: 'HKLM\SOFTWARE\Tidemark Cross', name: Zürich, value: "日本", type: REG_EXPAND_SZ, create_key: true }
      - file.replace: { host: S1, path: 'C:\DC\app.ini', from: dt1.example.corp, to: dt1 }
      - sql.update: { database: registry, table: OutflowServices, key: { ServerId: 1 }, set: { Url: "https://dt1:9443/DataTransfer" } }
EOF
wj="$work/windows.journal"
win init --journal "$wj" >/dev/null
win note --journal "$wj" "CHG-2 from Windows: Zürich 日本" >/dev/null
win apply --journal "$wj" "$work/w/plan.yaml" --env "$work/w/site.yaml" --yes >"$work/wapply.log" 2>&1 ||
  fail "tidemark.exe apply: $(tail -5 "$work/wapply.log")"
grep -q 'DB_PreferedRegistry' "$work/wapply.log" || fail "tidemark.exe apply printed no change"
win rollback --journal "$wj" --to start >"$work/wrollback.log" 2>&1 ||
  fail "tidemark.exe rollback: $(tail -5 "$work/wrollback.log")"
same_head "$wj" "tidemark.exe journal"
same_export "$wj" "tidemark.exe journal"
grep -q 'CHG-2 from Windows: Zürich 日本' "$work/linux.jsonl" ||
  fail "the UTF-8 note given to tidemark.exe does not read back on Linux"
"$linux" note --journal "$wj" "appended on Linux" >/dev/null
same_head "$wj" "tidemark.exe journal + a note from Linux"
