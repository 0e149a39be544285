# Sourced by kernels.sh: build bringup's test modules (probetest.ko, probewait.ko) for one
# Debian kernel.
#
# With the kernel's headers package (linux-headers-<kver>, -common, linux-kbuild) when the
# archive still has it. Otherwise from the kernel's own Debian source package
# (`apt-get source linux=<version>`, Debian's patches applied by dpkg-source), configured with
# the image's /boot/config, `make modules_prepare`, and a Module.symvers holding the CRCs of
# the symbols the test modules import, read from the kernel's own modules' __versions: the
# modules are then accepted by the unmodified Debian kernel (vermagic and modversions match).
# Debian builds trixie kernels with gcc-14; bookworm has gcc-12, which Kbuild accepts for
# external modules (it only warns), so the test modules are built with the host's gcc-12.
#
# build_testmods KVER ABI ARCH PKGVER -> TESTMOD_DIR (holding both .ko), TESTMOD_FROM
# (headers | source); on failure returns 1 with TESTMOD_WHY.

karch() { case $1 in arm64) echo arm64 ;; amd64) echo x86 ;; esac; }
cross() { case $1 in arm64) echo aarch64-linux-gnu- ;; amd64) echo "" ;; esac; }
# through cc-compat: the kernel may have been built by a newer gcc (see bin/cc-compat)
kcc() { case $1 in arm64) echo "$HERE/bin/cc-compat aarch64-linux-gnu-gcc-12" ;; amd64) echo "$HERE/bin/cc-compat gcc-12" ;; esac; }

TESTMOD_SRC_SUM=$(cat "$HERE"/probetest/*.c "$HERE"/probetest/Kbuild | sha256sum | cut -c1-16)

# kbuild_pkg ABI -> the linux-kbuild package name for that ABI (per-ABI since 6.x, per-line before)
kbuild_pkg() {
  local abi=$1 mm
  if have_pkg "linux-kbuild-$abi"; then echo "linux-kbuild-$abi"; return; fi
  mm=$(echo "$abi" | sed -E 's/^([0-9]+\.[0-9]+).*/\1/')
  have_pkg "linux-kbuild-$mm" && echo "linux-kbuild-$mm"
}

# The kbuild tools (fixdep, modpost, objtool...) of a kernel built for a newer Debian release
# are linked against that release's glibc and do not start here ("GLIBC_2.38 not found"). Each
# is then wrapped to run under the newer release's own dynamic loader and libc, fetched from
# the archive and unpacked in the cache (never installed): they need nothing else.
wrap_kbuild() { # wrap_kbuild DIR
  local dir=$1 ver libs ld libdir f old=0
  # any of them (objtool may need a newer glibc than fixdep)
  while read -r f; do
    head -c4 "$f" | grep -q ELF || continue
    timeout 10 "$f" </dev/null 2>&1 | grep -q 'GLIBC_[0-9.]*. not found' && { old=1; break; }
  done < <(find "$dir" -type f -perm -u+x ! -name '*.bin')
  [ $old -eq 1 ] || return 0
  ver=$(apt-cache "${B[@]}" madison libc6 2>/dev/null | awk -F'|' '/amd64/ { gsub(/ /, "", $2); print $2; exit }')
  [ -n "$ver" ] || return 1
  libs=$CACHE/hostlibs/libc6-$ver
  if [ ! -f "$libs/.done" ]; then
    rm -rf "$libs"; mkdir -p "$libs/deb"
    (cd "$libs/deb" && timeout 600 apt-get "${B[@]}" -qq download "libc6:amd64=$ver" </dev/null) || return 1
    dpkg -x "$libs"/deb/libc6_*.deb "$libs" || return 1
    touch "$libs/.done"
  fi
  ld=$(find "$libs" -name 'ld-linux-x86-64.so.2' -type f | head -1)
  libdir=$(dirname "$(find "$libs" -name 'libc.so.6' | head -1)")
  [ -n "$ld" ] && [ -n "$libdir" ] || return 1
  say "kbuild tools in $dir need a newer glibc: running them under libc6 $ver"
  find "$dir" -type f -perm -u+x ! -name '*.bin' | while read -r f; do
    head -c4 "$f" | grep -q ELF || continue
    mv "$f" "$f.bin"
    # --argv0: a tool that runs a sibling by its own name (modpost → modpost.real-lsb-64) still finds it
    printf '#!/bin/sh\nexec %s --argv0 "$0" --library-path %s "$0.bin" "$@"\n' "$ld" "$libdir" > "$f"
    chmod +x "$f"
  done
}

