#!/usr/bin/env bash
# npm run setup:qemu — prepare the real-kernel (QEMU) target of bringup.
#
#  1. host tools from the machine's apt: qemu-system-arm, busybox-static, cpio, kmod, xz, and for
#     the test module make, gcc-12-aarch64-linux-gnu, dwarves;
#  2. Debian's bookworm-backports arm64 kernel (ABI resolved from the linux-image-arm64
#     metapackage), its headers and an arm64 busybox, fetched with a PRIVATE apt state from the
#     mirror this machine's apt configuration already names (the host's apt state is untouched);
#  3. the test modules (probetest, probewait) cross-built against those headers;
#  4. the busybox initramfs (virtio_iommu, virtio_blk, virtio_net, e1000e, probetest, probewait).
#
# Everything lands in .cache/qemu/ (override with BRINGUP_QEMU_CACHE); assets.json describes it
# and is what the qemu target reads. Idempotent: a second run only checks. --refresh re-resolves
# the kernel ABI. When it cannot work (no apt, not root, no network) it prints why, records the
# reason in .cache/qemu/skip-reason and exits 0, so CI goes on and the qemu runs report SKIP.
set -uo pipefail

HERE=$(cd "$(dirname "$0")" && pwd)
REPO=$(cd "$HERE/../.." && pwd)
CACHE=${BRINGUP_QEMU_CACHE:-$REPO/.cache/qemu}
REFRESH=0
for a in "$@"; do
  case "$a" in
    --refresh) REFRESH=1 ;;
    -h|--help) sed -n '2,17p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
    *) echo "setup:qemu: unknown option $a" >&2; exit 2 ;;
  esac
done
mkdir -p "$CACHE"
T_START=$(date +%s.%N)
TIMINGS=""

say() { echo "setup:qemu: $*"; }
skip() {
  say "SKIP: $*"
  say "the qemu target will report its runs as SKIP"
  printf '%s\n' "$*" > "$CACHE/skip-reason"
  exit 0
}
die() { echo "setup:qemu: ERROR: $*" >&2; printf '%s\n' "setup failed: $*" > "$CACHE/skip-reason"; exit 1; }
now() { date +%s.%N; }
lap() { # lap NAME START
  local d; d=$(awk -v a="$2" -v b="$(now)" 'BEGIN{printf "%.1f", b-a}')
  TIMINGS="$TIMINGS\"$1\": $d, "
  say "  $1: ${d}s"
}
SUDO=""
as_root() { $SUDO "$@"; }

