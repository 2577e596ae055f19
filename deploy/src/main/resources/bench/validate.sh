#!/bin/sh
# Validation of the airlock bench workspace: every bench file is exactly one line naming its own capsule.
# Shell builtins only (no process per file): the bench measures the pipeline, not process creation.
set -eu
n=0
for f in services/payments/bench/*.txt; do
  [ -e "$f" ] || continue
  name=${f##*/}
  id=${name%.txt}
  line=
  IFS= read -r line < "$f" || true
  if [ "$line" != "airlock bench $id" ]; then
    echo "bench: $f does not name its capsule" >&2
    exit 1
  fi
  n=$((n + 1))
done
echo "bench: $n file(s) well-formed"
