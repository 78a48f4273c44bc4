#!/bin/sh
# Once the server answers: the namespace for runs and the search attributes the engine keeps current,
# both from deploy/temporal/temporal.env (TEMPORAL_RETENTION, DR_SEARCH_ATTRIBUTES as NAME=Type,...).
# Run by the temporal-setup service of docker-compose.yml and by `npm start -- --cluster`.
# Idempotent, so it runs at every start.
set -eu
CLI="${TEMPORAL_CLI:-temporal}"
ADDRESS="${TEMPORAL_ADDRESS:-temporal:7233}"
NAMESPACE="${TEMPORAL_NAMESPACE:-default}"
until "$CLI" operator cluster health --address "$ADDRESS" >/dev/null 2>&1; do
  echo "waiting for Temporal at $ADDRESS ..."
  sleep 2
done
"$CLI" operator namespace describe --namespace "$NAMESPACE" --address "$ADDRESS" >/dev/null 2>&1 \
  || "$CLI" operator namespace create --namespace "$NAMESPACE" --retention "$TEMPORAL_RETENTION" --address "$ADDRESS"
# A namespace just created takes a moment to be known to every service.
until existing=$("$CLI" operator search-attribute list --namespace "$NAMESPACE" --address "$ADDRESS" 2>/dev/null); do sleep 1; done
for attribute in $(echo "$DR_SEARCH_ATTRIBUTES" | tr ',' ' '); do
  name="${attribute%%=*}"
  type="${attribute#*=}"
  if echo "$existing" | grep -qw "$name"; then
    echo "search attribute $name exists"
  else
    "$CLI" operator search-attribute create --namespace "$NAMESPACE" --name "$name" --type "$type" --address "$ADDRESS"
  fi
done
echo "namespace $NAMESPACE ready with the easymo-dr search attributes"
