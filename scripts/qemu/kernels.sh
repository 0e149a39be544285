#!/usr/bin/env bash
# npm run setup:kernels — Debian's kernels for the conformance matrix (issue #18).
#
# For each kernel line (5.10 6.1 6.12 6.16 6.17 6.18 6.19 7.0 7.1 7.2 7.3) and architecture
# (arm64 amd64): the newest point release the machine's own Debian mirror carries, from any of
# <codename>{,-security,-backports} of bullseye, bookworm and trixie, fetched with a PRIVATE apt
# state (the host's sources and dpkg status are untouched). A package of the kernel that the
# index no longer lists (Debian drops superseded binaries from the index while the pool still
# serves them: the modules of 6.19..7.1, the headers of 6.16..7.1) is fetched from the pool
# with apt's own helper. Then, per kernel:
#   kernel/<kver>/        dpkg -x of the image and its modules, depmod -b
#   build/testmods-<kver>/  probetest.ko and probewait.ko, built against the kernel's own
#                         headers packages (testmods.sh)
#   initrd-<kver>.gz      the busybox initramfs (scripts/qemu/mkinitrd.sh)
#   kernels/<line>-<arch>.json   the manifest the qemu target reads (or {"skip": "<why>"})
# Everything lands in .cache/qemu/ (BRINGUP_QEMU_CACHE) and is reused: a second run only checks.
#
# usage: kernels.sh [--lines 6.1,7.3] [--arch arm64,amd64] [--refresh] [--download-only]
# When the archive cannot be reached it prints "SKIP: <why>", writes the reason into every
# manifest it was asked for, and exits 0.
set -uo pipefail

HERE=$(cd "$(dirname "$0")" && pwd)
REPO=$(cd "$HERE/../.." && pwd)
CACHE=${BRINGUP_QEMU_CACHE:-$REPO/.cache/qemu}
LINES="5.10 6.1 6.12 6.16 6.17 6.18 6.19 7.0 7.1 7.2 7.3"
ARCHES="arm64 amd64"
REFRESH=0
DOWNLOAD_ONLY=0
while [ $# -gt 0 ]; do
  case "$1" in
    --lines) LINES=${2//,/ }; shift ;;
    --arch) ARCHES=${2//,/ }; shift ;;
    --refresh) REFRESH=1 ;;
    --download-only) DOWNLOAD_ONLY=1 ;;
    -h|--help) sed -n '2,21p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
    *) echo "setup:kernels: unknown option $1" >&2; exit 2 ;;
  esac
  shift
done
mkdir -p "$CACHE/kernels" "$CACHE/debs" "$CACHE/build"
say() { echo "setup:kernels: $*"; }
now() { date +%s.%N; }
secs() { awk -v a="$1" -v b="$(now)" 'BEGIN{printf "%.1f", b-a}'; }

