#!/bin/sh
# Validation of the airlock bench workspace: every bench file is exactly one line naming its own capsule.
set -eu
n=0
for f in services/payments/bench/*.txt; do
  [ -e "$f" ] || continue
  id=$(basename "$f" .txt)
  if [ "$(cat "$f")" != "airlock bench $id" ]; then
    echo "bench: $f does not name its capsule" >&2
    exit 1
  fi
  n=$((n + 1))
done
echo "bench: $n file(s) well-formed"
