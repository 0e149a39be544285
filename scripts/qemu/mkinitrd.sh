#!/usr/bin/env bash
# Build bringup's busybox initramfs for the QEMU target.
# usage: mkinitrd.sh <kernel-root (dpkg -x dir)> <kver> <busybox-binary> <out.cpio.gz> <console> module...
# env: EXTRA_KO="a.ko b.ko" (copied to lib/modules/<kver>/extra)
#
# The /init it writes mounts proc/sys/dev/debugfs/tmp, loads the modules named on the kernel
# command line as bringup.load=mod[+param=value...][,mod...] ('+': a PCI name in a value has colons) in that order (this is the
# target's "boot": drivers register in board order, held drivers are left out), prints
# "=== INIT UP <uptime> ===" and runs a shell on the console. bringup.lifetime=SECONDS powers
# the guest off after that long whatever happens on the host.
set -euo pipefail
ROOT=$1; KVER=$2; BB=$3; OUT=$4; CONSOLE=$5; shift 5
W=$(mktemp -d)
trap 'rm -rf "$W"' EXIT
mkdir -p "$W"/{bin,sbin,proc,sys,dev,tmp,etc,root,lib/modules/"$KVER"}
cp "$BB" "$W/bin/busybox"
# applet names: the host's busybox lists the same set (busybox-static is installed on the host)
if command -v busybox >/dev/null 2>&1; then
  applets=$(busybox --list | grep -vx busybox)
else
  applets="sh ash cat echo ls mount umount mkdir rm ln cut grep sed awk sleep dmesg modprobe insmod rmmod lsmod
           readlink basename dirname printf test [ true false stty setsid poweroff reboot tr head tail wc find xargs env"
fi
for a in $applets; do ln -sf busybox "$W/bin/$a"; done
RROOT=$(realpath "$ROOT")
for m in "$@"; do
  deps=$(modprobe -d "$RROOT" -S "$KVER" --show-depends "$m" | awk '/^insmod/{print $2}')
  for f in $deps; do
    rel=${f#"$RROOT"/}
    mkdir -p "$W/$(dirname "$rel")"
    cp -n "$f" "$W/$rel"
  done
done
for f in modules.order modules.builtin modules.builtin.modinfo; do
  [ -f "$ROOT/lib/modules/$KVER/$f" ] && cp "$ROOT/lib/modules/$KVER/$f" "$W/lib/modules/$KVER/"
done
for k in ${EXTRA_KO:-}; do mkdir -p "$W/lib/modules/$KVER/extra"; cp "$k" "$W/lib/modules/$KVER/extra/"; done
find "$W/lib/modules" -name '*.ko.xz' -exec xz -d {} +
if find "$W/lib/modules" -name '*.ko.zst' | grep -q .; then find "$W/lib/modules" -name '*.ko.zst' -exec zstd -q -d --rm {} +; fi
depmod -b "$W" "$KVER"
cat > "$W/init" <<INIT
#!/bin/sh
mount -t proc proc /proc
mount -t sysfs sys /sys
mount -t devtmpfs dev /dev
mount -t debugfs debugfs /sys/kernel/debug
mount -t tmpfs tmp /tmp
load=
lifetime=
for a in \$(cat /proc/cmdline); do
  case "\$a" in
    bringup.load=*) load="\${a#bringup.load=}";;
    bringup.lifetime=*) lifetime="\${a#bringup.lifetime=}";;
  esac
done
# the guest's own lifetime limit: powers off even if the host side that started it is gone
[ -n "\$lifetime" ] && (sleep "\$lifetime"; echo "=== LIFETIME EXCEEDED ==="; poweroff -f) &
for spec in \$(echo "\$load" | tr ',' ' '); do
  args=\$(echo "\$spec" | tr '+' ' ')
  echo "=== LOAD \$args ==="
  modprobe \$args || echo "=== LOAD FAILED \$spec ==="
done
echo "=== INIT UP \$(cut -d' ' -f1 /proc/uptime) ==="
exec setsid sh -c 'exec sh </dev/$CONSOLE >/dev/$CONSOLE 2>&1'
INIT
chmod +x "$W/init"
(cd "$W" && find . | cpio -o -H newc --quiet | gzip -1) > "$OUT.tmp"
mv "$OUT.tmp" "$OUT"