# what a prepared kernel was prepared with: a change to any of these redoes the cheap steps
RECIPE=$(cat "$HERE/mkinitrd.sh" "$HERE/testmods.sh" "$HERE/manifest.mjs" "$HERE"/probetest/* "$HERE/bin/cc-compat" | sha256sum | cut -c1-16)
export RECIPE

manifest_skip() { # manifest_skip LINE ARCH WHY
  say "$1 $2: SKIP: $3"
  node -e 'require("fs").writeFileSync(process.argv[1], JSON.stringify({ line: process.argv[2], arch: process.argv[3], skip: process.argv[4] }, null, 2) + "\n")' \
    "$CACHE/kernels/$1-$2.json" "$1" "$2" "$3"
}
skip_all() {
  say "SKIP: $*"
  for l in $LINES; do for a in $ARCHES; do manifest_skip "$l" "$a" "$*"; done; done
  exit 0
}

# ---------------------------------------------------------------- host tools
need=()
for a in $ARCHES; do
  case $a in
    arm64) command -v qemu-system-aarch64 >/dev/null || need+=(qemu-system-arm)
           command -v aarch64-linux-gnu-gcc-12 >/dev/null || need+=(gcc-12-aarch64-linux-gnu) ;;
    amd64) command -v qemu-system-x86_64 >/dev/null || need+=(qemu-system-x86) ;;
  esac
done
for t in cpio:cpio depmod:kmod xz:xz-utils zstd:zstd make:make gcc-12:gcc-12 pahole:dwarves flex:flex bison:bison bc:bc dpkg-source:dpkg-dev; do
  command -v "${t%%:*}" >/dev/null || need+=("${t#*:}")
done
[ -f /usr/include/libelf.h ] || need+=(libelf-dev)
[ -f /usr/include/openssl/ssl.h ] || need+=(libssl-dev)
command -v apt-get >/dev/null || skip_all "apt-get not found: cannot fetch Debian kernels"
if [ ${#need[@]} -gt 0 ]; then
  [ "$(id -u)" -eq 0 ] || skip_all "need root to install: ${need[*]}"
  say "installing host packages: ${need[*]}"
  DEBIAN_FRONTEND=noninteractive timeout 300 apt-get update -qq || skip_all "apt-get update failed (no network to the Debian mirror?)"
  DEBIAN_FRONTEND=noninteractive timeout 900 apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null \
    || skip_all "apt-get install ${need[*]} failed"
fi

# ---------------------------------------------------------------- private apt state
# the mirrors this machine's apt already names: the main archive and the security archive
SRC_FILES=$(ls /etc/apt/sources.list.d/*.sources 2>/dev/null)
main_mirror=""; sec_mirror=""
if [ -n "$SRC_FILES" ]; then
  main_mirror=$(cat $SRC_FILES | awk 'BEGIN{RS=""} !/security/ { if (match($0, /URIs:[ \t]*[^ \t\n]+/)) { s=substr($0, RSTART, RLENGTH); sub(/URIs:[ \t]*/, "", s); print s; exit } }')
  sec_mirror=$(cat $SRC_FILES | awk 'BEGIN{RS=""} /security/ { if (match($0, /URIs:[ \t]*[^ \t\n]+/)) { s=substr($0, RSTART, RLENGTH); sub(/URIs:[ \t]*/, "", s); print s; exit } }')
