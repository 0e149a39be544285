# Sourced by kernels.sh: build bringup's test modules (probetest.ko, probewait.ko) for one
# Debian kernel, against the kernel's own headers packages (linux-headers-<kver>, -common,
# linux-kbuild), from the index or, where the index no longer lists them, from the pool.
# Debian builds trixie's kernels with gcc-14; bookworm has gcc-12, which Kbuild accepts for
# external modules (bin/cc-compat drops the newer options), and trixie's kbuild tools run
# under trixie's own glibc (wrap_kbuild).
#
# build_testmods KVER ABI ARCH PKGVER -> TESTMOD_DIR (holding both .ko), TESTMOD_FROM
# (headers); on failure returns 1 with TESTMOD_WHY.

karch() { case $1 in arm64) echo arm64 ;; amd64) echo x86 ;; esac; }
cross() { case $1 in arm64) echo aarch64-linux-gnu- ;; amd64) echo "" ;; esac; }
# through cc-compat: the kernel may have been built by a newer gcc (see bin/cc-compat)
kcc() { case $1 in arm64) echo "$HERE/bin/cc-compat aarch64-linux-gnu-gcc-12" ;; amd64) echo "$HERE/bin/cc-compat gcc-12" ;; esac; }

TESTMOD_SRC_SUM=$(cat "$HERE"/probetest/*.c "$HERE"/probetest/Kbuild "$HERE/bin/cc-compat" | sha256sum | cut -c1-16)

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
  local dir=$1 ver libs ld libdir f old=0 host need
  # does any of them need a newer glibc than this host's? (their symbol version requirements;
  # running them proves nothing: modpost starts fine and fails in the modpost.real-* it runs)
  host=$(getconf GNU_LIBC_VERSION | awk '{print $2}')
  while read -r f; do
    head -c4 "$f" | grep -q ELF || continue
    need=$(readelf -V "$f" 2>/dev/null | grep -o 'GLIBC_2\.[0-9]*' | sed 's/GLIBC_//' | sort -t. -k2,2n | tail -1)
    [ -n "$need" ] && [ "${need#2.}" -gt "${host#2.}" ] && { old=1; break; }
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

build_testmods() {
  local kver=$1 abi=$2 arch=$3 ver=$4 dir=$CACHE/build/testmods-$1 from
  TESTMOD_DIR=$dir
  if [ -f "$dir/probetest.ko" ] && [ -f "$dir/probewait.ko" ] && [ "$(cat "$dir/.src" 2>/dev/null)" = "$TESTMOD_SRC_SUM" ]; then
    TESTMOD_FROM=$(cat "$dir/.from"); return 0
  fi
  if headers_tree "$kver" "$abi" "$arch"; then from=headers
  else TESTMOD_WHY="the archive has no linux-headers-$kver (neither in its index nor in its pool)"; return 1
  fi
  rm -rf "$dir"; mkdir -p "$dir"
  cp "$HERE"/probetest/*.c "$HERE"/probetest/Kbuild "$dir/"
  # no module BTF: bookworm's pahole (1.24) lacks the options newer kernels pass it, and a
  # module without .BTF loads all the same
  local mk=(make -C "$HDR_TREE" M="$dir" ARCH="$(karch "$arch")" CROSS_COMPILE="$(cross "$arch")" CC="$(kcc "$arch")" HOSTCC=gcc-12 CONFIG_DEBUG_INFO_BTF_MODULES=)
  nice -n 10 "${mk[@]}" modules >"$dir/build.log" 2>&1 || { TESTMOD_WHY="build failed (log: $dir/build.log)"; tail -20 "$dir/build.log" >&2; return 1; }
  [ -f "$dir/probetest.ko" ] && [ -f "$dir/probewait.ko" ] || { TESTMOD_WHY="no .ko produced (log: $dir/build.log)"; return 1; }
  echo "$TESTMOD_SRC_SUM" > "$dir/.src"
  echo "$from" > "$dir/.from"
  TESTMOD_FROM=$from
}
