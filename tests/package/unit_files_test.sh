#!/usr/bin/env bash
# The systemd units in packaging/systemd/ pass `systemd-analyze verify`. verify checks that the
# program in ExecStart exists, so it checks copies that run the built labsweep instead of
# /usr/bin/labsweep. It only warns about an unknown key or a bad value, so any line it prints
# about the units fails the test too.
# Usage: unit_files_test.sh SOURCE_DIR BIN_DIR
set -euo pipefail
source_dir=$1
bin_dir=$2

if ! command -v systemd-analyze >/dev/null; then
  echo "SKIP: systemd-analyze is missing (Debian's systemd package)"
  exit 77
fi
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

units=()
for unit in "$source_dir"/packaging/systemd/*.service; do
  name=$(basename "$unit")
  grep -q '^ExecStart=/usr/bin/labsweep ' "$unit" || { echo "$name: ExecStart is not /usr/bin/labsweep"; exit 1; }
  sed "s|^ExecStart=/usr/bin/labsweep |ExecStart=$bin_dir/labsweep |" "$unit" >"$work/$name"
  units+=("$work/$name")
done

status=0
output=$(systemd-analyze verify --man=no "${units[@]}" 2>&1) || status=$?
echo "$output"
if [ "$status" -ne 0 ]; then
  echo "FAIL: systemd-analyze verify exited with $status"
  exit 1
fi
if grep -qF "$work/" <<<"$output"; then
  echo "FAIL: systemd-analyze verify has something to say about the units"
  exit 1
fi
echo "ok: ${#units[@]} units verified"
