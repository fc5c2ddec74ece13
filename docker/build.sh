#!/usr/bin/env bash
# Builds the payout sidecar's image (docker/payment-sidecar.Dockerfile) with buildah: no Docker engine, no daemon.
# Where the base images are not in the local storage and no registry is reachable (--pull not given), it first
# builds local stand-ins for them under their upstream names from this machine's files. `docker/build.sh --help`.
set -euo pipefail

root="$(cd "$(dirname "$0")/.." && pwd)"
BUILD_BASE=docker.io/library/node:22-bookworm-slim
RUNTIME_BASE=gcr.io/distroless/nodejs22-debian12:nonroot

usage() {
  cat <<EOF
usage: docker/build.sh [options]

Builds the TRON payout sidecar's distroless image from docker/payment-sidecar.Dockerfile with buildah
(--isolation chroot, --format docker so that HEALTHCHECK is kept). Run as root (or under 'buildah unshare').

Base images. The Dockerfile builds on $BUILD_BASE (build stage) and
$RUNTIME_BASE (final stage). Without --pull, a base that is not in the
storage is built here as a local stand-in under that name (--pull=never then): 'buildah from scratch' plus the
project's Node 22 binary (node_modules/node/bin/node), the shared libraries it needs (ldd), CA certificates and
the upstream image's users and settings:
  runtime stand-in  /nodejs/bin/node, no shell, no package manager, user nonroot 65532:65532,
                    ENTRYPOINT ["/nodejs/bin/node"], like the real nodejs22-debian12:nonroot
  build stand-in    node and npm in /usr/local, /bin/sh (dash) and the few coreutils the build stage uses
Stand-ins are for this machine's architecture only and are labelled lucid.stand-in=true; an image built on them
runs the same Node and glibc as upstream's but is not a substitute for building on the real bases.

options:
  --tag NAME          image name (default: lucid-payout:<version of payment-sidecar/package.json>)
  --root DIR          buildah storage root (default: buildah's own, /var/lib/containers/storage)
  --runroot DIR       buildah run root (default: buildah's own)
  --storage-driver D  buildah storage driver (default: vfs, which works everywhere, also inside containers)
  --pull              pull missing base images from their registries instead of building stand-ins
  --bases-only        only make sure the base images (or their stand-ins) exist
  --node FILE         the Node 22 binary for the stand-ins (default: node_modules/node/bin/node)
  --npm DIR           the npm package directory for the build stand-in (default: the npm on PATH)
  --ca-bundle FILE    CA bundle the build's npm needs to reach the registry (a TLS proxy's CA): mounted read-only
                      into the build and passed as NODE_EXTRA_CA_CERTS (default: \$NODE_EXTRA_CA_CERTS, else
                      the cafile of this machine's npm config, if either is set)
  --save FILE         also write the image as a docker-archive (for 'docker load' on a machine without buildah)
  -h, --help          this text

The last line printed is the image: its name, ID and size.
EOF
}

tag=""; storage_root=""; runroot=""; driver=vfs; pull=0; bases_only=0; save=""
node_bin="$root/node_modules/node/bin/node"
npm_dir=""
ca_bundle="${NODE_EXTRA_CA_CERTS:-}"
while [ $# -gt 0 ]; do
  case "$1" in
    -h|--help|help) usage; exit 0 ;;
    --tag) tag="${2:?--tag needs a value}"; shift 2 ;;
    --root) storage_root="${2:?--root needs a value}"; shift 2 ;;
    --runroot) runroot="${2:?--runroot needs a value}"; shift 2 ;;
    --storage-driver) driver="${2:?--storage-driver needs a value}"; shift 2 ;;
    --pull) pull=1; shift ;;
    --bases-only) bases_only=1; shift ;;
    --node) node_bin="${2:?--node needs a value}"; shift 2 ;;
    --npm) npm_dir="${2:?--npm needs a value}"; shift 2 ;;
    --ca-bundle) ca_bundle="${2:?--ca-bundle needs a value}"; shift 2 ;;
    --save) save="${2:?--save needs a value}"; shift 2 ;;
    *) echo "build.sh: unknown argument '$1' (see --help)" >&2; exit 2 ;;
  esac
done

command -v buildah >/dev/null || { echo "build.sh: buildah is not installed (Debian: apt-get install buildah)" >&2; exit 2; }
bh=(buildah --storage-driver "$driver")
[ -n "$storage_root" ] && bh+=(--root "$storage_root")
[ -n "$runroot" ] && bh+=(--runroot "$runroot")
say() { echo "build.sh: $*" >&2; }
present() { "${bh[@]}" inspect --type image "$1" >/dev/null 2>&1; }

