# machine_snapshot.sh (sourced): what Windows' own tools read of everything the
# stand-alone plan touches on the Windows sandbox in $WINEPREFIX, one line per
# fact: `reg export` of the touched keys (a line per value, under its key), each
# service's `sc query` state and Start value, a hash of every Data Center file,
# the databases' dumps. Needs $wine (wine64) and $wineserver.
sandbox_services=(BackupServer Compactor DCAlerter IndexServer PoolServer ReplicationServer MSSQLSERVER
                  SQLSERVERAGENT IISADMIN W3SVC DCTomcat)
# Starts the session in $WINEPREFIX anew (as a reboot would: the layout's session
# lives on with its services) and keeps it up, with the automatic services running.
wine_session_up() {
  local s
  "$wineserver" -k 2>/dev/null || true
  "$wineserver" -w
  "$wineserver" -p >/dev/null 2>&1 </dev/null || return 1  # a new session that stays up
  # Its first program starts Wine's services and ours: with no output pipe of
  # ours for them to inherit and hold open.
  "$wine" cmd /c exit 0 </dev/null >/dev/null 2>&1 || true
  for s in "${sandbox_services[@]}"; do
    [[ $s == ReplicationServer ]] && continue  # the one manual service
    for _ in $(seq 50); do
      "$wine" sc query "$s" 2>&1 | grep -q 'RUNNING' && break
      sleep 0.2
    done
  done
}
machine_snapshot() {  # out-file
  local out=$1 k s db c="$WINEPREFIX/drive_c"
  : >"$out"
  for k in 'HKLM\SOFTWARE\Wow6432Node\Connected' 'HKLM\SOFTWARE\Wow6432Node\SupportCenter' \
           'HKLM\SOFTWARE\Wow6432Node\Outflow' 'HKLM\SOFTWARE\Microsoft\Windows\CurrentVersion\Uninstall'; do
    "$wine" reg export "$k" 'C:\snap.reg' /y >/dev/null 2>&1 || { echo "reg export $k failed" >&2; return 1; }
    # One line per value, prefixed by its key, so the comparison ignores value order only.
    iconv -f UTF-16LE -t UTF-8 "$c/snap.reg" | tr -d '\r' | sed 's/^\xef\xbb\xbf//' |
      awk '/^\[/ { key = $0; print key; next } /^$/ { next } { print key " " $0 }' | sort >>"$out"
  done
  for s in "${sandbox_services[@]}"; do
    echo "$s $("$wine" sc query "$s" 2>&1 | tr -d '\r' | awk '/STATE/ { print $4 }') start=$("$wine" reg query \
      "HKLM\\System\\CurrentControlSet\\Services\\$s" /v Start 2>&1 | tr -d '\r' | awk '/Start/ { print $3 }')" >>"$out"
  done
  (cd "$c/Program Files/Hewlett Packard Enterprise" && find . -type f -print0 | sort -z | xargs -0 sha256sum) >>"$out"
  for db in registry directory; do sqlite3 "$c/TidemarkSandbox/Databases/$db.db" .dump >>"$out"; done
}
