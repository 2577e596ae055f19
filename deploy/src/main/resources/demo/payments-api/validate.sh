#!/bin/sh
# payments-api validation (the step Airlock capsules for this repository bind): the build must not resolve a
# log4j-core version affected by CVE-2021-44228, CVE-2021-45046, CVE-2021-45105 or CVE-2021-44832 (all fixed by
# 2.17.1; 2.12.4 and 2.3.2 are the fixed backports of the older lines). Offline and deterministic: it reads pom.xml.
set -eu

pom=pom.xml
[ -f "$pom" ] || { echo "validate: no $pom in $(pwd)" >&2; exit 2; }

# the <version> that follows <artifactId>log4j-core</artifactId> within its <dependency>
version=$(awk '
  /<artifactId>log4j-core<\/artifactId>/ { want = 1; next }
  want && /<version>/ { sub(/.*<version>[ \t]*/, ""); sub(/[ \t]*<\/version>.*/, ""); print; exit }
  /<\/dependency>/ { want = 0 }
' "$pom")

if [ -z "$version" ]; then
  echo "validate: pom.xml declares no log4j-core version" >&2
  exit 2
fi
case "$version" in
  *'$'*) echo "validate: log4j-core version is a property (${version}); pin it" >&2; exit 2 ;;
esac

# fixed: >= 2.17.1, or 2.12.4 .. 2.12.x, or 2.3.2 .. 2.3.x (security backports)
if echo "$version" | awk -F. '{
      major = $1 + 0; minor = $2 + 0; patch = $3 + 0
      if (major > 2) exit 0
      if (major == 2 && minor > 17) exit 0
      if (major == 2 && minor == 17 && patch >= 1) exit 0
      if (major == 2 && minor == 12 && patch >= 4) exit 0
      if (major == 2 && minor == 3 && patch >= 2) exit 0
      exit 1
    }'; then
  echo "validate: log4j-core $version is fixed (CVE-2021-44228, -45046, -45105, -44832): ok"
  exit 0
fi
echo "validate: log4j-core $version is vulnerable (CVE-2021-44228 and related); need 2.17.1 or later" >&2
exit 1