# headers_tree KVER ABI ARCH -> HDR_TREE (the arch headers dir) or return 1
headers_tree() {
  local kver=$1 abi=$2 arch=$3 hdr=$CACHE/headers/$1 kb f
  HDR_TREE=$hdr/usr/src/linux-headers-$kver
  [ -f "$hdr/.done" ] && return 0
  if have_pkg "linux-headers-$kver" && have_pkg "linux-headers-$abi-common"; then
    kb=$(kbuild_pkg "$abi"); [ -n "$kb" ] || return 1
    fetch "linux-headers-$kver:$arch" "linux-headers-$abi-common" "$kb" || return 1
  else
    # no longer in the index: the pool still has them, beside the kernel's modules
    kb=linux-kbuild-$abi
    pool_fetch "linux-headers-$kver" "$POOLVER" "$arch" "$POOLREF" && pool_fetch "linux-headers-$abi-common" "$POOLVER" all "$POOLREF" &&
      pool_fetch "$kb" "$POOLVER" amd64 "$POOLREF" || return 1
  fi
  rm -rf "$hdr"; mkdir -p "$hdr"
  for f in "$CACHE"/debs/linux-headers-"$kver"_*.deb "$CACHE"/debs/linux-headers-"$abi"-common_*.deb "$(ls "$CACHE"/debs/"$kb"_*_amd64.deb | head -1)"; do
    dpkg -x "$f" "$hdr" || return 1
  done
  # the arch headers name the common tree (and, from 7.x, themselves as KBUILD_OUTPUT) by their
  # installed paths; repoint them
  sed -i "s|\([ =]\)/usr/src/|\1$hdr/usr/src/|g" "$HDR_TREE/Makefile"
  # linux-kbuild's scripts/tools are symlinked to /usr/lib/linux-kbuild-*; repoint absolute links
  find "$hdr/usr/src" -maxdepth 2 -type l | while read -r l; do
    tgt=$(readlink "$l"); case "$tgt" in /usr/*) ln -sfn "$hdr$tgt" "$l" ;; esac
  done
  wrap_kbuild "$hdr/usr/lib" || return 1
  touch "$hdr/.done"
}

# source_tree KVER ABI ARCH PKGVER -> HDR_TREE (an O= build dir prepared for external modules)
source_tree() {
  local kver=$1 abi=$2 arch=$3 ver=$4 src=$CACHE/src/$4 obj=$CACHE/src-obj/$1 d t
  HDR_TREE=$obj
  [ -f "$obj/.done" ] && return 0
  if [ ! -f "$src/.done" ]; then
    t=$(now)
    rm -rf "$src"; mkdir -p "$src"
    say "$kver: no headers package in the archive; fetching Debian's source linux=$ver"
    (cd "$src" && timeout 1800 apt-get "${B[@]}" -qq source --download-only "linux=$ver" </dev/null) || return 1
    (cd "$src" && dpkg-source --no-check -x ./*.dsc tree >/dev/null) || return 1
    rm -f "$src"/*.orig.tar.* "$src"/*.debian.tar.* "$src"/*.dsc
    touch "$src/.done"
    say "$kver: source unpacked with Debian's patches in $(secs "$t") s"
  fi
  t=$(now)
  rm -rf "$obj"; mkdir -p "$obj"
  cp "$CACHE/kernel/$kver/boot/config-$kver" "$obj/.config" || return 1
  local mk=(make -s -C "$src/tree" O="$obj" ARCH="$(karch "$arch")" CROSS_COMPILE="$(cross "$arch")" CC="$(kcc "$arch")" HOSTCC=gcc-12 KERNELRELEASE="$kver")
  # Debian's certificate paths are not in the source; modules_prepare does not need them
  sed -i -E 's/^(CONFIG_SYSTEM_TRUSTED_KEYS|CONFIG_SYSTEM_REVOCATION_KEYS|CONFIG_MODULE_SIG_KEY)=.*/\1=""/' "$obj/.config"
  nice -n 10 "${mk[@]}" olddefconfig >"$obj/prepare.log" 2>&1 || return 1
  nice -n 10 "${mk[@]}" -j2 modules_prepare >>"$obj/prepare.log" 2>&1 || { tail -20 "$obj/prepare.log" >&2; return 1; }
  touch "$obj/.done"
  say "$kver: modules_prepare in $(secs "$t") s"
}

