# SPDX-License-Identifier: MIT
# For the NVMe passthrough scenarios, vfio-nvme* and qemu-vfio-nvme* (sourced
# by build.sh, bash, on the host), new at every build (run.sh builds at every
# run):
# - $OUT/nvme.img: L0's NVMe disk (run.sh attaches it for "# l0: nvme"), 16 MiB
#   of random bytes;
# - the 1 MiB random pattern L2 writes at 8 MiB into that disk, in
#   $L2ROOT/data/nvme-pattern.bin and $OUT/nvme-pattern.bin (run.sh compares
#   the image with it once L0 is gone);
# - nvme.sums, in $OUT and in $L1ROOT/data: the sizes, the offset, and the
#   MD5 sums of the image, of the pattern, and of the image with the pattern
#   written (shell assignments; vfio-lib.sh and run.sh source them);
# - the L2 module set nvme (nvme, nvme-core and what they need), which L2's
#   task nvme-check loads.
put_module_set "$L2ROOT" nvme nvme

nvme_prep() {
	local size=16 off=8 len=1 md5 pmd5 wmd5
	rm -f "$OUT/nvme.img" "$OUT/nvme.sums" "$OUT/nvme-pattern.bin"
	mkdir -p "$L1ROOT/data" "$L2ROOT/data" || return 1
	head -c $((size << 20)) /dev/urandom >"$OUT/nvme.img.tmp" || return 1
	head -c $((len << 20)) /dev/urandom >"$OUT/nvme-pattern.bin" || return 1
	md5=$(md5sum <"$OUT/nvme.img.tmp" | cut -d' ' -f1)
	pmd5=$(md5sum <"$OUT/nvme-pattern.bin" | cut -d' ' -f1)
	cp "$OUT/nvme.img.tmp" "$OUT/nvme.written.tmp" || return 1
	dd if="$OUT/nvme-pattern.bin" of="$OUT/nvme.written.tmp" bs=1M seek="$off" conv=notrunc 2>/dev/null ||
		return 1
	wmd5=$(md5sum <"$OUT/nvme.written.tmp" | cut -d' ' -f1)
	rm -f "$OUT/nvme.written.tmp"
	[ "$md5" != "$wmd5" ] || return 1
	cp "$OUT/nvme-pattern.bin" "$L2ROOT/data/nvme-pattern.bin" || return 1
	cat >"$L1ROOT/data/nvme.sums" <<EOF || return 1
NVME_SIZE_MIB=$size
NVME_OFFSET_MIB=$off
NVME_PATTERN_MIB=$len
NVME_MD5=$md5
NVME_PATTERN_MD5=$pmd5
NVME_WRITTEN_MD5=$wmd5
EOF
	cp "$L1ROOT/data/nvme.sums" "$OUT/nvme.sums" || return 1
	mv "$OUT/nvme.img.tmp" "$OUT/nvme.img"
}
if ! nvme_prep; then
	echo "vfio-nvme.prep: the NVMe image or pattern could not be made; the NVMe scenarios will fail" >&2
	rm -f "$OUT/nvme.img" "$OUT/nvme.sums" "$L1ROOT/data/nvme.sums"
fi
