#!/bin/bash
# Writes the admin principal's client configuration to $1 (for the health check and the ACL jobs).
set -euo pipefail
umask 077
cat > "$1" <<PROPS
security.protocol=SASL_PLAINTEXT
sasl.mechanism=PLAIN
sasl.jaas.config=org.apache.kafka.common.security.plain.PlainLoginModule required username="admin" password="${AIRLOCK_KAFKA_ADMIN_PASSWORD}";
PROPS