# Copies the shared libraries ldd lists for each file (the dynamic loader included) into the mounted root $mnt,
# at their own paths.
copy_libs() {
  local mnt="$1"; shift
  local f lib
  for f in "$@"; do
    for lib in $(ldd "$f" 2>/dev/null | awk '{ for (i = 1; i <= NF; i++) if ($i ~ /^\//) print $i }'); do
      [ -e "$mnt$lib" ] || cp -L --parents "$lib" "$mnt"
    done
  done
}

check_node() {
  [ -x "$node_bin" ] || { say "no Node binary at $node_bin (run 'bash scripts/setup.sh', or pass --node)"; exit 2; }
  local major
  major="$("$node_bin" -p 'process.versions.node.split(".")[0]')"
  [ "$major" = 22 ] || { say "$node_bin is Node $major: the bases are Node 22 images"; exit 2; }
}

# gcr.io/distroless/nodejs22-debian12:nonroot, as that image is: Node at /nodejs/bin/node and the libraries it
# links, CA certificates, /etc/passwd with root, nobody and nonroot (65532), /tmp, /home/nonroot; no shell, no
# package manager; user 65532:65532, workdir /home/nonroot, ENTRYPOINT ["/nodejs/bin/node"].
build_runtime_stand_in() {
  check_node
  local ctr mnt
  ctr="$("${bh[@]}" from --pull=never scratch)"
  mnt="$("${bh[@]}" mount "$ctr")"
  mkdir -p "$mnt/nodejs/bin" "$mnt/etc/ssl/certs" "$mnt/home/nonroot" "$mnt/root" "$mnt/tmp"
  cp "$node_bin" "$mnt/nodejs/bin/node"
  copy_libs "$mnt" "$node_bin"
  cp -L /etc/ssl/certs/ca-certificates.crt "$mnt/etc/ssl/certs/ca-certificates.crt"
  [ -f /etc/os-release ] && cp -L /etc/os-release "$mnt/etc/os-release"
  printf 'root:x:0:0:root:/root:/sbin/nologin\nnobody:x:65534:65534:nobody:/nonexistent:/sbin/nologin\nnonroot:x:65532:65532:nonroot:/home/nonroot:/sbin/nologin\n' > "$mnt/etc/passwd"
  printf 'root:x:0:\nnobody:x:65534:\ntty:x:5:\nstaff:x:50:\nnonroot:x:65532:\n' > "$mnt/etc/group"
  printf 'passwd: files\ngroup: files\nshadow: files\nhosts: files dns\nnetworks: files\nprotocols: files\nservices: files\n' > "$mnt/etc/nsswitch.conf"
  chmod 1777 "$mnt/tmp"; chmod 0700 "$mnt/root" "$mnt/home/nonroot"; chown 65532:65532 "$mnt/home/nonroot"
  "${bh[@]}" umount "$ctr" >/dev/null
  "${bh[@]}" config --os linux --user 65532:65532 --workingdir /home/nonroot \
    --env PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin \
    --env SSL_CERT_FILE=/etc/ssl/certs/ca-certificates.crt \
    --entrypoint '["/nodejs/bin/node"]' \
    --label lucid.stand-in=true --label "lucid.stand-in.for=$RUNTIME_BASE" "$ctr"
  "${bh[@]}" commit --quiet --format docker --rm "$ctr" "$RUNTIME_BASE" >/dev/null
}

