# SPDX-License-Identifier: MIT
# For virtio-blk and virtio-blk-ro (sourced by build.sh, bash, on the host):
# - $L1ROOT/data/virtio-blk.img.gz: a 64 MiB ext4 image made here, holding
#   /host/seed.txt (seq 1 150000); its SHA-256 in virtio-blk.seed.sha256;
# - e2fsck and debugfs from the host's e2fsprogs, with their libraries, under
#   $L1ROOT/opt/e2fsprogs (run through the wrappers /bin/e2fsck, /bin/debugfs):
#   L1 checks what L2 wrote from user space, not through a kernel driver;
# - the L2 module set virtio-blk (virtio_blk, ext4 and what they need).
# Without e2fsprogs on the host the image is missing and both scenarios fail
# saying so; the other scenarios are not affected.
put_module_set "$L2ROOT" virtio-blk virtio_blk ext4

# vblk_copy_program ROOT DIR PROG...: PROG (host paths) and the shared libraries
# they load into ROOT/DIR, and a wrapper ROOT/bin/NAME that runs each through
# the copied dynamic loader (L1 has no /lib).
vblk_copy_program() {
	local root=$1 dir=$2 prog lib ld=""
	shift 2
	mkdir -p "$root$dir/lib" || return 1
	for prog in "$@"; do
		cp "$prog" "$root$dir/" || return 1
		for lib in $(ldd "$prog" | awk '/=> \// {print $3} /^\t\// {print $1}'); do
			case $lib in */ld-linux*) ld=$(basename "$lib") ;; esac
			cp -L "$lib" "$root$dir/lib/" || return 1
		done
		[ -n "$ld" ] || { echo "virtio-blk.prep: no dynamic loader for $prog" >&2; return 1; }
		# The wrapper replaces a busybox applet of the same name, if any.
		rm -f "$root/bin/$(basename "$prog")"
		printf '#!/bin/sh\nexec %s --library-path %s %s "$@"\n' "$dir/lib/$ld" "$dir/lib" \
			"$dir/$(basename "$prog")" >"$root/bin/$(basename "$prog")" || return 1
		chmod +x "$root/bin/$(basename "$prog")" || return 1
	done
}

vblk_prep() {
	local d=$OUT/virtio-blk.tmp p
	for p in mkfs.ext4 debugfs e2fsck; do
		command -v "$p" >/dev/null || PATH=$PATH:/sbin:/usr/sbin command -v "$p" >/dev/null ||
			{ echo "virtio-blk.prep: no $p on the host (e2fsprogs)" >&2; return 1; }
	done
	rm -rf "$d" && mkdir -p "$d/root/host" "$L1ROOT/data" || return 1
	seq 1 150000 >"$d/root/host/seed.txt" || return 1
	PATH=$PATH:/sbin:/usr/sbin mkfs.ext4 -F -q -L nested-vblk -E root_owner=0:0 \
		-d "$d/root" "$d/img" 64M || return 1
	sha256sum <"$d/root/host/seed.txt" | cut -d' ' -f1 >"$L1ROOT/data/virtio-blk.seed.sha256" || return 1
	gzip -1 -c "$d/img" >"$L1ROOT/data/virtio-blk.img.gz" || return 1
	vblk_copy_program "$L1ROOT" /opt/e2fsprogs \
		"$(PATH=$PATH:/sbin:/usr/sbin command -v e2fsck)" \
		"$(PATH=$PATH:/sbin:/usr/sbin command -v debugfs)" || return 1
	rm -rf "$d"
}
if ! vblk_prep; then
	echo "virtio-blk.prep: the image or e2fsprogs could not be staged; virtio-blk and virtio-blk-ro will fail" >&2
	rm -f "$L1ROOT/data/virtio-blk.img.gz"
fi
