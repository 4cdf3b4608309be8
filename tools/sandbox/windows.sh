#!/bin/bash
# windows.sh (run by `make-sandbox DIR --windows`): the stand-alone Data Center
# as a Windows machine — a Wine prefix laid out with Windows' own tools only.
#
#   DIR/layout/      the Linux stand-alone sandbox the layout is taken from:
#                    hives/*.reg, hosts/*/C/..., services/*/*.service, db/*.db
#   DIR/layout.cmd   the layout script: `reg import` of every hive, `xcopy` of
#                    the C: drive and of the databases, `sc create` of every
#                    service (the project's tidemark-stand-in-service.exe),
#                    `sc start` of the automatic ones. It uses only reg, xcopy,
#                    copy and sc, with paths relative to its own folder, so DIR
#                    copied to a real Windows test VM lays it out there (run
#                    layout.cmd elevated; then use DIR/site-vm.yaml).
#   DIR/bin/         tidemark-stand-in-service.exe, tidemark-setup-stand-in.exe
#                    (layout.cmd copies them to C:\TidemarkSandbox\bin and writes
#                    setup-stand-in.conf there: the databases, the DT node's FQDN)
#   DIR/prefix/      the Wine prefix (WINEPREFIX) holding the laid-out machine
#   DIR/site.yaml    the environment for tidemark.exe under Wine
#   DIR/site-vm.yaml the same for a Windows VM (Windows paths to the databases)
#
# The stand-alone plan's three hosts (primary, web_server, dt_server) are this
# one machine, an all-in-one stand-alone server: site.yaml maps all three
# parameters to SERVER1 (one host, so one physical value is one resource), and
# the Setup stand-in, like the real Setup, upgrades every component installed
# on the computer it runs on. The Registry and Directory databases are SQLite
# files reached through odbc32 (under Wine: the host's SQLite ODBC driver).
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