# docker.io/library/node:22-bookworm-slim, reduced to what the build stage runs: node and npm in /usr/local as the
# official image has them, /bin/sh (dash), env and the coreutils a Dockerfile step may call; user root.
build_build_stand_in() {
  check_node
  if [ -z "$npm_dir" ]; then
    local npm_cli
    npm_cli="$(readlink -f "$(command -v npm)")" || { say "no npm on PATH (pass --npm DIR)"; exit 2; }
    npm_dir="$(dirname "$(dirname "$npm_cli")")"
  fi
  [ -f "$npm_dir/bin/npm-cli.js" ] || { say "$npm_dir is not an npm package directory (pass --npm DIR)"; exit 2; }
  local ctr mnt tool
  ctr="$("${bh[@]}" from --pull=never scratch)"
  mnt="$("${bh[@]}" mount "$ctr")"
  mkdir -p "$mnt/usr/local/bin" "$mnt/usr/local/lib/node_modules" "$mnt/bin" "$mnt/usr/bin" "$mnt/tmp" "$mnt/root" "$mnt/etc"
  cp "$node_bin" "$mnt/usr/local/bin/node"
  copy_libs "$mnt" "$node_bin"
  cp -a "$npm_dir" "$mnt/usr/local/lib/node_modules/npm"
  ln -s ../lib/node_modules/npm/bin/npm-cli.js "$mnt/usr/local/bin/npm"
  ln -s ../lib/node_modules/npm/bin/npx-cli.js "$mnt/usr/local/bin/npx"
  for tool in dash env mkdir cp ln rm mv ls cat chmod chown; do
    tool="$(command -v "$tool")"
    cp -L --parents "$tool" "$mnt"
    copy_libs "$mnt" "$tool"
  done
  [ -e "$mnt/bin/sh" ] || ln -s "$(command -v dash)" "$mnt/bin/sh"
  [ -e "$mnt/usr/bin/env" ] || ln -s "$(command -v env)" "$mnt/usr/bin/env"
  [ -f /etc/os-release ] && cp -L /etc/os-release "$mnt/etc/os-release"
  printf 'root:x:0:0:root:/root:/bin/sh\nnode:x:1000:1000::/home/node:/bin/sh\n' > "$mnt/etc/passwd"
  printf 'root:x:0:\nnode:x:1000:\n' > "$mnt/etc/group"
  printf 'passwd: files\ngroup: files\nhosts: files dns\n' > "$mnt/etc/nsswitch.conf"
  chmod 1777 "$mnt/tmp"; chmod 0700 "$mnt/root"
  "${bh[@]}" umount "$ctr" >/dev/null
  "${bh[@]}" config --os linux --user 0:0 \
    --env PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin \
    --env "NODE_VERSION=$("$node_bin" -p 'process.versions.node')" \
    --cmd '["node"]' --label lucid.stand-in=true --label "lucid.stand-in.for=$BUILD_BASE" "$ctr"
  "${bh[@]}" commit --quiet --format docker --rm "$ctr" "$BUILD_BASE" >/dev/null
}

started=$(date +%s)
pull_flag=--pull=never
if [ "$pull" = 1 ]; then
  pull_flag=--pull=missing
else
  for base in "$BUILD_BASE" "$RUNTIME_BASE"; do
    if present "$base"; then
      say "base $base: present"
      continue
    fi
    t0=$(date +%s)
    if [ "$base" = "$RUNTIME_BASE" ]; then build_runtime_stand_in; else build_build_stand_in; fi
    say "base $base: built a local stand-in in $(( $(date +%s) - t0 )) s (no registry: 'buildah pull' the real one, or use --pull, where one is reachable)"
  done
fi
[ "$bases_only" = 1 ] && exit 0

version="$("$node_bin" -p "require('$root/payment-sidecar/package.json').version" 2>/dev/null || node -p "require('$root/payment-sidecar/package.json').version")"
[ -n "$tag" ] || tag="lucid-payout:$version"
esbuild_version="$("$node_bin" -p "require('$root/package-lock.json').packages['node_modules/esbuild'].version" 2>/dev/null || echo 0.28.2)"

args=(build --isolation chroot --format docker "$pull_flag" --layers=false
  -f "$root/docker/payment-sidecar.Dockerfile" --ignorefile "$root/docker/payment-sidecar.Dockerfile.dockerignore"
  --build-arg "ESBUILD_VERSION=$esbuild_version" -t "$tag")
if [ -z "$ca_bundle" ] && command -v npm >/dev/null; then
  # the CA this machine's npm is configured with (npm config cafile), if any
  npm_cafile="$(npm config get cafile 2>/dev/null || true)"
  case "$npm_cafile" in /*) [ -f "$npm_cafile" ] && ca_bundle="$npm_cafile" ;; esac
fi
if [ -n "$ca_bundle" ]; then
  [ -f "$ca_bundle" ] || { say "CA bundle $ca_bundle does not exist"; exit 2; }
  ca_dir="$(dirname "$(readlink -f "$ca_bundle")")"
  args+=(-v "$ca_dir:$ca_dir:ro" --build-arg "NODE_EXTRA_CA_CERTS=$(readlink -f "$ca_bundle")")
fi
t0=$(date +%s)
"${bh[@]}" "${args[@]}" "$root" >&2
say "image $tag built in $(( $(date +%s) - t0 )) s (total $(( $(date +%s) - started )) s)"

if [ -n "$save" ]; then
  rm -f "$save"
  "${bh[@]}" push --quiet "$tag" "docker-archive:$save:$tag" >&2
  say "saved to $save ('docker load -i $save')"
fi
"${bh[@]}" images --format '{{.Name}}:{{.Tag}} {{.ID}} {{.Size}}' "$tag"
