#!/bin/bash
# windows.sh (run by `make-sandbox DIR --windows`): the stand-alone Data Center
# as a Windows machine — a Wine prefix laid out with Windows' own tools only.
#
#   DIR/layout/      the Linux stand-alone sandbox the layout is taken from:
#                    hives/*.reg, hosts/*/C/..., services/*/*.service, db/*.db
#   DIR/layout.cmd   the layout script: `reg import` of every hive, `xcopy` of
#                    the C: drive, `sc create` of every service (the project's
#                    tidemark-stand-in-service.exe), `sc start` of the automatic
#                    ones. It uses only reg, xcopy and sc, so the same script
#                    lays out a real Windows test VM (run it elevated there).
#   DIR/bin/         tidemark-stand-in-service.exe, tidemark-setup-stand-in.exe
#                    and its setup-stand-in.conf (the databases, the DT node's FQDN)
#   DIR/prefix/      the Wine prefix (WINEPREFIX) holding the laid-out machine
#   DIR/site.yaml    the environment for tidemark.exe
#
# The stand-alone plan's three hosts (primary, web_server, dt_server) are this
# one machine, an all-in-one stand-alone server: site.yaml maps all three
# parameters to SERVER1 (one host, so one physical value is one resource), and
# the Setup stand-in, like the real Setup, upgrades every component installed
# on the computer it runs on. The Registry and Directory databases are SQLite
# files reached through Wine's odbc32 (the host's SQLite ODBC driver).
#
# usage: windows.sh DIR HERE WINDOWS_BIN
set -euo pipefail
dir=$1 here=$2 winbin=$3
die() {
  echo "make-sandbox: $*" >&2
  exit 1
}

wine_bin=$(command -v wine64 || true)
[[ -n $wine_bin ]] || wine_bin=/usr/lib/wine/wine64
[[ -x $wine_bin ]] || die "wine64 not found (apt-get install wine64; tools/build-windows installs it)"
for exe in tidemark-stand-in-service.exe tidemark-setup-stand-in.exe; do
  [[ -f $winbin/$exe ]] || die "$winbin/$exe not found: build it with bash tools/build-windows (or pass --windows-bin DIR)"
done

bash "$here/make-sandbox" "$dir/layout" --topology standalone >/dev/null
mkdir -p "$dir/bin" "$dir/backups"
cp "$winbin/tidemark-stand-in-service.exe" "$winbin/tidemark-setup-stand-in.exe" "$dir/bin/"
export WINEPREFIX="$dir/prefix" WINEDEBUG=-all WINELOADER="$wine_bin" WINEDLLOVERRIDES="mscoree,mshtml="
dos() { "$wine_bin" winepath -w "$1" 2>/dev/null | tr -d '\r'; }

{
  printf '%s\n' "registry=Driver=SQLite3;Database=$dir/layout/db/registry.db" \
    "directory=Driver=SQLite3;Database=$dir/layout/db/directory.db" "fqdn=dt1.example.corp"
} | sed 's/$/\r/' >"$dir/bin/setup-stand-in.conf"

