#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# Stage 13: the projects and jobsets the image was built with (/etc/hydra-firstboot/jobsets, one "NAME TYPE VALUE
# [BRANCH]" a line), made through Hydra's own JSON API as the admin, so Hydra validates them as it would a form.
# PUT creates or updates: re-running converges. Each project NAME gets one jobset NAME evaluating release.nix at the
# root of input "src" (a path the image carries, or a git repository). A new jobset is triggered at once (its
# triggertime), then checked every CHECK_INTERVAL seconds.
set -Eeuo pipefail
# shellcheck source-path=SCRIPTDIR source=../lib.sh
. "$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)/lib.sh"
load_config
# hydra-firstboot: after 11-create-admin 12-enable-services
# hydra-firstboot: role server

conf=$FB_ETC/hydra-firstboot/jobsets
if ! grep -qv '^[[:space:]]*\(#.*\)\?$' "$conf" 2>/dev/null; then
  log "no jobsets to create"
  exit 0
fi
base=http://127.0.0.1:3000
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

# METHOD PATH, the JSON body on stdin; the cookie jar keeps the login's session. Modern Hydra refuses a POST whose
# Referer is not its own base URL (XSRF check in Controller/Root.pm).
api() {
  local code
  code=$(curl -sS --max-time 120 -X "$1" -b "$work/cookies" -c "$work/cookies" \
    -H 'Accept: application/json' -H 'Content-Type: application/json' -H "Referer: $base/" \
    --data-binary @- -o "$work/body" -w '%{http_code}' "$base$2")
  case "$code" in
    2??) ;;
    *) log "$1 $2 answered HTTP $code: $(head -c 400 "$work/body")"; return 1 ;;
  esac
}

jq -n --arg u "${ADMIN_USER:-admin}" --rawfile p "$R/root/hydra-admin-password" \
  '{username: $u, password: ($p | rtrimstr("\n"))}' | api POST /login

while read -r name type value branch; do
  case "$name" in ''|'#'*) continue ;; esac
  case "$type" in
    path|git) ;;
    *) fatal "$conf: jobset $name has input type '$type', not path or git" ;;
  esac
  input=$value
  if [ -n "${branch:-}" ]; then input="$value $branch"; fi
  # Hydra reads "enabled" and "visible" of a project by their presence, a jobset's "enabled" as 0/1/2.
  jq -n --arg n "$name" '{name: $n, displayname: $n, enabled: "1", visible: "1",
    description: "made by hydra-firstboot from the image"}' | api PUT "/project/$name"
  jq -n --arg n "$name" --arg t "$type" --arg v "$input" --argjson i "${CHECK_INTERVAL:-300}" \
    '{name: $n, description: "release.nix of input src", type: 0, nixexprinput: "src",
      nixexprpath: "release.nix", enabled: 1, visible: "1", checkinterval: $i, schedulingshares: 100, keepnr: 3,
      inputs: {src: {type: $t, value: $v}}}' | api PUT "/jobset/$name/$name"
  log "jobset $name:$name evaluates release.nix of $type input $input"
done < "$conf"