# --- the layout script -------------------------------------------------------
# Every path in layout.cmd is relative to its own folder (%~dp0), so DIR copied
# to a Windows test VM and run there elevated lays out the same machine. Its
# parts land under C:\TidemarkSandbox (bin: the service and Setup stand-ins;
# Databases: the Registry and Directory SQLite files) and the Data Center's own
# places (the hives' keys, C:\Program Files\...). Only the ODBC connection text
# differs: under Wine the SQLite ODBC driver is the Linux host's, which opens
# Unix paths, so layout.cmd writes the Setup stand-in's setup-stand-in.conf with
# the databases' path as this system's driver opens it (Wine shows itself by
# HKLM\Software\Wine; its winepath -u gives the Unix path).
"$wine_bin" wineboot -i >/dev/null 2>&1 || die "wineboot could not create the prefix $dir/prefix"
sandbox_c='C:\TidemarkSandbox'
db_unix="$dir/prefix/drive_c/TidemarkSandbox/Databases"
# One command and its check (`if errorlevel`: Wine's cmd runs the right side of || always).
step() { printf '%s\nif errorlevel 1 goto failed\n' "$1"; }
{
  echo '@echo off'
  echo 'rem layout.cmd: lays out the stand-alone Data Center (Connected Backup 8.8.6.1) on this'
  echo 'rem computer with Windows'"'"' own tools (reg, xcopy, copy, sc). Run it elevated, from'
  echo 'rem anywhere: every path is relative to this script'"'"'s folder. Made by'
  echo 'rem tools/make-sandbox --windows.'
  echo 'setlocal'
  echo 'set "HERE=%~dp0"'
  echo "set \"SANDBOX=$sandbox_c\""
  # The data center's hive last: its common values (computer name) win.
  for h in WEB1 DT1 SERVER1; do
    step "reg import \"%HERE%layout\\hives\\$h.reg\""
  done
  for h in SERVER1 WEB1 DT1; do
    step "xcopy \"%HERE%layout\\hosts\\$h\\C\" C:\\ /E /I /Y /Q >nul"
  done
  step 'xcopy "%HERE%layout\db" "%SANDBOX%\Databases" /E /I /Y /Q >nul'
  step 'xcopy "%HERE%bin" "%SANDBOX%\bin" /E /I /Y /Q >nul'
  echo 'rem The Setup stand-in'"'"'s databases as this system'"'"'s SQLite ODBC driver opens them:'
  echo 'rem under Wine that is the Linux host'"'"'s driver, which takes Unix paths.'
  echo 'set "SYSTEM=windows"'
  echo 'set "DBDIR=%SANDBOX%\Databases\"'
  echo 'reg query "HKLM\Software\Wine" >nul 2>&1'
  echo 'if errorlevel 1 goto conf'
  echo 'set "SYSTEM=wine"'
  echo 'for /f "delims=" %%p in ('"'"'winepath -u "%SANDBOX%\Databases"'"'"') do set "DBDIR=%%p/"'
  echo ':conf'
  echo 'set "CONF=%SANDBOX%\bin\setup-stand-in.conf"'
  step '>"%CONF%" echo registry=Driver=SQLite3;Database=%DBDIR%registry.db'
  step '>>"%CONF%" echo directory=Driver=SQLite3;Database=%DBDIR%directory.db'
  step '>>"%CONF%" echo fqdn=dt1.example.corp'
  declare -A seen=()
  for def in "$dir"/layout/services/*/*.service; do
    name=$(basename "$def" .service)
    [[ -n ${seen[$name]:-} ]] && continue
    seen[$name]=1
    start=demand
    grep -qx 'start=auto' "$def" && start=auto
    step "sc create $name binPath= \"\\\"%SANDBOX%\\bin\\tidemark-stand-in-service.exe\\\"\" start= $start >nul"
    if [[ $start == auto ]]; then  # already running is fine (Wine may start it on create)
      echo "sc start $name >nul"
      step "sc query $name | findstr RUNNING >nul"
    fi
  done
  echo 'echo laid out (%SYSTEM%)'
  echo 'exit /b 0'
  echo ':failed'
  echo 'echo layout.cmd: the command above failed'
  echo 'exit /b 1'
} | sed 's/$/\r/' >"$dir/layout.cmd"
out=$("$wine_bin" cmd /c "$(dos "$dir/layout.cmd")" 2>&1 | tr -d '\r') || die "layout.cmd failed: $out"
[[ $out == *"laid out (wine)"* ]] || die "layout.cmd failed: $out"

echo "# sandbox.conf: a Windows sandbox (tools/make-sandbox --windows); prefix $dir/prefix" >"$dir/sandbox.conf"
{
  echo '#!/bin/bash'
  echo "# sandbox-stop: ends the Windows sandbox's Wine session (its services stop with it)."
  echo "WINEPREFIX='$dir/prefix' '$(dirname "$wine_bin")/wineserver' -k 2>/dev/null || true"
} >"$dir/bin/sandbox-stop"
chmod 755 "$dir/bin/sandbox-stop"

# --- site.yaml (Wine) and site-vm.yaml (a Windows VM laid out by layout.cmd) ----
site() {  # file, what it is for, database folder as the ODBC driver sees it, separator
  {
    echo "# $1: tidemark.exe environment for the stand-alone Windows sandbox made by"
    echo "# tools/make-sandbox --windows, $2."
    echo "# Site assumption: an all-in-one stand-alone server, so the plan's primary,"
    echo "# web_server and dt_server are this one computer, SERVER1."
    echo "name: sandbox-windows-standalone"
    echo "parameters:"
    echo "  setup_command: '$sandbox_c\\bin\\tidemark-setup-stand-in.exe'"
    echo "  primary: SERVER1"
    echo "  web_server: SERVER1"
    echo "  dt_server: SERVER1"
    echo "  registry_mdf: 'C:\\Program Files\\Microsoft SQL Server\\MSSQL10_50.MSSQLSERVER\\MSSQL\\DATA\\Registry.mdf'"
    echo "  registry_ldf: 'C:\\Program Files\\Microsoft SQL Server\\MSSQL10_50.MSSQLSERVER\\MSSQL\\DATA\\Registry.ldf'"
    echo "hosts:"
    echo "  SERVER1:"
    echo "    registry: { native: . }"
    echo "    files: { native: . }"
    echo "    services: { backend: scm, machine: . }"
    echo "databases:"
    for db in registry directory; do
      echo "  $db:"
      echo "    connection: \"Driver=SQLite3;Database=$3$4$db.db\""
      echo "    backups: backups"
    done
  } >"$dir/$1"
}
site site.yaml "for this machine's Wine prefix $dir/prefix (the SQLite ODBC driver is the Linux host's: Unix paths)" "$db_unix" /
site site-vm.yaml "for a Windows test VM where DIR's layout.cmd ran elevated (needs the SQLite3 ODBC driver)" "$sandbox_c\\Databases" '\'

cat <<EOF
Windows sandbox: stand-alone Data Center (Connected Backup 8.8.6.1) in the Wine prefix $dir/prefix
  layout:      $dir/layout.cmd (reg import, xcopy, copy, sc create/start), from $dir/layout;
               relative to its folder, so DIR copied to a Windows VM lays it out there too
  databases:   C:\TidemarkSandbox\Databases (SQLite over ODBC), under Wine $db_unix
  services:    $(grep -c "^sc create" "$dir/layout.cmd") Windows services running tidemark-stand-in-service.exe
  setup.exe:   C:\TidemarkSandbox\bin\tidemark-setup-stand-in.exe --host SERVER1 [--fail-after N]
  environment: $dir/site.yaml (on a Windows VM: site-vm.yaml)
Upgrade it:
  WINEPREFIX=$dir/prefix wine64 tidemark.exe apply plans/connected-backup-8.8.7/standalone.yaml --env $dir/site.yaml --yes --confirm check-data-integrity --confirm check-sql-accounts
EOF
