#!/bin/sh
# Once the server answers: the namespace for runs and the search attributes the engine keeps current
# (the same names and types as scripts/lib/search-attributes.mjs; a test keeps them in step).
# Idempotent, so it runs at every `docker compose up`.
set -eu
ADDRESS="${TEMPORAL_ADDRESS:-temporal:7233}"
NAMESPACE="${TEMPORAL_NAMESPACE:-default}"
until temporal operator cluster health --address "$ADDRESS" >/dev/null 2>&1; do
  echo "waiting for Temporal at $ADDRESS ..."
  sleep 2
done
temporal operator namespace describe --namespace "$NAMESPACE" --address "$ADDRESS" >/dev/null 2>&1 \
  || temporal operator namespace create --namespace "$NAMESPACE" --retention "${TEMPORAL_RETENTION:-30d}" --address "$ADDRESS"
# A namespace just created takes a moment to be known to every service.
until existing=$(temporal operator search-attribute list --namespace "$NAMESPACE" --address "$ADDRESS" 2>/dev/null); do sleep 1; done
for attribute in DrRunbook=Keyword DrMode=Keyword DrStatus=Keyword DrRtoStatus=Keyword DrRtoDeadline=Datetime; do
  name="${attribute%%=*}"
  type="${attribute#*=}"
  if echo "$existing" | grep -qw "$name"; then
    echo "search attribute $name exists"
  else
    temporal operator search-attribute create --namespace "$NAMESPACE" --name "$name" --type "$type" --address "$ADDRESS"
  fi
done
echo "namespace $NAMESPACE ready with the easymo-dr search attributes"
