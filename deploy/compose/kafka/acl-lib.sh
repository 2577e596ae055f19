#!/bin/bash
# Shared by acls-control.sh and acls-enclave.sh: topics and least-privilege ACLs, applied with the admin principal.
#   topic NAME PARTITIONS            create the topic (and NAME.dlq) with max.message.bytes 16 MiB
#   allow PRINCIPAL OPERATION topic|group|cluster NAME
# The broker denies everything without an ACL (allow.everyone.if.no.acl.found=false).
set -euo pipefail
bin=/opt/kafka/bin
cfg=/tmp/admin.properties
/bin/bash /etc/airlock/admin-client.sh "$cfg"

topic() {
  for t in "$1" "$1.dlq"; do
    "$bin/kafka-topics.sh" --bootstrap-server "$BOOTSTRAP" --command-config "$cfg" --create --if-not-exists \
      --topic "$t" --partitions "$2" --replication-factor 1 --config max.message.bytes=16777216
  done
}

allow() {
  local principal="$1" operation="$2" type="$3" name="$4"
  case "$type" in
    topic) "$bin/kafka-acls.sh" --bootstrap-server "$BOOTSTRAP" --command-config "$cfg" --add \
             --allow-principal "User:$principal" --operation "$operation" --topic "$name" ;;
    group) "$bin/kafka-acls.sh" --bootstrap-server "$BOOTSTRAP" --command-config "$cfg" --add \
             --allow-principal "User:$principal" --operation "$operation" --group "$name" ;;
    cluster) "$bin/kafka-acls.sh" --bootstrap-server "$BOOTSTRAP" --command-config "$cfg" --add \
             --allow-principal "User:$principal" --operation "$operation" --cluster ;;
    *) echo "unknown resource type $type" >&2; exit 2 ;;
  esac
}
