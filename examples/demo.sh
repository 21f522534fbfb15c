#!/usr/bin/env bash
# `make demo`: the whole gglift flow on examples/cloud_lambda, a Lambda written for the cloud,
# packaged for both targets: Lambda components and one generic component running gglift's host.
# It works on a copy under build/demo, so the example itself stays as shipped. No AWS account
# is needed: deploy runs with --dry-run.
set -euo pipefail
bin=${1:-.venv/bin}
gglift="$bin/gglift"
here=$(cd "$(dirname "$0")" && pwd)
work=build/demo
rm -rf "$work" && mkdir -p "$work" && cp -R "$here/cloud_lambda/." "$work/"

# Headings in bold on a terminal only (and never with NO_COLOR), so a pipe or a log gets plain text.
if [ -t 1 ] && [ -z "${NO_COLOR:-}" ]; then bold=$'\033[1m' plain=$'\033[0m'; else bold='' plain=''; fi
step() { printf '\n%s== %s%s\n' "$bold" "$*" "$plain"; }

# --- port ------------------------------------------------------------------------------------
step "gglift port --diff $work/src: what the port would change (exit 1 = changes needed)"
"$gglift" port --diff "$work/src" 2>/dev/null || true   # the report comes with the next step
step "gglift port $work/src: rewrite in place and report"
"$gglift" port "$work/src"
# --- package ---------------------------------------------------------------------------------
step "gglift package $work: artifacts, recipes, derived subscriptions, requests, deployment"
"$gglift" package "$work"
step "the recipe Greengrass V2 will hold ($work/build/sensor-gateway/recipe.yaml, first lines)"
sed -n '3,12p' "$work/build/sensor-gateway/recipe.yaml"
step "LegacySubscriptionRouter configuration in the deployment ($work/build/deployment.json)"
"$bin/python" -c 'import json,sys; d=json.load(open(sys.argv[1])); print(json.dumps(json.loads(d["components"]["aws.greengrass.LegacySubscriptionRouter"]["configurationUpdate"]["merge"]), indent=2))' "$work/build/deployment.json"
step "gglift deploy --dry-run: the AWS requests, none sent (eu-west-1, the [local] region the recipes use)"
"$gglift" deploy "$work" --thing-group SensorFleet --dry-run --region eu-west-1 | grep -E '^(#|dry run|[a-z0-9]+\.)'
# --- the same function as a generic component (target = "component") --------------------------
comp=build/demo-component
rm -rf "$comp" && mkdir -p "$comp" && cp -R "$work/." "$comp/" && rm -rf "$comp/build"
{ echo 'target = "component"'; cat "$work/gglift.toml"; } >"$comp/gglift.toml"
step "target = \"component\": one generic component running gglift's host, for the nucleus and nucleus lite"
"$gglift" package "$comp" | grep -E '^(component|  recipe|sensor-gateway|deployment)'
step "its recipe: accessControl derived from the code, a manifest per nucleus (build/component/recipe.yaml)"
grep -vE '^(#|    Artifacts|      - )' "$comp/build/component/recipe.yaml" | cut -c1-150
step "the host runs on the device's python3 alone (standard library, no site-packages)"
unzip -p "$comp/build/component/gglift-component.zip" gglift-host.pyz >"$comp/gglift-host.pyz"
python3 -S -I "$comp/gglift-host.pyz" --help | head -n 3
# --- run -------------------------------------------------------------------------------------
step "gglift run, target = \"lambda\": as a V2 Lambda component, its shadow calls are refused (GGL190)"
"$gglift" invoke sensor-gateway -p "$work" --topic sensors/cellar/readings --payload '{"device": "cellar", "temperature": 12.5}' 2>&1 | grep -m1 '^refused' || true
step "gglift run, target = \"component\": the ported functions as the host runs them, fed three readings"
"$gglift" run "$comp" --events "$comp/events.jsonl" --until-idle --fail-on-error --record "$comp/run.jsonl"
step "gglift run --record: what a test compares between runs ($comp/run.jsonl)"
head -n 4 "$comp/run.jsonl"
step "gglift invoke: a reading above the alert threshold takes the alert path (sensor-alerts)"
"$gglift" invoke sensor-gateway "$comp" --payload '{"device": "boiler", "temperature": 51.5}' --topic sensors/boiler/readings

# --- stream manager --------------------------------------------------------------------------
step "gglift run: seed 003's stream manager functions, a writer with a Kinesis export and a reader"
streams=build/demo-streams
rm -rf "$streams" && mkdir -p "$streams" && cp -R "$here/stream_manager/." "$streams/"
"$gglift" run "$streams" --events "$streams/events.jsonl" --until-idle | grep -E '^(invoke|export)'
echo "(gglift run --export sends the PutRecords batches to Kinesis with your AWS credentials)"