# symvers_from_modules KVER SYMBOL... -> writes Module.symvers lines for SYMBOLs, CRCs read
# from the __versions of the kernel's own modules (the modules that import them)
symvers_from_modules() {
  local kver=$1; shift
  local root=$CACHE/kernel/$kver/lib/modules/$kver want=" $* " out="" ko sym crc
  local dirs="kernel/drivers/net/ethernet/intel kernel/drivers/pci kernel/drivers/virtio kernel/drivers/block kernel/drivers/net kernel/drivers/misc kernel/drivers"
  for d in $dirs; do
    [ -d "$root/$d" ] || continue
    while read -r ko; do
      while read -r crc sym; do
        case "$want" in *" $sym "*)
          out="$out$crc	$sym	vmlinux	EXPORT_SYMBOL	
"
          want=${want/ $sym / } ;;
        esac
      done < <(modprobe --dump-modversions "$ko" 2>/dev/null)
      [ -z "${want// /}" ] && break 2
    done < <(find "$root/$d" -name '*.ko*' | sort)
  done
  printf '%s' "$out"
  [ -z "${want// /}" ] || { echo "no CRC found for:$want" >&2; return 1; }
}

build_testmods() {
  local kver=$1 abi=$2 arch=$3 ver=$4 dir=$CACHE/build/testmods-$1 from
  TESTMOD_DIR=$dir
  if [ -f "$dir/probetest.ko" ] && [ -f "$dir/probewait.ko" ] && [ "$(cat "$dir/.src" 2>/dev/null)" = "$TESTMOD_SRC_SUM" ]; then
    TESTMOD_FROM=$(cat "$dir/.from"); return 0
  fi
  if headers_tree "$kver" "$abi" "$arch"; then from=headers
  elif source_tree "$kver" "$abi" "$arch" "$ver"; then from=source
  else TESTMOD_WHY="neither linux-headers-$kver nor Debian's source for linux=$ver could be prepared"; return 1
  fi
  rm -rf "$dir"; mkdir -p "$dir"
  cp "$HERE"/probetest/*.c "$HERE"/probetest/Kbuild "$dir/"
  local mk=(make -C "$HDR_TREE" M="$dir" ARCH="$(karch "$arch")" CROSS_COMPILE="$(cross "$arch")" CC="$(kcc "$arch")" HOSTCC=gcc-12)
  if [ "$from" = source ]; then
    # first pass: which symbols do the modules import; then their CRCs from the kernel's modules
    KBUILD_MODPOST_WARN=1 nice -n 10 "${mk[@]}" modules >"$dir/build.log" 2>&1 || { TESTMOD_WHY="build failed (log: $dir/build.log)"; return 1; }
    local syms
    syms=$(for o in "$dir"/probetest.o "$dir"/probewait.o; do "$(cross "$arch")nm" -u "$o"; done | awk '{print $2}' | sort -u | grep -v '^__this_module$')
    # shellcheck disable=SC2086
    symvers_from_modules "$kver" $syms > "$dir/extra.symvers" 2>>"$dir/build.log" || { TESTMOD_WHY="symbol CRCs not found in the kernel's modules (log: $dir/build.log)"; return 1; }
    rm -f "$dir"/*.ko "$dir"/*.mod.c
    nice -n 10 "${mk[@]}" KBUILD_EXTRA_SYMBOLS="$dir/extra.symvers" modules >>"$dir/build.log" 2>&1 || { TESTMOD_WHY="build failed (log: $dir/build.log)"; return 1; }
  else
    nice -n 10 "${mk[@]}" modules >"$dir/build.log" 2>&1 || { TESTMOD_WHY="build failed (log: $dir/build.log)"; tail -20 "$dir/build.log" >&2; return 1; }
  fi
  [ -f "$dir/probetest.ko" ] && [ -f "$dir/probewait.ko" ] || { TESTMOD_WHY="no .ko produced (log: $dir/build.log)"; return 1; }
  echo "$TESTMOD_SRC_SUM" > "$dir/.src"
  echo "$from" > "$dir/.from"
  TESTMOD_FROM=$from
}
