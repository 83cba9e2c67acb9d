# SPDX-License-Identifier: MIT
# Helpers of the scenarios that boot L2 on the host's ext4 image
# (virtio-blk.prep.sh) with the task "virtio-blk rw" (virtio-blk.sh, and
# through viommu-run, viommu-blk-*.sh); sourced by them, not a scenario.
if [ "$NAME" = blk-lib ]; then
	result "$NAME" fail "blk-lib holds helpers of the virtio-blk scenarios; run those"
fi

# blk_unpack IMG: the ext4 image unpacked into IMG; on failure the scenario
# fails and the status is 1.
blk_unpack() {
	if [ ! -r /data/virtio-blk.img.gz ]; then
		result "$NAME" fail "no ext4 image in L1 (virtio-blk.prep.sh makes it; the host lacks e2fsprogs? see build/nested/build.log)"
		return 1
	fi
	gunzip -c /data/virtio-blk.img.gz >"$1" && return 0
	result "$NAME" fail "cannot unpack the image into $1"
	return 1
}

# blk_check IMG SERIAL: what L2 reported of the read-write disk with this
# serial, then the image from L1's side (user space, outside any kernel or
# VMM path: e2fsck, debugfs): every sum L2 printed must match the files,
# seq.txt and the small files must be what L1 computes itself, and the disk's
# MD5 as L2 read it must be the image file's. Problems go to $bad; e2fsck's
# output stays in $blk_fsck.
blk_check() {
	local img="$1" out=/tmp/$NAME.files small
	expect disk "$(l2_value BLK-DISK)" vda
	expect sectors "$(l2_value BLK-SIZE)" $(($(stat -c %s "$img") / 512))
	expect ro "$(l2_value BLK-RO)" 0
	expect serial "$(l2_value BLK-SERIAL)" "$2"
	expect mount "$(l2_value BLK-MOUNT)" rw
	expect host-file "$(l2_value BLK-SEED)" "$(cat /data/virtio-blk.seed.sha256)"
	expect reread-seq "$(l2_value BLK-RESUM-SEQ)" "$(l2_value BLK-SUM-SEQ)"
	expect reread-rand "$(l2_value BLK-RESUM-RAND)" "$(l2_value BLK-SUM-RAND)"
	expect umount "$(l2_value BLK-UMOUNT)" ok
	expect io-errors "$(l2_value BLK-IO-ERRORS)" 0
	expect disk-md5 "$(l2_value BLK-DISK-MD5)" "$(md5sum <"$img" | cut -d' ' -f1)"
	blk_fsck=$(e2fsck -fn "$img" 2>&1)
	expect e2fsck-status $? 0
	rm -rf "$out" && mkdir -p "$out"
	debugfs -R "rdump /l2 $out" "$img" >/dev/null 2>&1
	expect seq.txt "$(sha256sum <"$out/l2/seq.txt" | cut -d' ' -f1)" "$(l2_value BLK-SUM-SEQ)"
	expect seq.txt-content "$(l2_value BLK-SUM-SEQ)" "$(seq 1 300000 | sha256sum | cut -d' ' -f1)"
	expect rand.bin "$(sha256sum <"$out/l2/rand.bin" | cut -d' ' -f1)" "$(l2_value BLK-SUM-RAND)"
	expect rand.bin-size "$(stat -c %s "$out/l2/rand.bin")" 3145728
	small=$(i=0; while [ $i -lt 32 ]; do cat "$out/l2/small/$i"; i=$((i + 1)); done | sha256sum | cut -d' ' -f1)
	expect small-files "$small" "$(l2_value BLK-SUM-SMALL)"
	expect small-files-content "$small" "$(i=0; while [ $i -lt 32 ]; do echo "small file $i from L2"; i=$((i + 1)); done | sha256sum | cut -d' ' -f1)"
	rm -rf "$out"
}

# blk_result DETAIL: the scenario's result from $bad; a failure shows the
# end of e2fsck's output and of the L2 log.
blk_result() {
	if [ -z "$bad" ]; then
		result "$NAME" pass "$1"
	else
		result "$NAME" fail "$bad"
		echo "$blk_fsck" | tail -15 | sed 's/^/e2fsck| /'
		dump_log 60
	fi
}
