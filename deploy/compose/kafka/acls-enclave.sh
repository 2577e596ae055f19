#!/bin/bash
# Enclave cluster: topics and ACLs. Only the diode receiver writes airlock.inbound.v1, only the gateway writes
# admissions; no control-plane principal exists on this cluster.
source /etc/airlock/acl-lib.sh

topic airlock.inbound.v1 3
topic airlock.admissions.v1 3
topic airlock.evidence.raw.v1 3
topic airlock.evidence.sanitized.v1 3
topic airlock.evidence.metadata.v1 3
topic airlock.diode.health.v1 3

# diode receiver: the only writer of what crossed; reads its own tail back to de-duplicate after a restart
allow diode-receive Write topic airlock.inbound.v1
allow diode-receive Read topic airlock.inbound.v1
allow diode-receive Write topic airlock.diode.health.v1
allow diode-receive IdempotentWrite cluster kafka-cluster

# gateway: inbound in; admissions, rejection evidence and the diode freeze alarm out
allow gateway Read topic airlock.inbound.v1
allow gateway Read group gateway-service
allow gateway Write topic airlock.admissions.v1
allow gateway Write topic airlock.evidence.raw.v1
allow gateway Write topic airlock.diode.health.v1
allow gateway Write topic airlock.inbound.v1.dlq
allow gateway IdempotentWrite cluster kafka-cluster

# runner: admissions in, evidence out
allow runner Read topic airlock.admissions.v1
allow runner Read group runner-service
allow runner Write topic airlock.evidence.raw.v1
allow runner Write topic airlock.admissions.v1.dlq
allow runner IdempotentWrite cluster kafka-cluster

# evidence: raw evidence, diode health and policies (from inbound) in; projections out
allow evidence Read topic airlock.evidence.raw.v1
allow evidence Read topic airlock.diode.health.v1
allow evidence Read topic airlock.inbound.v1
allow evidence Read group evidence-service
allow evidence Read group evidence-service-policy
allow evidence Write topic airlock.evidence.sanitized.v1
allow evidence Write topic airlock.evidence.metadata.v1
allow evidence Write topic airlock.evidence.raw.v1.dlq
allow evidence Write topic airlock.diode.health.v1.dlq
allow evidence IdempotentWrite cluster kafka-cluster

# dashboards inside the enclave read the metadata projection
allow dashboard Read topic airlock.evidence.metadata.v1
allow dashboard Read group airlock-dashboard
