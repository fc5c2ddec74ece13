#!/usr/bin/env bash
# Brings this checkout to a runnable state on a fresh machine: a Node >= 22 (from the npm registry's `node`
# package when the system's is older, kept in .tools/ without touching the system), then `npm ci` run on it.
# Idempotent: a second run with an unchanged package-lock.json does nothing.
set -euo pipefail
cd "$(dirname "$0")/.."
NODE_VERSION=22.23.3

major() { "$1" -p 'process.versions.node.split(".")[0]' 2>/dev/null || echo 0; }

if [ "$(major node)" -lt 22 ]; then
  if [ ! -x .tools/node/bin/node ] || [ "$(major .tools/node/bin/node)" -lt 22 ]; then
    echo "setup: system Node is $(node -v 2>/dev/null || echo missing); installing Node $NODE_VERSION into .tools/node" >&2
    npm install --global --prefix "$PWD/.tools/node" --no-fund --no-audit "node@$NODE_VERSION" >&2
  fi
  export PATH="$PWD/.tools/node/bin:$PATH"
fi

stamp=node_modules/.lucid-setup-stamp
want="$(node -v) $(sha256sum package-lock.json | cut -d' ' -f1)"
if [ -f "$stamp" ] && [ "$(cat "$stamp")" = "$want" ]; then
  exit 0
fi
echo "setup: npm ci on Node $(node -v)" >&2
npm ci --no-fund --no-audit >&2
echo "$want" > "$stamp"
