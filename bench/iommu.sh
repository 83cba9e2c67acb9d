#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# IOMMU core microbenchmark on the host: the cost of one translation that
# hits the VMM's IOTLB, and of one that misses with 10^5 live mappings.
# Builds bench/iotlb_bench.c against build/libvmm.a into build/bench/.
. "$(dirname "$0")/lib.sh"
CC=${CC:-gcc}
if [ ! -r "$BUILD/libvmm.a" ]; then echo "# bench/iommu: no build/libvmm.a (run make)"; exit 1; fi
mkdir -p "$BUILD/bench"
"$CC" -std=gnu11 -O2 -Wall -Wextra -Werror -Wmissing-prototypes -Wstrict-prototypes -Wshadow \
	-Wvla -D_GNU_SOURCE -I"$TOP" -pthread -o "$BUILD/bench/iotlb_bench" \
	"$TOP/bench/iotlb_bench.c" "$BUILD/libvmm.a" -lseccomp -lcap-ng ||
	{ echo "# bench/iommu: build failed"; exit 1; }
"$BUILD/bench/iotlb_bench"
