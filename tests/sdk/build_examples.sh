#!/usr/bin/env bash
# What a service author does with Steward: install it into a prefix, then build the SDK
# examples as projects of their own against it (find_package(Steward), and once through
# pkg-config). Also checks that the public headers need nothing but the standard library.
#   build_examples.sh BUILD_DIR SOURCE_DIR OUT_DIR
set -euo pipefail
build=$1 source=$2 out=$3
prefix=$out/prefix
rm -rf "$out"
mkdir -p "$out"
cmake --install "$build" --prefix "$prefix" >"$out/install.log"

bad=$(grep -h '^#include' "$prefix"/include/steward/*.hpp |
  grep -v -E '^#include <[a-z_]+>$|^#include "steward/[a-z_]+\.hpp"$' || true)
if [ -n "$bad" ]; then
  echo "public headers include more than the standard library: $bad" >&2
  exit 1
fi
# Each header compiles on its own.
for h in "$prefix"/include/steward/*.hpp; do
  echo "#include \"steward/$(basename "$h")\"" |
    c++ -std=c++20 -fsyntax-only -Wall -Wextra -Werror -I"$prefix/include" -x c++ -
done

for example in web-greeter hdfs-like; do
  cmake -S "$source/examples/sdk/$example" -B "$out/$example" -G Ninja \
    -DCMAKE_PREFIX_PATH="$prefix" -DCMAKE_BUILD_TYPE=Debug >"$out/$example.configure.log" ||
    { cat "$out/$example.configure.log" >&2; exit 1; }
  cmake --build "$out/$example"
done

libdir=$(dirname "$(find "$prefix" -name steward.pc | head -1)")
flags=$(PKG_CONFIG_PATH=$libdir pkg-config --cflags --libs steward)
# shellcheck disable=SC2086
c++ -o "$out/web-greeter-pkg-config" "$source/examples/sdk/web-greeter/main.cpp" \
  -DWEB_GREETER_SPEC="\"$source/examples/sdk/web-greeter/svc.yml\"" $flags
echo "built the SDK examples against $prefix"