# --- the layout script -------------------------------------------------------
"$wine_bin" wineboot -i >/dev/null 2>&1 || die "wineboot could not create the prefix $dir/prefix"
svc_exe="$(dos "$dir/bin/tidemark-stand-in-service.exe")"
# One command and its check (`if errorlevel`: Wine's cmd runs the right side of || always).
step() { printf '%s\nif errorlevel 1 goto failed\n' "$1"; }
{
  echo '@echo off'
  echo 'rem layout.cmd: lays out the stand-alone Data Center (Connected Backup 8.8.6.1) on this'
  echo 'rem computer with Windows'"'"' own tools (reg, xcopy, sc). Run it elevated. Made by'
  echo 'rem tools/make-sandbox --windows; paths below are where that sandbox put its parts.'
  echo 'setlocal'
  # The data center's hive last: its common values (computer name) win.
  for h in WEB1 DT1 SERVER1; do
    step "reg import \"$(dos "$dir/layout/hives/$h.reg")\""
  done
  for h in SERVER1 WEB1 DT1; do
    step "xcopy \"$(dos "$dir/layout/hosts/$h/C")\" C:\\ /E /I /Y /Q >nul"
  done
  declare -A seen=()
  for def in "$dir"/layout/services/*/*.service; do
    name=$(basename "$def" .service)
    [[ -n ${seen[$name]:-} ]] && continue
    seen[$name]=1
    start=demand
    grep -qx 'start=auto' "$def" && start=auto
    step "sc create $name binPath= \"\\\"$svc_exe\\\"\" start= $start >nul"
    if [[ $start == auto ]]; then  # already running is fine (Wine may start it on create)
      echo "sc start $name >nul"
      step "sc query $name | findstr RUNNING >nul"
    fi
  done
  echo 'echo laid out'
  echo 'exit /b 0'
  echo ':failed'
  echo 'echo layout.cmd: the command above failed'
  echo 'exit /b 1'
} | sed 's/$/\r/' >"$dir/layout.cmd"
out=$("$wine_bin" cmd /c "$(dos "$dir/layout.cmd")" 2>&1 | tr -d '\r') || die "layout.cmd failed: $out"
[[ $out == *"laid out"* ]] || die "layout.cmd failed: $out"

echo "# sandbox.conf: a Windows sandbox (tools/make-sandbox --windows); prefix $dir/prefix" >"$dir/sandbox.conf"
{
  echo '#!/bin/bash'
  echo "# sandbox-stop: ends the Windows sandbox's Wine session (its services stop with it)."
  echo "WINEPREFIX='$dir/prefix' '$(dirname "$wine_bin")/wineserver' -k 2>/dev/null || true"
} >"$dir/bin/sandbox-stop"
chmod 755 "$dir/bin/sandbox-stop"

# --- site.yaml -----------------------------------------------------------------
{
  echo "# site.yaml: tidemark.exe environment for the stand-alone Windows sandbox made by"
  echo "# tools/make-sandbox --windows (Wine prefix $dir/prefix)."
  echo "# Site assumption: an all-in-one stand-alone server, so the plan's primary,"
  echo "# web_server and dt_server are this one computer, SERVER1."
  echo "name: sandbox-windows-standalone"
  echo "parameters:"
  echo "  setup_command: '$(dos "$dir/bin/tidemark-setup-stand-in.exe")'"
  echo "  primary: SERVER1"
  echo "  web_server: SERVER1"
  echo "  dt_server: SERVER1"
  echo "hosts:"
  echo "  SERVER1:"
  echo "    registry: { native: . }"
  echo "    files: { native: . }"
  echo "    services: { backend: scm, machine: . }"
  echo "databases:"
  echo "  registry:"
  echo "    connection: \"Driver=SQLite3;Database=$dir/layout/db/registry.db\""
  echo "    backups: backups"
  echo "  directory:"
  echo "    connection: \"Driver=SQLite3;Database=$dir/layout/db/directory.db\""
  echo "    backups: backups"
} >"$dir/site.yaml"

cat <<EOF
Windows sandbox: stand-alone Data Center (Connected Backup 8.8.6.1) in the Wine prefix $dir/prefix
  layout:      $dir/layout.cmd (reg import, xcopy, sc create/start), from $dir/layout
  services:    $(grep -c "^sc create" "$dir/layout.cmd") Windows services running tidemark-stand-in-service.exe
  setup.exe:   $dir/bin/tidemark-setup-stand-in.exe --host SERVER1 [--fail-after N]
  environment: $dir/site.yaml
Upgrade it:
  WINEPREFIX=$dir/prefix wine64 tidemark.exe apply plans/connected-backup-8.8.7/standalone.yaml --env $dir/site.yaml --yes
EOF
