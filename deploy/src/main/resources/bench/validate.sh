#!/bin/sh
# Validation of one airlock bench capsule: the file it created (the argument, bound in the capsule's argv) is one line
# naming its own capsule. One file per run, shell builtins only: the bench measures the pipeline, so its validation
# costs the same for every capsule. (It used to read every bench file of the workspace, one read(2) per byte in dash:
# its cost grew with the run, to 125 files per validation at the end of a 1000-capsule run.)
set -eu
if [ $# -ne 1 ]; then
  echo "usage: sh validate.sh services/payments/bench/<capsule id>.txt" >&2
  exit 2
fi
f=$1
# a file directly in the bench directory: no further '/' (so no '..' either)
case "$f" in
  services/payments/bench/*.txt) ;;
  *) echo "bench: $f is not a bench file" >&2; exit 2 ;;
esac
case "${f#services/payments/bench/}" in
  */*) echo "bench: $f is not a bench file" >&2; exit 2 ;;
esac
if [ ! -f "$f" ] || [ -L "$f" ]; then
  echo "bench: $f is missing or not a regular file" >&2
  exit 1
fi
name=${f##*/}
id=${name%.txt}
line=
IFS= read -r line < "$f" || true
if [ "$line" != "airlock bench $id" ]; then
  echo "bench: $f does not name its capsule" >&2
  exit 1
fi
echo "bench: $f names its capsule"
