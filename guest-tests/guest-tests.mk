# SPDX-License-Identifier: MIT
# The bare-metal guest tests: a freestanding runtime (guest-tests/lib) and one
# ELF per test under $(BUILD)/guest-tests/. Included by the top Makefile.
#   NAME.elf     ELF32, PVH entry      (what the runner boots by default)
#   NAME.elf64   ELF64, PVH entry      (the same image before objcopy)
#   boot-mb.elf  ELF32, Multiboot v1   (the boot test through the other loader)

GT_DIR     := guest-tests
GT_OUT     := $(BUILD)/guest-tests
GT_CC      := $(CC)
GT_LD      ?= ld
GT_OBJCOPY ?= objcopy
GT_AR      ?= ar
GT_CFLAGS  := -std=gnu11 -O2 -g -Wall -Wextra -Werror -Wmissing-prototypes \
              -Wstrict-prototypes -Wshadow -Wvla -ffreestanding -nostdlib \
              -fno-pic -fno-pie -mno-red-zone -mgeneral-regs-only \
              -fno-stack-protector -fno-asynchronous-unwind-tables \
              -fcf-protection=none -fno-strict-aliasing -mcmodel=small \
              --param=min-pagesize=0 \
              -I$(GT_DIR)/lib -MMD -MP
GT_LDFLAGS := -m elf_x86_64 -nostdlib -static -z max-page-size=0x1000 \
              --no-warn-rwx-segments -z noexecstack -T $(GT_DIR)/lib/guest.ld

GT_TESTS   := boot acpi cpuid uart smp timer exit demo pci pci_msix virtio_rng virtio_blk hostile \
              bench_blk
# virtio-iommu driver tests and bench (guest-tests/viommu*.c)
GT_TESTS   += viommu viommu_dma viommu_bench
# a passed-through device behind the virtio-iommu (nested scenarios vfio-edu, qemu-vfio-edu)
GT_TESTS   += vfio_edu
# the emulated edu (build/vmm --edu, QEMU -device edu)
GT_TESTS   += edu
# the emulated VT-d (build/vmm --iommu intel, QEMU -device intel-iommu)
GT_TESTS   += vtd_dma vtd_fault vtd_stale vtd_ir vtd_bench
GT_ENTRIES := entry_pvh entry_mb
GT_LIB_SRC := $(filter-out $(GT_ENTRIES:%=$(GT_DIR)/lib/%.S), \
                $(sort $(wildcard $(GT_DIR)/lib/*.c $(GT_DIR)/lib/*.S)))
GT_LIB_OBJ := $(patsubst $(GT_DIR)/%,$(GT_OUT)/obj/%.o,$(basename $(GT_LIB_SRC)))
GT_LIB     := $(GT_OUT)/libgt.a
GT_ELFS    := $(GT_TESTS:%=$(GT_OUT)/%.elf) $(GT_TESTS:%=$(GT_OUT)/%.elf64) \
              $(GT_OUT)/boot-mb.elf

.PHONY: guest-tests
guest-tests: $(GT_ELFS)

$(GT_OUT)/obj/%.o: $(GT_DIR)/%.c
	@mkdir -p $(dir $@)
	$(GT_CC) $(GT_CFLAGS) -c -o $@ $<

$(GT_OUT)/obj/%.o: $(GT_DIR)/%.S
	@mkdir -p $(dir $@)
	$(GT_CC) $(GT_CFLAGS) -c -o $@ $<

$(GT_LIB): $(GT_LIB_OBJ)
	rm -f $@ && $(GT_AR) rcs $@ $^

# The entry object comes first so that its section order is stable.
$(GT_OUT)/%.elf64: $(GT_OUT)/obj/lib/entry_pvh.o $(GT_OUT)/obj/%.o $(GT_LIB) $(GT_DIR)/lib/guest.ld
	$(GT_LD) $(GT_LDFLAGS) -o $@ $(filter %.o,$^) $(GT_LIB)

$(GT_OUT)/boot-mb.elf64: $(GT_OUT)/obj/lib/entry_mb.o $(GT_OUT)/obj/boot.o $(GT_LIB) $(GT_DIR)/lib/guest.ld
	$(GT_LD) $(GT_LDFLAGS) -o $@ $(filter %.o,$^) $(GT_LIB)

# ELF32 container for the 64-bit code: what Multiboot loaders accept.
$(GT_OUT)/%.elf: $(GT_OUT)/%.elf64
	$(GT_OBJCOPY) -O elf32-i386 $< $@

.SECONDARY: $(GT_TESTS:%=$(GT_OUT)/obj/%.o) $(GT_ENTRIES:%=$(GT_OUT)/obj/lib/%.o) \
            $(GT_OUT)/boot-mb.elf64
