#!/usr/bin/env bash
# The Windows sandbox's layout.cmd is usable unchanged on another machine: the
# sandbox folder (without its Wine prefix) copied to another place, whose path
# has spaces, and layout.cmd run there in a new, empty prefix from another
# working folder, lays out the same machine as make-sandbox did, as Windows'
# own tools read it (reg export, sc query, the files, the databases). The
# script names no path of the folder it was made in.
#
# usage: layout_relocated.sh SOURCE_DIR WINDOWS_BIN_DIR
set -euo pipefail
src=$1 winbin=$2
wine=${TIDEMARK_WINE64:-/usr/lib/wine/wine64}
wineserver="$(dirname "$wine")/wineserver"
work="$(mktemp -d)"
export WINEDEBUG=-all WINELOADER="$wine"
cleanup() {
  WINEPREFIX="$work/made/prefix" "$wineserver" -k 2>/dev/null || true
  WINEPREFIX="$work/vm" "$wineserver" -k 2>/dev/null || true
  rm -rf "$work"
}
trap cleanup EXIT
fail() { echo "FAILED: $*" >&2; exit 1; }
source "$src/tests/windows/machine_snapshot.sh"

bash "$src/tools/make-sandbox" "$work/made" --windows --windows-bin "$winbin" >/dev/null
if grep -aqF "$work" "$work/made/layout.cmd"; then
  fail "layout.cmd names the folder it was made in: $(grep -aF "$work" "$work/made/layout.cmd" | head -3)"
fi
export WINEPREFIX="$work/made/prefix"
wine_session_up || fail "the made sandbox's Wine session did not come up"
machine_snapshot "$work/made.txt" || fail "snapshot of the made sandbox"
"$wineserver" -k 2>/dev/null || true

copy="$work/copied to a VM/Sandbox Folder"
mkdir -p "$copy"
(cd "$work/made" && tar cf - --exclude=./prefix .) | (cd "$copy" && tar xf -)
export WINEPREFIX="$work/vm"
"$wine" wineboot -i >/dev/null 2>&1 || fail "wineboot of the second prefix"
script="$("$wine" winepath -w "$copy/layout.cmd" 2>/dev/null | tr -d '\r')"
out=$(cd / && "$wine" cmd /c "$script" 2>&1 | tr -d '\r') || fail "layout.cmd in its new place: $out"
[[ $out == *"laid out (wine)"* ]] || fail "layout.cmd in its new place: $out"
wine_session_up || fail "the second prefix's Wine session did not come up"
machine_snapshot "$work/vm.txt" || fail "snapshot of the second prefix"
[[ $(grep -c RUNNING "$work/vm.txt") -ge 9 ]] || fail "the services do not run: $(grep start= "$work/vm.txt")"
cmp -s "$work/made.txt" "$work/vm.txt" ||
  fail "the copied layout differs: $(diff "$work/made.txt" "$work/vm.txt" | head -20)"
conf=$(tr -d '\r' <"$WINEPREFIX/drive_c/TidemarkSandbox/bin/setup-stand-in.conf")
grep -qxF "registry=Driver=SQLite3;Database=$WINEPREFIX/dosdevices/c:/TidemarkSandbox/Databases/registry.db" \
  <<<"$conf" || fail "setup-stand-in.conf does not name the new machine's databases: $conf"
echo "layout.cmd copied to '$copy' laid out the same machine ($(wc -l <"$work/vm.txt") lines compared)"