fi
LISTS=$(cat /etc/apt/sources.list /etc/apt/sources.list.d/*.list 2>/dev/null || true)
[ -n "$main_mirror" ] || main_mirror=$(echo "$LISTS" | awk '$1=="deb" && $0 !~ /security/ { for (i=2;i<=NF;i++) if ($i ~ /^[a-z]+:\/\//) { print $i; exit } }')
[ -n "$sec_mirror" ] || sec_mirror=$(echo "$LISTS" | awk '$1=="deb" && $0 ~ /security/ { for (i=2;i<=NF;i++) if ($i ~ /^[a-z]+:\/\//) { print $i; exit } }')
[ -n "$main_mirror" ] || skip_all "no Debian mirror named in /etc/apt/sources.list{,.d} (will not guess a host)"
KEYRING=/usr/share/keyrings/debian-archive-keyring.gpg
[ -f "$KEYRING" ] || skip_all "$KEYRING missing (debian-archive-keyring)"
APT=$CACHE/apt-matrix
mkdir -p "$APT/lists/partial" "$APT/cache/archives/partial"
{
  for s in bullseye bookworm trixie; do
    for kind in deb deb-src; do
      printf '%s [signed-by=%s] %s %s main\n' "$kind" "$KEYRING" "$main_mirror" "$s"
      printf '%s [signed-by=%s] %s %s-backports main\n' "$kind" "$KEYRING" "$main_mirror" "$s"
      [ -n "$sec_mirror" ] && printf '%s [signed-by=%s] %s %s-security main\n' "$kind" "$KEYRING" "$sec_mirror" "$s"
    done
  done
} > "$APT/sources.list.new.$$"
B=(-o "Dir::Etc::SourceList=$APT/sources.list" -o Dir::Etc::SourceParts=/dev/null -o "Dir::State::Lists=$APT/lists"
   -o "Dir::Cache=$APT/cache" -o Dir::State::status=/dev/null -o APT::Architectures::=amd64 -o APT::Architectures::=arm64
   -o Debug::NoLocking=1 -o APT::Sandbox::User=root -o Acquire::Retries=2 -o Acquire::http::Timeout=30)
if [ $REFRESH -eq 1 ] || ! cmp -s "$APT/sources.list.new.$$" "$APT/sources.list" || ! compgen -G "$APT/lists/*Packages*" >/dev/null; then
  mv "$APT/sources.list.new.$$" "$APT/sources.list"
  t=$(now)
  # bullseye-backports is gone from the archive; a suite that does not exist is not an error
  timeout 600 apt-get "${B[@]}" -qq update 2>&1 | grep -v -E 'bullseye-backports|does not have a Release file|Updating from such|default.$|man page' >&2
  compgen -G "$APT/lists/*trixie*Packages*" >/dev/null || skip_all "apt-get update of $main_mirror failed (no network?)"
  say "apt lists ($main_mirror${sec_mirror:+, $sec_mirror}): $(secs "$t") s"
else
  rm -f "$APT/sources.list.new.$$"
fi
PKGNAMES=$(apt-cache "${B[@]}" pkgnames linux- 2>/dev/null)
have_pkg() { grep -qxF "$1" <<<"$PKGNAMES"; }  # a here-string: with pipefail, `echo | grep -q` fails on SIGPIPE
pkg_version() { apt-cache "${B[@]}" show --no-all-versions "$1" 2>/dev/null | awk '/^Version:/{print $2; exit}'; }

# candidates LINE ARCH -> "abi version" lines, newest first (the archive's index; a pool file
# may still be missing, so prepare() falls back to the next one when a download 404s)
candidates() {
  local line=$1 arch=$2 re names
  re="^linux-image-${line//./\\.}[.-][^ ]*-${arch}(-unsigned)?\$"
  names=$(echo "$PKGNAMES" | grep -E "$re" | grep -vE -- '-(cloud|rt)-|-16k|-dbg')
  [ -n "$names" ] || return 0
  # shellcheck disable=SC2086
  apt-cache "${B[@]}" show --no-all-versions $names 2>/dev/null | awk -v arch="$arch" '
    /^Package:/ { p=$2 } /^Version:/ { a=p; sub(/^linux-image-/, "", a); sub(/-unsigned$/, "", a); sub("-" arch "$", "", a); print a, $2 }' |
    sort -u | while read -r a v; do
      # dpkg ordering (with ~), newest first: insertion by comparing with dpkg itself
      echo "$v $a"
    done | sort -t' ' -k1,1V -r | awk '!seen[$2]++ { print $2, $1 }' | dpkg_sort
}
dpkg_sort() { # stable re-sort of "abi version" lines by dpkg version order, newest first
  local lines=() l i j tmp
  while read -r l; do lines+=("$l"); done
  for ((i = 1; i < ${#lines[@]}; i++)); do
    for ((j = i; j > 0; j--)); do
      if dpkg --compare-versions "${lines[j]#* }" gt "${lines[j-1]#* }"; then
        tmp=${lines[j]}; lines[j]=${lines[j-1]}; lines[j-1]=$tmp
      else break; fi
    done
  done
  for l in "${lines[@]}"; do echo "$l"; done
}
# Of two builds of the same upstream release, the one for this host's Debian release first:
# its kbuild tools (modpost, objtool) are linked against this host's glibc.
HOST_MAJOR=$(. /etc/os-release 2>/dev/null; echo "${VERSION_ID:-12}")
host_first() {
  awk -v tag="+deb$HOST_MAJOR" '{ up=$2; sub(/-.*/, "", up); if (up != prev && n) { for (i = 0; i < n; i++) print buf[i]; n = 0 } prev = up
    if (index($1, tag)) { for (i = n; i > 0; i--) buf[i] = buf[i-1]; buf[0] = $0; n++ } else buf[n++] = $0 }
    END { for (i = 0; i < n; i++) print buf[i] }'
}