# ---------------------------------------------------------------- 1. host tools
need_pkgs=()
command -v qemu-system-aarch64 >/dev/null || need_pkgs+=(qemu-system-arm)
command -v busybox >/dev/null || need_pkgs+=(busybox-static)
command -v cpio >/dev/null || need_pkgs+=(cpio)
command -v depmod >/dev/null || need_pkgs+=(kmod)
command -v xz >/dev/null || need_pkgs+=(xz-utils)
command -v make >/dev/null || need_pkgs+=(make)
command -v aarch64-linux-gnu-gcc-12 >/dev/null || need_pkgs+=(gcc-12-aarch64-linux-gnu)
command -v pahole >/dev/null || need_pkgs+=(dwarves)
command -v apt-get >/dev/null || {
  [ ${#need_pkgs[@]} -eq 0 ] || skip "apt-get not found and host packages missing: ${need_pkgs[*]}"
  skip "apt-get not found: cannot fetch the Debian kernel"
}
if [ "$(id -u)" -ne 0 ]; then
  if sudo -n true 2>/dev/null; then SUDO="sudo -n"; else SUDO="__none__"; fi
fi
if [ ${#need_pkgs[@]} -gt 0 ]; then
  [ "$SUDO" = "__none__" ] && skip "need root (or passwordless sudo) to install: ${need_pkgs[*]}"
  t=$(now)
  say "installing host packages: ${need_pkgs[*]}"
  as_root env DEBIAN_FRONTEND=noninteractive timeout 300 apt-get update -qq \
    || skip "apt-get update failed (no network to the Debian mirror?)"
  as_root env DEBIAN_FRONTEND=noninteractive timeout 600 apt-get install -y -qq --no-install-recommends "${need_pkgs[@]}" >/dev/null \
    || skip "apt-get install ${need_pkgs[*]} failed"
  lap host-packages "$t"
else
  say "host packages present (qemu-system-aarch64 $(qemu-system-aarch64 --version | head -1 | awk '{print $4}'))"
fi

# ---------------------------------------------------------------- 2. kernel via private apt
ARCH=arm64
APT=$CACHE/apt
mkdir -p "$APT/lists/partial" "$APT/cache/archives/partial" "$CACHE/debs"
mirror=""
if [ -f /etc/apt/sources.list.d/debian.sources ]; then
  # the first stanza whose Suites name the release itself (not -security) gives the main archive
  mirror=$(awk 'BEGIN{RS=""} /Suites:[^\n]*bookworm([ \n]|$)/ && !/security/ { if (match($0, /URIs:[ \t]*[^ \t\n]+/)) { s=substr($0, RSTART, RLENGTH); sub(/URIs:[ \t]*/, "", s); print s; exit } }' /etc/apt/sources.list.d/debian.sources)
fi
if [ -z "$mirror" ]; then
  mirror=$(cat /etc/apt/sources.list /etc/apt/sources.list.d/*.list 2>/dev/null | awk '$1=="deb" && $0 !~ /security/ { for (i=2;i<=NF;i++) if ($i ~ /^[a-z]+:\/\//) { print $i; exit } }')
fi
CODENAME=$(. /etc/os-release 2>/dev/null; echo "${VERSION_CODENAME:-bookworm}")
KEYRING=/usr/share/keyrings/debian-archive-keyring.gpg
B=(-o "Dir::Etc::SourceList=$APT/sources.list" -o Dir::Etc::SourceParts=/dev/null -o "Dir::State::Lists=$APT/lists"
   -o "Dir::Cache=$APT/cache" -o Dir::State::status=/dev/null -o "APT::Architectures::=$ARCH" -o Debug::NoLocking=1
   -o APT::Sandbox::User=root -o Acquire::Retries=2 -o Acquire::http::Timeout=30)

manifest_ok() {
  [ -f "$CACHE/assets.json" ] || return 1
  node -e '
    const fs = require("fs"); const m = JSON.parse(fs.readFileSync(process.argv[1], "utf8"));
    for (const k of ["kernel", "initrd"]) if (!fs.existsSync(m[k])) process.exit(1);' "$CACHE/assets.json"
}

KVER=""
if [ $REFRESH -eq 0 ] && [ -f "$CACHE/kver" ]; then KVER=$(cat "$CACHE/kver"); fi
if [ -z "$KVER" ]; then
  [ -n "$mirror" ] || skip "no Debian mirror found in /etc/apt/sources.list{,.d} (will not guess a host)"
  [ -f "$KEYRING" ] || skip "$KEYRING missing (debian-archive-keyring)"
  printf 'deb [signed-by=%s] %s %s-backports main\ndeb [signed-by=%s] %s %s main\n' \
    "$KEYRING" "$mirror" "$CODENAME" "$KEYRING" "$mirror" "$CODENAME" > "$APT/sources.list"
  say "private apt state in $APT, mirror $mirror ($CODENAME-backports + $CODENAME)"
  t=$(now)
  timeout 300 apt-get "${B[@]}" -qq --error-on=any update || skip "apt-get update of $mirror $CODENAME-backports failed (no network?)"
  lap apt-lists "$t"
  # resolve the ABI from the metapackage's backports version
  ver=$(apt-cache "${B[@]}" madison "linux-image-$ARCH:$ARCH" 2>/dev/null | awk -F'|' '/-backports/ { gsub(/ /, "", $2); print $2; exit }')
  [ -n "$ver" ] || skip "linux-image-$ARCH not found in $CODENAME-backports"
  KVER=$(apt-cache "${B[@]}" show "linux-image-$ARCH:$ARCH=$ver" | awk '/^Depends:/' | grep -o "linux-image-[0-9][^ ,]*-$ARCH" | head -1 | sed 's/^linux-image-//')
  [ -n "$KVER" ] || skip "cannot resolve the kernel ABI from linux-image-$ARCH $ver"
  say "linux-image-$ARCH $ver -> kernel $KVER"
fi
ABI=${KVER%-"$ARCH"}
KROOT=$CACHE/kernel/$KVER
HDR=$CACHE/headers/$KVER
BBROOT=$CACHE/busybox-$ARCH

fetch() { # fetch PKG... into $CACHE/debs (skips those present)
  local want=()
  for p in "$@"; do
    local n=${p%%:*}
    compgen -G "$CACHE/debs/${n}_*.deb" >/dev/null || want+=("$p")
  done
  [ ${#want[@]} -eq 0 ] && return 0
  [ -f "$APT/sources.list" ] || {
    printf 'deb [signed-by=%s] %s %s-backports main\ndeb [signed-by=%s] %s %s main\n' \
      "$KEYRING" "$mirror" "$CODENAME" "$KEYRING" "$mirror" "$CODENAME" > "$APT/sources.list"
  }
  compgen -G "$APT/lists/*Packages*" >/dev/null || timeout 300 apt-get "${B[@]}" -qq --error-on=any update || return 1
  say "downloading ${want[*]}"
  (cd "$CACHE/debs" && timeout 900 apt-get "${B[@]}" -qq download "${want[@]}")
}

if [ ! -f "$KROOT/.done" ]; then
  t=$(now)
  fetch "linux-image-$KVER-unsigned:$ARCH" "busybox-static:$ARCH" || skip "download of the $KVER kernel failed"
  lap download-kernel "$t"
  t=$(now)
  rm -rf "$KROOT"; mkdir -p "$KROOT"
  dpkg -x "$CACHE"/debs/linux-image-"$KVER"-unsigned_*.deb "$KROOT" || die "dpkg -x kernel"
  depmod -b "$KROOT" "$KVER" || die "depmod"
  touch "$KROOT/.done"
  lap unpack-kernel "$t"
else
  say "kernel $KVER already unpacked"
fi
if [ ! -x "$BBROOT/bin/busybox" ]; then
  fetch "busybox-static:$ARCH" || skip "download of busybox-static:$ARCH failed"
  rm -rf "$BBROOT"; mkdir -p "$BBROOT/bin" "$BBROOT/x"
  dpkg -x "$(ls "$CACHE"/debs/busybox-static_*_"$ARCH".deb | head -1)" "$BBROOT/x" || die "dpkg -x busybox"
  # bookworm ships /bin/busybox, trixie (merged /usr) /usr/bin/busybox
  cp "$(find "$BBROOT/x" -type f -path '*bin/busybox' | head -1)" "$BBROOT/bin/busybox" || die "no busybox in busybox-static:$ARCH"
  rm -rf "$BBROOT/x"
fi

# ---------------------------------------------------------------- 3. probetest module
PT_BUILD=$CACHE/build/probetest-$KVER
PT_KO=$PT_BUILD/probetest.ko
src_sum=$(cat "$HERE"/probetest/*.c "$HERE/probetest/Kbuild" | sha256sum | cut -c1-16)
if [ ! -f "$PT_KO" ] || [ "$(cat "$PT_BUILD/.src" 2>/dev/null)" != "$src_sum" ]; then
  if [ ! -f "$HDR/.done" ]; then
    t=$(now)
    fetch "linux-headers-$KVER:$ARCH" "linux-headers-$ABI-common" "linux-kbuild-$ABI" || skip "download of the $KVER headers failed"
    rm -rf "$HDR"; mkdir -p "$HDR"
    for f in "$CACHE"/debs/linux-headers-"$KVER"_*.deb "$CACHE"/debs/linux-headers-"$ABI"-common_*.deb "$CACHE"/debs/linux-kbuild-"$ABI"_*.deb; do
      dpkg -x "$f" "$HDR" || die "dpkg -x $f"
    done
    # the arch headers include the common tree by its installed path; repoint it
    sed -i "s|include /usr/src/|include $HDR/usr/src/|" "$HDR/usr/src/linux-headers-$KVER/Makefile"
    # linux-kbuild's scripts are symlinked to /usr/lib/linux-kbuild-*; repoint absolute links
    find "$HDR/usr/src" -maxdepth 2 -type l | while read -r l; do
      tgt=$(readlink "$l"); case "$tgt" in /usr/*) ln -sfn "$HDR$tgt" "$l" ;; esac
    done
    touch "$HDR/.done"
    lap headers "$t"
  fi
  t=$(now)
  rm -rf "$PT_BUILD"; mkdir -p "$PT_BUILD"
  cp "$HERE"/probetest/*.c "$HERE/probetest/Kbuild" "$PT_BUILD/"
  if make -s -C "$HDR/usr/src/linux-headers-$KVER" M="$PT_BUILD" ARCH=arm64 CROSS_COMPILE=aarch64-linux-gnu- modules > "$PT_BUILD/build.log" 2>&1; then
    echo "$src_sum" > "$PT_BUILD/.src"
    lap build-probetest "$t"
  else
    tail -20 "$PT_BUILD/build.log" >&2
    die "probetest build failed (log: $PT_BUILD/build.log)"
  fi
else
  say "probetest.ko up to date"
fi

# ---------------------------------------------------------------- 4. initramfs
INITRD=$CACHE/initrd-$KVER.gz
MODS="virtio_iommu virtio_blk virtio_net e1000e"
PW_KO=$PT_BUILD/probewait.ko
in_sum=$( (cat "$HERE/mkinitrd.sh"; echo "$MODS"; sha256sum "$PT_KO" "$PW_KO") | sha256sum | cut -c1-16)
if [ ! -f "$INITRD" ] || [ "$(cat "$INITRD.src" 2>/dev/null)" != "$in_sum" ]; then
  t=$(now)
  EXTRA_KO="$PT_KO $PW_KO" "$HERE/mkinitrd.sh" "$KROOT" "$KVER" "$BBROOT/bin/busybox" "$INITRD" ttyAMA0 $MODS || die "mkinitrd"
  echo "$in_sum" > "$INITRD.src"
  lap initramfs "$t"
else
  say "initramfs up to date"
fi

KERNEL=$KROOT/boot/vmlinuz-$KVER
[ -f "$KERNEL" ] || die "kernel image $KERNEL missing"
echo "$KVER" > "$CACHE/kver"
QEMU=$(command -v qemu-system-aarch64)
cat > "$CACHE/assets.json" <<JSON
{
  "arch": "$ARCH",
  "kver": "$KVER",
  "kernel": "$KERNEL",
  "initrd": "$INITRD",
  "qemu": "$QEMU",
  "qemuVersion": "$($QEMU --version | head -1 | awk '{print $4}')",
  "modules": ["virtio_iommu", "virtio_blk", "virtio_net", "e1000e", "probetest", "probewait"],
  "mirror": "$mirror",
  "created": "$(date -u +%FT%TZ)"
}
JSON
rm -f "$CACHE/skip-reason"
lap total "$T_START"
say "ready: kernel $KVER, initramfs $(du -h "$INITRD" | cut -f1), assets in $CACHE/assets.json"
