#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Fetch what the nested harness boots, into cache/nested/ (kept by make clean):
#   kernel/   Debian's linux-image-6.12.*-amd64-unsigned, dpkg -x'ed (not installed)
#   busybox/  busybox-static, dpkg -x'ed
#   vmlinux   the ELF inside the bzImage (for the PVH scenario), checked for a PVH note
#   env       KVER=... BZIMAGE=... MODDIR=... BUSYBOX=... VMLINUX=... for the other scripts
# Idempotent: a complete cache is reused without touching the network.
# Exit status 0 when everything is there, 1 otherwise (with a reason on stderr).
set -euo pipefail
TOP=$(cd "$(dirname "$0")/../.." && pwd)
CACHE=${NESTED_CACHE:-$TOP/cache/nested}
mkdir -p "$CACHE"
cd "$CACHE"

die() { echo "fetch: $*" >&2; exit 1; }

# The environment file is written last, so its presence means "complete".
if [ -s env ]; then
	. ./env
	if [ -r "$BZIMAGE" ] && [ -d "$MODDIR" ] && [ -x "$BUSYBOX" ] && [ -s "$VMLINUX" ]; then
		cat env
		exit 0
	fi
fi

SUDO=
[ "$(id -u)" = 0 ] || SUDO=sudo

# newest_pkg REGEX: the highest version of the package names matching REGEX.
newest_pkg() { apt-cache search --names-only "$1" 2>/dev/null | awk '{print $1}' | sort -V | tail -1; }

updated=0
apt_update() {
	[ "$updated" = 0 ] || return 1
	echo "fetch: running apt-get update" >&2
	$SUDO apt-get update -qq >&2 || die "apt-get update failed"
	updated=1
}

# download PKG: apt-get download PKG here, unless a .deb of it is here already.
# Prints the .deb's name.
download() {
	local pkg=$1
	if ! ls "${pkg}"_*.deb >/dev/null 2>&1; then
		echo "fetch: downloading $pkg" >&2
		# (root downloading into a folder _apt cannot read warns "unsandboxed": harmless)
		apt-get download -q "$pkg" >apt.log 2>&1 || { cat apt.log >&2; return 1; }
	fi
	ls "${pkg}"_*.deb | head -1
}

# unpack DEB DIR: dpkg -x DEB into DIR, atomically.
unpack() {
	rm -rf "$2.tmp"
	dpkg -x "$1" "$2.tmp" || die "dpkg -x $1 failed"
	rm -rf "$2"
	mv "$2.tmp" "$2"
}

# The newest 6.12 kernel. Stale apt lists may not know it, or may name one the
# archive has dropped since: then update the lists once and try again.
KPKG_RE='^linux-image-6\.12\.[0-9]+\+deb[0-9]+-amd64-unsigned$'
kpkg=$(newest_pkg "$KPKG_RE")
[ -n "$kpkg" ] || { apt_update; kpkg=$(newest_pkg "$KPKG_RE"); }
[ -n "$kpkg" ] || die "no package matches $KPKG_RE in the apt lists"
if ! kdeb=$(download "$kpkg"); then
	apt_update || die "apt-get download $kpkg failed"
	kpkg=$(newest_pkg "$KPKG_RE")
	kdeb=$(download "$kpkg") || die "apt-get download $kpkg failed"
fi
if ! bdeb=$(download busybox-static); then
	apt_update || die "apt-get download busybox-static failed"
	bdeb=$(download busybox-static) || die "apt-get download busybox-static failed"
fi
unpack "$kdeb" kernel
unpack "$bdeb" busybox

KVER=${kpkg#linux-image-}
KVER=${KVER%-unsigned}
BZIMAGE=$CACHE/kernel/boot/vmlinuz-$KVER
MODDIR=$CACHE/kernel/lib/modules/$KVER
BUSYBOX=$CACHE/busybox/bin/busybox
[ -r "$BZIMAGE" ] || die "$BZIMAGE missing in $kpkg"
[ -d "$MODDIR" ] || die "$MODDIR missing in $kpkg"
[ -x "$BUSYBOX" ] || die "$BUSYBOX missing in busybox-static"

# The bzImage payload is zstd; it starts at the first 28 b5 2f fd.
off=$(LC_ALL=C grep -obUaP -m1 '\x28\xb5\x2f\xfd' "$BZIMAGE" | head -1 | cut -d: -f1 || true)
[ -n "$off" ] || die "no zstd magic in $BZIMAGE"
# zstd complains about the bytes after the frame (the bzImage tail); the output is whole.
tail -c +$((off + 1)) "$BZIMAGE" | zstd -dcq 2>/dev/null >vmlinux.tmp || true
[ "$(head -c 4 vmlinux.tmp | od -An -tx1 | tr -d ' ')" = 7f454c46 ] || die "the zstd payload of $BZIMAGE is not an ELF"
# PVH: a Xen ELF note of type XEN_ELFNOTE_PHYS32_ENTRY (18).
readelf -n vmlinux.tmp | grep -A1 -w Xen | grep -Eq '0x00000012|PHYS32_ENTRY' ||
	die "vmlinux has no PVH (XEN_ELFNOTE_PHYS32_ENTRY) note"
mv vmlinux.tmp vmlinux
VMLINUX=$CACHE/vmlinux

cat >env.tmp <<EOF
KVER=$KVER
BZIMAGE=$BZIMAGE
MODDIR=$MODDIR
BUSYBOX=$BUSYBOX
VMLINUX=$VMLINUX
EOF
mv env.tmp env
cat env
