#!/usr/bin/env bash
# The README's worked example, as a script: keys -> signed policy -> a capsule signed, approved, bundled and verified,
# including one rejection and a replay. Prints every command with what it printed; fails if an exit code is not the
# expected one. Run by AirlockScriptIT through ./airlock; the README's transcript is a copy of its output.
#
#   cli/examples/worked-example.sh [WORKDIR]        (Linux: uses GNU date, openssl and sha256sum)
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
airlock="${AIRLOCK:-$here/../../airlock}"
work="${1:-$(mktemp -d)}"
mkdir -p "$work"
cd "$work"

# Runs airlock, shows the command and everything it printed, and checks the exit code.
expect() {
  local want=$1 rc=0
  shift
  printf '\n$ airlock %s\n' "$*"
  "$airlock" "$@" 2>&1 || rc=$?
  if [ "$rc" != "$want" ]; then
    echo "worked-example: expected exit $want, got $rc" >&2
    exit 1
  fi
  if [ "$rc" != 0 ]; then echo "(exit $rc)"; fi
}

# The policy's {"keyid", "publicKeyPem"} entry for a key: keyid is the SHA-256 of the DER public key, computed here
# with openssl, independently of airlock.
keyref() {
  local keyid pem
  keyid="$(openssl pkey -pubin -in "keys/$1.pub.pem" -outform DER | sha256sum | cut -d' ' -f1)"
  pem="$(awk '{printf "%s\\n", $0}' "keys/$1.pub.pem")"
  printf '{ "keyid": "%s", "publicKeyPem": "%s" }' "$keyid" "$pem"
}

# 1. Keys: three root keys (governance), the proposing fleet, two approvers. Each key stays with its owner.
for id in root-1 root-2 root-3 fleet.dependency-bump alice bob; do
  expect 0 keys generate --id "$id" --out keys
done

# 2. The policy: a 2-of-3 root; a T2 change needs a service owner and a security officer and a change ticket.
now="$(date -u +%Y-%m-%dT%H:%M:%SZ)"
cat > policy.json <<EOF
{
  "schema": "airlock.policy/v1",
  "version": 1,
  "issuedAt": "$now",
  "expiresAt": "$(date -u -d '+90 days' +%Y-%m-%dT%H:%M:%SZ)",
  "root": { "threshold": 2, "keys": [ $(keyref root-1), $(keyref root-2), $(keyref root-3) ] },
  "principals": [
    { "id": "fleet.dependency-bump", "kind": "agent", "roles": ["proposer"], "keys": [ $(keyref fleet.dependency-bump) ] },
    { "id": "alice", "kind": "human", "roles": ["service-owner"], "keys": [ $(keyref alice) ] },
    { "id": "bob", "kind": "human", "roles": ["security-officer"], "keys": [ $(keyref bob) ] }
  ],
  "tiers": {
    "T0": { "authorize": "never" },
    "T1": { "authorize": "approvals", "minApprovals": 1, "requiredRoles": ["service-owner"] },
    "T2": { "authorize": "approvals", "minApprovals": 2, "requiredRoles": ["service-owner", "security-officer"],
            "requireTicket": true }
  },
  "environments": [ {
    "name": "prod-enclave-1", "mode": "apply", "maxTier": "T2",
    "scope": { "allow": ["services/payments/**", "pom.xml"], "deny": ["**/.git/**", "**/secrets/**"] },
    "validationCommands": [ ["mvn", "-q", "-o"] ],
    "ticketPattern": "^CHG[0-9]{7}$",
    "egress": { "mode": "local-only" }
  } ]
}
EOF
expect 0 policy sign --in policy.json --key keys/root-1.key.pem --key keys/root-2.key.pem --out policy.dsse.json

# 3. A capsule: bump log4j-core in pom.xml; the manifest binds the file's hash before and after.
printf '<project>\n  <dependency>\n    <artifactId>log4j-core</artifactId>\n    <version>2.14.1</version>\n  </dependency>\n</project>\n' > pom-before.xml
sed 's/2.14.1/2.17.1/' pom-before.xml > pom-after.xml
cat > capsule.json <<EOF
{
  "schema": "airlock.capsule/v1",
  "capsuleId": "0194f3c2-7b1e-7cc0-9a55-3f1f2d7c9a01",
  "lineage": "payments-api:CVE-2021-44228",
  "sequence": 3,
  "createdAt": "$now",
  "expiresAt": "$(date -u -d '+7 days' +%Y-%m-%dT%H:%M:%SZ)",
  "environment": "prod-enclave-1",
  "mode": "apply",
  "tier": "T2",
  "policyVersion": 1,
  "proposer": "fleet.dependency-bump",
  "finding": { "source": "sarif", "ruleId": "CVE-2021-44228", "cve": "CVE-2021-44228",
               "reachability": { "reachable": true, "path": ["internet", "api-gateway", "payments-api",
                                 "pkg:maven/org.apache.logging.log4j/log4j-core@2.14.1"] },
               "exploitability": { "kev": true, "epss": "0.97" } },
  "target": { "repository": "payments-api", "baseRevision": "9c1e5a0" },
  "manifest": { "files": [ { "path": "pom.xml",
                             "before": "sha256:$(sha256sum < pom-before.xml | cut -d' ' -f1)",
                             "after": "sha256:$(sha256sum < pom-after.xml | cut -d' ' -f1)" } ] },
  "change": { "format": "unified-diff",
              "patch": "--- a/pom.xml\n+++ b/pom.xml\n@@ -4 +4 @@\n-    <version>2.14.1</version>\n+    <version>2.17.1</version>\n" },
  "validation": [ { "name": "build", "argv": ["mvn", "-q", "-o", "verify"], "timeoutSeconds": 900 } ],
  "rollback": { "strategy": "restore-before-state" }
}
EOF
expect 0 capsule sign --in capsule.json --key keys/fleet.dependency-bump.key.pem --out capsule.dsse.json

# 4. Two people approve, each with their own key, after checking the proposer's signature under the policy.
expect 0 capsule approve --capsule capsule.dsse.json --policy policy.dsse.json --key keys/alice.key.pem \
  --approver alice --role service-owner --ticket CHG0012345 --out alice.approval.dsse.json
expect 0 capsule approve --capsule capsule.dsse.json --policy policy.dsse.json --key keys/bob.key.pem \
  --approver bob --role security-officer --ticket CHG0012345 --out bob.approval.dsse.json

# 5. One approval is not enough for T2: rejected, with the reason code.
expect 0 capsule bundle --capsule capsule.dsse.json --approval alice.approval.dsse.json --out one-approval.json
expect 3 capsule verify --policy policy.dsse.json --environment prod-enclave-1 --capsule one-approval.json

# 6. Both approvals: admitted. With --state the admission is recorded, so the same capsule again is a REPLAY.
expect 0 capsule bundle --capsule capsule.dsse.json --approval alice.approval.dsse.json \
  --approval bob.approval.dsse.json --out signed-capsule.json
expect 0 capsule verify --policy policy.dsse.json --environment prod-enclave-1 --capsule signed-capsule.json --state state
expect 3 capsule verify --policy policy.dsse.json --environment prod-enclave-1 --capsule signed-capsule.json --state state
