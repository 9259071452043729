#!/usr/bin/env bash
# Installs what Steward needs to build and test, from Debian packages, and nothing else.
# Idempotent and quiet: when everything is present it only checks and returns.
set -euo pipefail

packages=(
  build-essential cmake ninja-build pkgconf ccache
  libyaml-cpp-dev nlohmann-json3-dev libcli11-dev
  libspdlog-dev libfmt-dev libsqlite3-dev libkainjow-mustache-dev
  # the allocator `steward` links outside the sanitizer and fuzz builds (the sanitized test
  # build links it into the one test program that checks it)
  libjemalloc-dev
  libgtest-dev libgmock-dev libbenchmark-dev
  # the executor extracts fetched archives with these (tar is always there)
  unzip xz-utils bzip2
  # the benchmarks and the docs' examples talk to the scheduler's REST API with it
  curl
  # bench/floor.sh reads the scheduler's task statuses with it
  jq
  # clang's libFuzzer runtime, for the fuzz harnesses (optional targets)
  clang libclang-rt-14-dev
)

missing=()
for p in "${packages[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed'; then
    missing+=("$p")
  fi
done
[ ${#missing[@]} -eq 0 ] && exit 0

echo "install-deps: installing ${missing[*]}" >&2
sudo=""
if [ "$(id -u)" -ne 0 ]; then
  command -v sudo >/dev/null || { echo "install-deps: need root or sudo to apt-get install" >&2; exit 1; }
  sudo="sudo"
fi
export DEBIAN_FRONTEND=noninteractive
$sudo apt-get update -qq >/dev/null
$sudo apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
