# SPDX-License-Identifier: MIT
# virtio-rng: with --rng, L2's hw_random core uses virtio_rng, and two reads of
# 256 bytes from /dev/hwrng are full, differ, and look random (at most 16 zero
# bytes and at least 100 distinct values in 256: ~1 and ~162 expected).
L2_TIMEOUT=120
bad=""
l2_boot "$NAME" --kernel "$L2_BZIMAGE" --initramfs "$L2_INITRAMFS" --cpus 1 --memory 256M \
	--rng --cmdline "$L2_CMDLINE_BASE -- virtio-rng"
check_task "$NAME"
case $(l2_value RNG-CURRENT) in
virtio_rng*) ;;
*) bad="$bad rng_current=$(l2_value RNG-CURRENT)(want-virtio_rng.N)" ;;
esac
expect bytes "$(l2_value RNG-BYTES)" 256
expect bytes-2nd-read "$(l2_value RNG-BYTES2)" 256
v=$(l2_value RNG-NONZERO)
[ -n "$v" ] && [ "$v" -ge 240 ] || bad="$bad nonzero-bytes=${v:-none}(want>=240)"
v=$(l2_value RNG-DISTINCT)
[ -n "$v" ] && [ "$v" -ge 100 ] || bad="$bad distinct-values=${v:-none}(want>=100)"
expect second-read "$(l2_value RNG-SECOND-READ)" different
if [ -z "$bad" ]; then
	result "$NAME" pass "init=${L2_INIT_S}s $(l2_value RNG-CURRENT) first-bytes=$(l2_value RNG-FIRST16)"
else
	result "$NAME" fail "$bad"
	dump_log 40
fi
