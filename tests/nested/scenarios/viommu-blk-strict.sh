# SPDX-License-Identifier: MIT
# viommu-blk-strict: the checks of virtio-blk.sh with the disk behind build/vmm's
# virtio-iommu (--iommu virtio) and L2 in strict invalidation (iommu.strict=1:
# every unmap is flushed at once). L2 loads virtio-iommu.ko before virtio_blk
# (task viommu-run), mounts the host's ext4 image (virtio-blk.prep.sh)
# read-write, writes files, prints their SHA-256 sums and unmounts; L1 checks
# the image with e2fsck and reads the files back with debugfs: every sum must
# match. Plus the IOMMU checks of viommu-lib.sh (the disk in an IOMMU group,
# the policy, no IOMMU fault in L2's dmesg).
# viommu-blk-lazy.sh sets VIOMMU_STRICT=0 and sources this file.
# One L2 vCPU, as in virtio-blk.sh/virtio-net.sh: with two, L0 (QEMU MTTCG)
# sometimes corrupts L2's self-patched text, and once hung L1 outright.
L2_TIMEOUT=180
. /scenarios/viommu-lib.sh
strict=${VIOMMU_STRICT:-1}
img=/tmp/$NAME.img
serial=nested-viommu-$$
bad=""
if [ ! -r /data/virtio-blk.img.gz ]; then
	result "$NAME" fail "no ext4 image in L1 (virtio-blk.prep.sh makes it; the host lacks e2fsprogs? see build/nested/build.log)"
elif ! gunzip -c /data/virtio-blk.img.gz >"$img"; then
	result "$NAME" fail "cannot unpack the image into $img"
else
	l2_boot "$NAME" --kernel "$L2_BZIMAGE" --initramfs "$L2_INITRAMFS" --cpus 1 --memory 512M \
		--iommu virtio --disk "path=$img,serial=$serial" \
		--cmdline "$L2_CMDLINE_BASE iommu.strict=$strict -- viommu-run virtio-blk rw"
	check_task "$NAME"
	viommu_check "$strict" 1
	expect disk "$(l2_value BLK-DISK)" vda
	expect sectors "$(l2_value BLK-SIZE)" $(($(stat -c %s "$img") / 512))
	expect ro "$(l2_value BLK-RO)" 0
	expect serial "$(l2_value BLK-SERIAL)" "$serial"
	expect mount "$(l2_value BLK-MOUNT)" rw
	expect host-file "$(l2_value BLK-SEED)" "$(cat /data/virtio-blk.seed.sha256)"
	expect reread-seq "$(l2_value BLK-RESUM-SEQ)" "$(l2_value BLK-SUM-SEQ)"
	expect reread-rand "$(l2_value BLK-RESUM-RAND)" "$(l2_value BLK-SUM-RAND)"
	expect umount "$(l2_value BLK-UMOUNT)" ok
	expect io-errors "$(l2_value BLK-IO-ERRORS)" 0
	# The image, from L1's side (user space: e2fsck, debugfs).
	expect disk-md5 "$(l2_value BLK-DISK-MD5)" "$(md5sum <"$img" | cut -d' ' -f1)"
	fsck=$(e2fsck -fn "$img" 2>&1)
	expect e2fsck-status $? 0
	out=/tmp/$NAME.files
	rm -rf "$out" && mkdir -p "$out"
	debugfs -R "rdump /l2 $out" "$img" >/dev/null 2>&1
	expect seq.txt "$(sha256sum <"$out/l2/seq.txt" | cut -d' ' -f1)" "$(l2_value BLK-SUM-SEQ)"
	expect seq.txt-content "$(l2_value BLK-SUM-SEQ)" "$(seq 1 300000 | sha256sum | cut -d' ' -f1)"
	expect rand.bin "$(sha256sum <"$out/l2/rand.bin" | cut -d' ' -f1)" "$(l2_value BLK-SUM-RAND)"
	expect rand.bin-size "$(stat -c %s "$out/l2/rand.bin")" 3145728
	small=$(i=0; while [ $i -lt 32 ]; do cat "$out/l2/small/$i"; i=$((i + 1)); done | sha256sum | cut -d' ' -f1)
	expect small-files "$small" "$(l2_value BLK-SUM-SMALL)"
	expect small-files-content "$small" "$(i=0; while [ $i -lt 32 ]; do echo "small file $i from L2"; i=$((i + 1)); done | sha256sum | cut -d' ' -f1)"
	if [ -z "$bad" ]; then
		result "$NAME" pass "init=${L2_INIT_S}s run=${L2_RUN_S}s policy=$(l2_value VIOMMU-POLICY)"
	else
		result "$NAME" fail "$bad"
		echo "$fsck" | tail -15 | sed 's/^/e2fsck| /'
		dump_log 60
	fi
	rm -rf "$out"
fi
rm -f "$img"
