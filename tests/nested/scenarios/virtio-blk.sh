# SPDX-License-Identifier: MIT
# virtio-blk: L2 mounts the ext4 image the host made (virtio-blk.prep.sh)
# read-write, checks the host's file, writes files, prints their SHA-256 sums
# and unmounts. L1 then checks the image with e2fsck and reads the files back
# with debugfs (user space, outside any kernel or VMM path): every sum must
# match, seq.txt must be what L1 computes itself, and the disk's MD5 as L2
# read it must be the image file's.
L2_TIMEOUT=150
# One L2 vCPU: with two, L2 patching its own text (static keys, during boot)
# sometimes meets L0's stale-code race (QEMU MTTCG) and dies of "Oops: int3".
img=/tmp/$NAME.img
serial=nested-vblk-$$
bad=""
if [ ! -r /data/virtio-blk.img.gz ]; then
	result "$NAME" fail "no ext4 image in L1 (the host lacks e2fsprogs? see build/nested/build.log)"
elif ! gunzip -c /data/virtio-blk.img.gz >"$img"; then
	result "$NAME" fail "cannot unpack the image into $img"
else
	l2_boot "$NAME" --kernel "$L2_BZIMAGE" --initramfs "$L2_INITRAMFS" --cpus 1 --memory 512M \
		--disk "path=$img,serial=$serial" --cmdline "$L2_CMDLINE_BASE -- virtio-blk rw"
	check_task "$NAME"
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
	# The image, from L1's side.
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
		result "$NAME" pass "init=${L2_INIT_S}s run=${L2_RUN_S}s"
	else
		result "$NAME" fail "$bad"
		echo "$fsck" | tail -15 | sed 's/^/e2fsck| /'
		dump_log 60
	fi
	rm -rf "$out"
fi
rm -f "$img"
