#!/usr/bin/env bash
# `make demo`: the whole gglift flow on examples/cloud_lambda, a Lambda written for the cloud.
# It works on a copy under build/demo, so the example itself stays as shipped. No AWS account
# is needed: deploy runs with --dry-run.
set -euo pipefail
bin=${1:-.venv/bin}
gglift="$bin/gglift"
here=$(cd "$(dirname "$0")" && pwd)
work=build/demo
rm -rf "$work" && mkdir -p "$work" && cp -R "$here/cloud_lambda/." "$work/"

step() { printf '\n\033[1m== %s\033[0m\n' "$*"; }

# --- port ------------------------------------------------------------------------------------
step "gglift port --diff: what the port would change (exit 1 = changes needed)"
"$gglift" port --diff "$work/src" 2>/dev/null || true   # the report comes with the next step
step "gglift port: rewrite in place and report"
"$gglift" port "$work/src"
# --- package ---------------------------------------------------------------------------------
# --- run -------------------------------------------------------------------------------------
step "gglift run: the ported function on a local Greengrass core, fed three readings"
# The gateway reads its API key from Secrets Manager; locally it comes from a secrets file.
printf '{"sensor-gateway/api-key": "demo-key-0000"}\n' > "$work/secrets.json"
grep -q '^secrets_file' "$work/gglift.toml" || sed -i 's/^\[local\]$/[local]\nsecrets_file = "secrets.json"/' "$work/gglift.toml"
"$gglift" run "$work" --events "$work/events.jsonl" --until-idle --record "$work/run.jsonl" || true
step "gglift run --record: what a test compares between runs"
head -n 4 "$work/run.jsonl"
