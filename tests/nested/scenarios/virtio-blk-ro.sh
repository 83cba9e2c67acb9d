# SPDX-License-Identifier: MIT
# virtio-blk-ro: the host's ext4 image (virtio-blk.prep.sh) as a read-only
# disk. L2 sees it read-only; a raw write, a file write and a remount rw all
# fail; the host's file reads back right; the disk's MD5 as L2 read it is the
# image's; and the image file is unchanged afterwards.
L2_TIMEOUT=150
img=/tmp/$NAME.img
bad=""
if [ ! -r /data/virtio-blk.img.gz ]; then
	result "$NAME" fail "no ext4 image in L1 (the host lacks e2fsprogs? see build/nested/build.log)"
elif ! gunzip -c /data/virtio-blk.img.gz >"$img"; then
	result "$NAME" fail "cannot unpack the image into $img"
else
	before=$(md5sum <"$img" | cut -d' ' -f1)
	l2_boot "$NAME" --kernel "$L2_BZIMAGE" --initramfs "$L2_INITRAMFS" --cpus 1 --memory 512M \
		--disk "path=$img,readonly=on" --cmdline "$L2_CMDLINE_BASE -- virtio-blk ro"
	check_task "$NAME"
	expect disk "$(l2_value BLK-DISK)" vda
	expect ro "$(l2_value BLK-RO)" 1
	expect disk-md5 "$(l2_value BLK-DISK-MD5)" "$before"
	expect raw-write "$(l2_value BLK-RAW-WRITE)" failed
	case $(l2_value BLK-MOUNT-DEFAULT) in
	ro | failed) ;;
	*) bad="$bad mount-without-ro=$(l2_value BLK-MOUNT-DEFAULT)(want-ro-or-failed)" ;;
	esac
	expect mount "$(l2_value BLK-MOUNT)" ro
	expect host-file "$(l2_value BLK-SEED)" "$(cat /data/virtio-blk.seed.sha256)"
	expect file-write "$(l2_value BLK-FILE-WRITE)" failed
	expect remount-rw "$(l2_value BLK-REMOUNT-RW)" failed
	expect disk-md5-after "$(l2_value BLK-DISK-MD5-AFTER)" "$before"
	expect io-errors "$(l2_value BLK-IO-ERRORS)" 0
	expect image-unchanged "$(md5sum <"$img" | cut -d' ' -f1)" "$before"
	if [ -z "$bad" ]; then
		result "$NAME" pass "init=${L2_INIT_S}s run=${L2_RUN_S}s"
	else
		result "$NAME" fail "$bad"
		dump_log 60
	fi
fi
rm -f "$img"
