#!/bin/bash
# Control cluster: topics and ACLs. No enclave principal exists on this cluster at all.
source /etc/airlock/acl-lib.sh

topic airlock.findings.v1 3
topic airlock.proposals.v1 3
topic airlock.decisions.v1 3
topic airlock.capsules.signed.v1 3
topic airlock.policy.signed.v1 1

# scanners and the REST intake publish findings
allow intake Write topic airlock.findings.v1
# governance (airlock policy sign, then publish) publishes signed policies
allow governance Write topic airlock.policy.signed.v1
# external approval UIs and the CLI publish signed decisions
allow intake Write topic airlock.decisions.v1

# planner: findings in, proposals out
allow planner Read topic airlock.findings.v1
allow planner Read group planner-service
allow planner Write topic airlock.proposals.v1
allow planner Write topic airlock.findings.v1.dlq
allow planner IdempotentWrite cluster kafka-cluster

# approval: proposals, decisions and policies in, signed capsules out
allow approval Read topic airlock.proposals.v1
allow approval Read topic airlock.decisions.v1
allow approval Read topic airlock.policy.signed.v1
allow approval Read group approval-service
allow approval Write topic airlock.capsules.signed.v1
allow approval Write topic airlock.proposals.v1.dlq
allow approval Write topic airlock.decisions.v1.dlq
allow approval Write topic airlock.policy.signed.v1.dlq
allow approval IdempotentWrite cluster kafka-cluster

# diode sender: reads the two topics that may cross, writes nothing
allow diode-send Read topic airlock.capsules.signed.v1
allow diode-send Read topic airlock.policy.signed.v1
allow diode-send Read group airlock-diode-bridge
