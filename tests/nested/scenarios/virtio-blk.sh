# SPDX-License-Identifier: MIT
# virtio-blk: L2 mounts the ext4 image the host made (virtio-blk.prep.sh)
# read-write, checks the host's file, writes files, prints their SHA-256 sums
# and unmounts. L1 then checks the image with e2fsck and reads the files back
# with debugfs (user space, outside any kernel or VMM path): every sum must
# match, seq.txt must be what L1 computes itself, and the disk's MD5 as L2
# read it must be the image file's (blk-lib.sh).
L2_TIMEOUT=150
# One L2 vCPU: with two, L2 patching its own text (static keys, during boot)
# sometimes meets L0's stale-code race (QEMU MTTCG) and dies of "Oops: int3".
. /scenarios/blk-lib.sh
img=/tmp/$NAME.img
serial=nested-vblk-$$
bad=""
if blk_unpack "$img"; then
	l2_boot "$NAME" --kernel "$L2_BZIMAGE" --initramfs "$L2_INITRAMFS" --cpus 1 --memory 512M \
		--disk "path=$img,serial=$serial" --cmdline "$L2_CMDLINE_BASE -- virtio-blk rw"
	check_task "$NAME"
	blk_check "$img" "$serial"
	blk_result "init=${L2_INIT_S}s run=${L2_RUN_S}s"
fi
rm -f "$img"