# payload ABI ARCH -> PAYLOAD (packages holding the image and its modules), or returns 1 with WHY
payload() {
  local abi=$1 arch=$2 kver=$1-$2
  if have_pkg "linux-modules-$kver"; then
    if have_pkg "linux-binary-unsigned-$kver"; then PAYLOAD="linux-binary-unsigned-$kver:$arch linux-modules-$kver:$arch"
    else PAYLOAD="linux-binary-$kver:$arch linux-modules-$kver:$arch"; fi
  elif have_pkg "linux-image-$kver-unsigned"; then PAYLOAD="linux-image-$kver-unsigned:$arch"
  elif have_pkg "linux-image-$kver" && ! grep -q '^Depends:.*linux-modules-' <<<"$(apt-cache "${B[@]}" show --no-all-versions "linux-image-$kver:$arch")"; then
    # (a here-string: with pipefail, grep -q closing the pipe early would fail apt-cache with
    # SIGPIPE, and this branch would take a 7.x meta image for a whole kernel)
    PAYLOAD="linux-image-$kver:$arch"
  elif have_pkg "linux-image-$kver" && have_pkg "linux-binary-$kver"; then
    # the index still lists the signed image but no longer its modules package: the pool keeps it
    PAYLOAD="linux-binary-$kver:$arch pool:linux-modules-$kver:$arch"
  else
    WHY="the archive carries the $kver image but not its modules (linux-modules-$kver), so none of the board's drivers can be loaded"
    return 1
  fi
}

