#!/usr/bin/env bash
# Runs a command with the project's Node (>= 22) first on PATH: node_modules/.bin holds the `node` package's
# binary, so every `#!/usr/bin/env node` tool (mocha, tsx, tsc) runs on it even when the system's Node is older.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
if [ ! -x "$root/node_modules/.bin/node" ]; then
  echo "node_modules is missing: run 'bash scripts/setup.sh' first" >&2
  exit 2
fi
export PATH="$root/node_modules/.bin:$PATH"
exec "$@"
