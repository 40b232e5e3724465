#!/usr/bin/env bash
# The Debian package: built by CPack from the build tree, installed with dpkg -i, used the way
# docs/deployment.md says (keys on the head node, the server and an agent running as the
# labsweep user with the packaged configuration, `labsweep agent install`), then purged.
# It needs root, and leaves a machine alone that has labsweep installed or its directories or
# user; it says why it skips. Whatever fails, the package is purged on the way out.
# Usage: package_install_test.sh BUILD_DIR
set -euo pipefail
build=$1

skip() {
  echo "SKIP: $*"
  exit 77
}
[ "$(id -u)" -eq 0 ] || skip "installing a package needs root"
for program in dpkg cpack setpriv; do
  command -v "$program" >/dev/null || skip "$program is missing"
done
if dpkg-query -W -f='${Status}' labsweep 2>/dev/null | grep -q 'ok installed'; then
  skip "the labsweep package is installed on this machine; the test leaves it alone"
fi
for path in /etc/labsweep /var/lib/labsweep /usr/bin/labsweep; do
  [ ! -e "$path" ] || skip "$path exists; the test leaves it alone"
done
! getent passwd labsweep >/dev/null || skip "a labsweep user exists; the test leaves it alone"

work=$(mktemp -d)
pids=()
cleanup() {
  for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
  for pid in "${pids[@]}"; do wait "$pid" 2>/dev/null || true; done
  dpkg --purge labsweep >"$work/purge.log" 2>&1 || cat "$work/purge.log"
  # None of these was there when the test began (checked above): what is there now is its own.
  rm -rf "$work" /etc/labsweep /var/lib/labsweep
  if getent passwd labsweep >/dev/null; then deluser --system labsweep >/dev/null 2>&1 || true; fi
}
trap cleanup EXIT

fail() {
  echo "FAIL: $*"
  exit 1
}
expect_stat() {  # PATH "OWNER:GROUP MODE"
  local got
  got=$(stat -c '%U:%G %a' "$1")
  [ "$got" = "$2" ] || fail "$1 is $got, not $2"
}
# Waits (10 s at most) for FILE to hold a line matching REGEX, and prints the match.
wait_for() {
  for _ in $(seq 100); do
    if grep -oE "$2" "$1" 2>/dev/null | head -1 | grep .; then return 0; fi
    sleep 0.1
  done
  cat "$1"
  fail "no '$2' in $1"
}

echo "== cpack"
cpack -G DEB --config "$build/CPackConfig.cmake" -B "$work" >"$work/cpack.log" 2>&1 ||
  { cat "$work/cpack.log"; fail "cpack"; }
deb=$(ls "$work"/labsweep_*.deb)
dpkg-deb --info "$deb" | sed -n '/Package:/,$p'

echo "== dpkg -i $(basename "$deb")"
dpkg -i "$deb"
labsweep --version | grep -q '^labsweep ' || fail "labsweep --version"
labsweep-train --help >/dev/null || fail "labsweep-train --help"
[ -x /usr/lib/labsweep/labsweep-trial-shim ] || fail "no labsweep-trial-shim"
/usr/bin/python3 -c 'import labsweep' || fail "Debian's Python does not import the client"
[ -f /usr/share/labsweep/examples/fashion-mnist.yaml ] || fail "no example sweeps"
for unit in labsweep-server.service labsweep-agent.service; do
  [ -f "/usr/lib/systemd/system/$unit" ] || fail "no $unit"
done
getent passwd labsweep >/dev/null || fail "no labsweep user"
[ "$(getent passwd labsweep | cut -d: -f7)" = /usr/sbin/nologin ] || fail "labsweep may log in"
expect_stat /etc/labsweep "root:labsweep 750"
expect_stat /etc/labsweep/keys "labsweep:labsweep 700"
expect_stat /etc/labsweep/server.yaml "root:labsweep 640"
expect_stat /etc/labsweep/agent.yaml "root:labsweep 640"
expect_stat /var/lib/labsweep "labsweep:labsweep 750"

echo "== the head node: keys made by root, the server running as labsweep"
labsweep keys init >/dev/null
expect_stat /etc/labsweep/keys/server.key "labsweep:labsweep 600"
as_labsweep=(setpriv --reuid=labsweep --regid=labsweep --init-groups --)
# As the unit starts it, on ports of its own.
"${as_labsweep[@]}" labsweep server --config /etc/labsweep/server.yaml --agents 'tcp://0.0.0.0:0' \
  --http-port 0 2>"$work/server.log" &
pids+=($!)
port=$(wait_for "$work/server.log" 'agents connect to tcp://0\.0\.0\.0:[0-9]+' | sed 's/.*://')
url=$(wait_for "$work/server.log" 'http://127\.0\.0\.1:[0-9]+')
[ -f /var/lib/labsweep/labsweep.db ] || fail "the server made no database in /var/lib/labsweep"

echo "== a GPU machine: labsweep agent install"
labsweep agent install --server "tcp://127.0.0.1:$port" --cpu-slots 1 --name pkg-test \
  --server-key-file /etc/labsweep/keys/server.pub >"$work/install.out"
cat "$work/install.out"
grep -q 'runuser -u labsweep -- labsweep agent --config /etc/labsweep/agent.yaml' \
  "$work/install.out" || fail "no foreground command"
expect_stat /etc/labsweep/keys/agent.key "labsweep:labsweep 600"
key=$(cat /etc/labsweep/keys/agent.pub)
labsweep keys authorize --name pkg-test -- "$key" >/dev/null
"${as_labsweep[@]}" labsweep agent --config /etc/labsweep/agent.yaml 2>"$work/agent.log" &
pids+=($!)
wait_for "$work/agent.log" 'serving tcp://127\.0\.0\.1:[0-9]+ over CURVE' >/dev/null
for _ in $(seq 100); do
  labsweep agents --url "$url" 2>/dev/null | grep -q pkg-test && break
  sleep 0.1
done
labsweep agents --url "$url" | grep -q pkg-test || { cat "$work/agent.log"; fail "the agent did not join"; }

echo "== uninstall and purge"
labsweep agent uninstall --purge-keys
[ ! -e /etc/labsweep/agent.yaml ] || fail "agent.yaml is still there"
for pid in "${pids[@]}"; do kill "$pid"; done
for pid in "${pids[@]}"; do wait "$pid" || true; done
pids=()
dpkg --purge labsweep
for path in /etc/labsweep /var/lib/labsweep /usr/bin/labsweep /usr/lib/systemd/system/labsweep-agent.service; do
  [ ! -e "$path" ] || fail "$path is still there after dpkg --purge"
done
! getent passwd labsweep >/dev/null || fail "the labsweep user is still there after dpkg --purge"

echo "== dpkg -i onto a prepared agent.yaml: the agent is installed"
mkdir -p /etc/labsweep
printf 'server: tcp://127.0.0.1:5555\nname: prepared\n' >/etc/labsweep/agent.yaml
dpkg -i "$deb" >"$work/dpkg.out" 2>&1 || { cat "$work/dpkg.out"; fail "dpkg -i"; }
grep -q "labsweep keys authorize --name prepared -- '.*'" "$work/dpkg.out" ||
  { cat "$work/dpkg.out"; fail "the postinst did not run labsweep agent install"; }
expect_stat /etc/labsweep "root:labsweep 750"
expect_stat /etc/labsweep/keys/agent.key "labsweep:labsweep 600"
dpkg --purge labsweep >/dev/null
[ ! -e /etc/labsweep ] || fail "/etc/labsweep is still there after dpkg --purge"
echo "ok"
