# reg.sh: bash helpers (sourced) that write and edit registry hive files in the
# format `reg export` produces: UTF-16LE with BOM FF FE, CRLF, first line
# "Windows Registry Editor Version 5.00", blank line, then "[KEY]" + values + blank line per key.
#
# Writing: text is produced in UTF-8 (CRLF) by reg_header/reg_key/reg_sz/... on
# stdout and converted once with reg_encode. Editing: reg_set_text decodes a
# hive, replaces or adds one value (keys and names match case-insensitively,
# as Windows does) and re-encodes it atomically (temp file + mv).
# Needs only bash, coreutils (od, mktemp, mv) and iconv.

REG_CR=$'\r'

# Escapes a string for the inside of "...": \ → \\ and " → \".
reg_escape() {
  local s=${1//\\/\\\\}
  printf '%s' "${s//\"/\\\"}"
}

reg_header() { printf 'Windows Registry Editor Version 5.00\r\n'; }

# Starts a key: blank line, then [KEY]. KEY is a full path (HKEY_LOCAL_MACHINE\...).
reg_key() { printf '\r\n[%s]\r\n' "$1"; }

# Ends the file: the blank line reg export writes after the last key.
reg_end() { printf '\r\n'; }

# REG_SZ; name "" writes the default value as @="...".
reg_sz() {
  if [[ -z $1 ]]; then
    printf '@="%s"\r\n' "$(reg_escape "$2")"
  else
    printf '"%s"="%s"\r\n' "$(reg_escape "$1")" "$(reg_escape "$2")"
  fi
}

# REG_DWORD from a decimal (or 0x..) number.
reg_dword() { printf '"%s"=dword:%08x\r\n' "$(reg_escape "$1")" "$(($2))"; }

# Prints "name"=<tag>:xx,xx,... wrapped the way regedit does: after a byte and
# its comma, once the line has reached 77 columns, it ends with "\" and goes on
# with two spaces. Bytes are given as separate two-digit hex words.
reg_hex_value() {
  local name=$1 tag=$2
  shift 2
  local line
  line="\"$(reg_escape "$name")\"=$tag:"
  local n=$# i=0 b
  for b in "$@"; do
    i=$((i + 1))
    line+=$b
    ((i == n)) && break
    line+=","
    if ((${#line} >= 77)); then
      printf '%s\\\r\n' "$line"
      line="  "
    fi
  done
  printf '%s\r\n' "$line"
}

# UTF-16LE bytes (hex words) of a string, without terminator.
reg_utf16_bytes() {
  [[ -z $1 ]] && return 0
  printf '%s' "$1" | iconv -f UTF-8 -t UTF-16LE | od -An -tx1 -v
}

# REG_EXPAND_SZ as hex(2): UTF-16LE string + 00,00 terminator.
reg_expand() {
  local bytes
  bytes=$(reg_utf16_bytes "$2")
  # shellcheck disable=SC2086
  reg_hex_value "$1" 'hex(2)' $bytes 00 00
}

# REG_MULTI_SZ as hex(7): each string + 00,00, then a final 00,00.
reg_multi() {
  local name=$1
  shift
  local all="" s
  for s in "$@"; do
    all+=" $(reg_utf16_bytes "$s") 00 00"
  done
  # shellcheck disable=SC2086
  reg_hex_value "$name" 'hex(7)' $all 00 00
}

# REG_QWORD as hex(b): 8 bytes little-endian.
reg_qword() {
  local v=$(($2)) bytes="" k
  for ((k = 0; k < 8; k++)); do
    bytes+=" $(printf '%02x' $(((v >> (8 * k)) & 255)))"
  done
  # shellcheck disable=SC2086
  reg_hex_value "$1" 'hex(b)' $bytes
}

# REG_BINARY as hex: from a compact hex string ("0a1bff").
reg_binary() {
  local hex=$2 bytes="" k
  for ((k = 0; k < ${#hex}; k += 2)); do
    bytes+=" ${hex:k:2}"
  done
  # shellcheck disable=SC2086
  reg_hex_value "$1" hex $bytes
}

# Converts UTF-8 text on stdin to a hive file: BOM FF FE + UTF-16LE.
reg_encode() {
  local out=$1 tmp
  tmp=$(mktemp "${out}.XXXXXX") || return 1
  { printf '\xff\xfe'; iconv -f UTF-8 -t UTF-16LE; } >"$tmp" || { rm -f "$tmp"; return 1; }
  mv -f "$tmp" "$out"
}

# Prints a hive file as UTF-8 (BOM removed, CRLF kept). Fails when the file
# does not start with FF FE.
reg_decode() {
  local bom
  bom=$(od -An -tx1 -N2 "$1" | tr -d ' \n')
  if [[ $bom != fffe ]]; then
    echo "reg.sh: $1: not a UTF-16LE hive file (no FF FE byte order mark)" >&2
    return 1
  fi
  tail -c +3 "$1" | iconv -f UTF-16LE -t UTF-8
}

# reg_set_text HIVE KEY NAME TEXT
# Sets value NAME (use "@" for the default value) under KEY to TEXT, which is
# the complete value text as reg_sz/reg_dword/... print it (CRLF included).
# Creates the key at the end of the file when missing. Prints "changed" or
# "unchanged"; the file is only rewritten when something changed.
reg_set_text() {
  local hive=$1 key=$2 name=$3 text=$4 decoded result
  decoded=$(mktemp) || return 1
  reg_decode "$hive" >"$decoded" || { rm -f "$decoded"; return 1; }
  result=$(mktemp) || return 1
  REG_TEXT=$text REG_KEY=$key REG_NAME=$name REG_STATUS=$result.status awk '
    function lower(s) { return tolower(s) }
    BEGIN {
      # Taken from the environment: awk -v would expand the backslashes in key paths.
      text = ENVIRON["REG_TEXT"]; sub(/\n$/, "", text)
      key = ENVIRON["REG_KEY"]; name = ENVIRON["REG_NAME"]; status = ENVIRON["REG_STATUS"]
      want_key = "[" lower(key) "]"
      want_name = (name == "@") ? "@=" : lower("\"" name "\"=")
      in_key = 0; found_key = 0; done = 0; skipping = 0; old = ""
    }
    {
      line = $0; bare = line; sub(/\r$/, "", bare)
      if (skipping) {
        old = old "\n" line
        if (bare !~ /\\$/) skipping = 0
        next
      }
      if (substr(bare, 1, 1) == "[") {
        if (in_key && !done) { print text; done = 1; changed = 1 }
        in_key = (lower(bare) == want_key)
        if (in_key) found_key = 1
        print line; next
      }
      if (in_key && !done && bare == "") { print text; done = 1; changed = 1; print line; in_key = 0; next }
      if (in_key && !done && index(lower(bare), want_name) == 1) {
        old = line; done = 1
        if (bare ~ /\\$/) skipping = 1
        print text; replaced = 1; next
      }
      print line
    }
    END {
      if (!found_key) {
        printf "[%s]\r\n%s\n\r\n", key, text; changed = 1
      } else if (in_key && !done) {
        print text; changed = 1
      }
      if (replaced) changed = (old != text)
      print (changed ? "changed" : "unchanged") > status
    }' "$decoded" >"$result"
  local rc=$?
  local st
  st=$(cat "$result.status" 2>/dev/null)
  if ((rc == 0)) && [[ $st == changed ]]; then
    reg_encode "$hive" <"$result" || rc=1
  fi
  rm -f "$decoded" "$result" "$result.status"
  ((rc == 0)) || return 1
  echo "$st"
}