# pool_url PKG VERSION ARCH INDEXED: where the archive keeps a file of the `linux` source
# package that its index no longer lists (Debian drops superseded binaries of a source from the
# index before their files leave the pool). INDEXED is a listed package of the same kernel
# (its signed image): its URL names the mirror and the pool directory.
pool_url() {
  local pkg=$1 ver=$2 arch=$3 indexed=$4 u v
  u=$(apt-get "${B[@]}" --print-uris download "$indexed" 2>/dev/null | grep -o "^'[^']*'" | head -1 | tr -d "'")
  [ -n "$u" ] || return 1
  u=$(dirname "$u" | sed -E 's|/linux-signed-[a-z0-9]+$|/linux|')
  v=${ver//+/%2b}; v=${v//:/%3a}
  echo "$u/${pkg//+/%2b}_${v}_${arch}.deb"
}

# pool_fetch PKG VERSION ARCH INDEXED: download such a file with apt's own helper (no index
# entry, so no hash to check it against: the mirror and the path are the archive's own)
pool_fetch() {
  local f="$CACHE/debs/${1}_${2//:/%3a}_${3}.deb" url
  [ -f "$f" ] && return 0
  url=$(pool_url "$@") || return 1
  say "downloading $1 from the pool (no longer in the index): $url"
  timeout 1800 /usr/lib/apt/apt-helper download-file "$url" "$f.part" >/dev/null 2>&1 || { rm -f "$f.part"; return 1; }
  mv "$f.part" "$f"
}

fetch() { # fetch PKG[:arch]... into $CACHE/debs (those already there are skipped); pool:PKG:arch from the pool
  local want=() p n a
  for p in "$@"; do
    case "$p" in pool:*)
      p=${p#pool:}; n=${p%%:*}; a=${p#"$n"}; a=${a#:}
      pool_fetch "$n" "$POOLVER" "$a" "$POOLREF" || return 1
      continue ;;
    esac
    n=${p%%:*}; a=${p#"$n"}; a=${a#:}
    compgen -G "$CACHE/debs/${n}_*_${a:-*}.deb" >/dev/null || compgen -G "$CACHE/debs/${n}_*_all.deb" >/dev/null || want+=("$p")
  done
  [ ${#want[@]} -eq 0 ] && return 0
  say "downloading ${want[*]}"
  (cd "$CACHE/debs" && timeout 1800 apt-get "${B[@]}" -qq download "${want[@]}" </dev/null)
}

# base_fetch KVER ARCH: the split layout's linux-base-KVER (the build's config, modules.builtin,
# System.map) where the archive has it; best effort, the kernel boots without it
base_fetch() {
  local kver=$1 arch=$2
  compgen -G "$CACHE/debs/linux-base-${kver}_*.deb" >/dev/null && return 0
  if have_pkg "linux-base-$kver"; then fetch "linux-base-$kver:$arch" >/dev/null 2>&1
  else pool_fetch "linux-base-$kver" "$POOLVER" "$arch" "$POOLREF" >/dev/null 2>&1; fi
  return 0
}

unpack_kernel() { # unpack_kernel KVER PAYLOAD...
  local kver=$1 root=$CACHE/kernel/$1 p n debs=(); shift
  for p in "$@"; do
    p=${p#pool:}; n=${p%%:*}
    debs+=("$(ls "$CACHE"/debs/"${n}"_*.deb | head -1)")
  done
  compgen -G "$CACHE/debs/linux-base-${kver}_*.deb" >/dev/null && debs+=("$(ls "$CACHE"/debs/linux-base-"$kver"_*.deb | head -1)")
  # .done names what was unpacked: a package added since (linux-base) unpacks again
  if [ -f "$root/.done" ]; then
    local was; was=$(cat "$root/.done")
    [ "$was" = "${debs[*]##*/}" ] && return 0
    # an older .done (empty) of a kernel that has no linux-base to add is still good
    [ -z "$was" ] && [[ "${debs[*]}" != *linux-base-* ]] && return 0
  fi
  rm -rf "$root"; mkdir -p "$root"
  for p in "${debs[@]}"; do
    dpkg -x "$p" "$root" || return 1
  done
  # 7.x splits the image: the modules package may put them under /usr/lib/modules
  if [ ! -d "$root/lib/modules/$kver" ] && [ -d "$root/usr/lib/modules/$kver" ]; then
    mkdir -p "$root/lib/modules"; mv "$root/usr/lib/modules/$kver" "$root/lib/modules/"
  fi
  depmod -b "$root" "$kver" || return 1
  echo "${debs[*]##*/}" > "$root/.done"
}

# kernel_image KVER: the image where the manifest looks for it (boot/vmlinuz-KVER). 7.x's
# linux-binary-unsigned ships it as /usr/lib/modules/KVER/vmlinuz.unsigned, with no /boot.
kernel_image() {
  local kver=$1 root=$CACHE/kernel/$1 f
  [ -f "$root/boot/vmlinuz-$kver" ] && return 0
  for f in "$root/usr/lib/linux/vmlinuz-$kver" "$root/lib/modules/$kver/vmlinuz.unsigned" "$root/lib/modules/$kver/vmlinuz"; do
    [ -f "$f" ] && mkdir -p "$root/boot" && cp "$f" "$root/boot/vmlinuz-$kver" && return 0
  done
  return 1
}

. "$HERE/testmods.sh"

prepare() { # prepare LINE ARCH
  local line=$1 arch=$2 t man=$CACHE/kernels/$1-$2.json
  if [ $REFRESH -eq 0 ] && [ -f "$man" ] && node -e '
      const fs = require("fs"); const m = JSON.parse(fs.readFileSync(process.argv[1], "utf8"));
      if (m.skip) process.exit(m.skip.includes("no longer its modules") || m.skip.includes("no linux-image") ? 0 : 1);
      if (m.recipe !== process.env.RECIPE) process.exit(1);
      for (const k of ["kernel", "initrd"]) if (!fs.existsSync(m[k])) process.exit(1);' "$man" 2>/dev/null; then
    say "$line $arch: up to date ($(node -e 'const m=require(process.argv[1]); console.log(m.skip ? "skipped: " + m.skip : m.kver + " " + m.version)' "$man"))"
    return 0
  fi
  local found="" why="no linux-image-$line.* for $arch in the archive" abi ver tried=""
  while read -r abi ver; do
    [ -n "$abi" ] || continue
    if ! payload "$abi" "$arch"; then why=$WHY; tried="$tried $ver(no modules)"; continue; fi
    POOLVER=$ver; POOLREF="linux-image-$abi-$arch:$arch"
    # shellcheck disable=SC2086
    if fetch $PAYLOAD "busybox-static:$arch"; then found=$abi; break; fi
    why="no downloadable $line.* $arch kernel"; tried="$tried $ver(404)"
  done < <(candidates "$line" "$arch" | host_first)
  if [ -z "$found" ]; then manifest_skip "$line" "$arch" "$why${tried:+ (tried$tried)}"; return 0; fi
  ABI=$found; KVER=$found-$arch; PKGVER=$ver; NOTE=${tried:+newer in the index but not downloadable:$tried}
  say "$line $arch: $KVER ($PKGVER) from $PAYLOAD${NOTE:+; $NOTE}"
  t=$(now)
  [ $DOWNLOAD_ONLY -eq 1 ] && return 0
  case "$PAYLOAD" in *linux-modules-*) base_fetch "$KVER" "$arch" ;; esac
  # shellcheck disable=SC2086
  unpack_kernel "$KVER" $PAYLOAD || { manifest_skip "$line" "$arch" "unpacking $KVER failed"; return 0; }
  kernel_image "$KVER" || { manifest_skip "$line" "$arch" "no kernel image in $PAYLOAD"; return 0; }
  local bb=$CACHE/busybox/$arch
  if [ ! -x "$bb/busybox" ]; then
    rm -rf "$bb"; mkdir -p "$bb/x"
    dpkg -x "$(ls "$CACHE"/debs/busybox-static_*_"$arch".deb | head -1)" "$bb/x"
    # bookworm ships /bin/busybox, trixie (merged /usr) /usr/bin/busybox
    cp "$(find "$bb/x" -type f -path "*bin/busybox" | head -1)" "$bb/busybox" && rm -rf "$bb/x"
  fi
  local kroot=$CACHE/kernel/$KVER
  build_testmods "$KVER" "$ABI" "$arch" "$PKGVER" || { manifest_skip "$line" "$arch" "building the test modules for $KVER failed: $TESTMOD_WHY"; return 0; }
  local console=ttyAMA0; [ "$arch" = amd64 ] && console=ttyS0
  local mods="" m
  for m in virtio_pci virtio_iommu virtio_blk virtio_net e1000e; do
    modprobe -d "$kroot" -S "$KVER" --show-depends "$m" >/dev/null 2>&1 && mods="$mods $m"
  done
  local initrd=$CACHE/initrd-$KVER.gz
  local sum; sum=$( (cat "$HERE/mkinitrd.sh"; echo "$mods"; sha256sum "$TESTMOD_DIR"/*.ko) | sha256sum | cut -c1-16)
  if [ ! -f "$initrd" ] || [ "$(cat "$initrd.src" 2>/dev/null)" != "$sum" ]; then
    # shellcheck disable=SC2086
    EXTRA_KO="$TESTMOD_DIR/probetest.ko $TESTMOD_DIR/probewait.ko" "$HERE/mkinitrd.sh" "$kroot" "$KVER" "$bb/busybox" "$initrd" "$console" $mods \
      || { manifest_skip "$line" "$arch" "mkinitrd for $KVER failed"; return 0; }
    echo "$sum" > "$initrd.src"
  fi
  local cfg=$kroot/boot/config-$KVER
  # the split layout (6.19+) keeps it in linux-base's /usr/lib/modules/KVER/config, else the
  # headers package's .config is the same build's
  [ -f "$cfg" ] || cfg=$kroot/lib/modules/$KVER/config
  [ -f "$cfg" ] || cfg=$CACHE/headers/$KVER/usr/src/linux-headers-$KVER/.config
  node "$HERE/manifest.mjs" "$man" "$line" "$arch" "$KVER" "$PKGVER" "$kroot" "$initrd" "$cfg" "$TESTMOD_FROM" "$mods" || return 1
  say "$line $arch: ready in $(secs "$t") s"
}

for line in $LINES; do
  for arch in $ARCHES; do
    prepare "$line" "$arch"
  done
done
