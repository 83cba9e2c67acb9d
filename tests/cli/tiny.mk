# SPDX-License-Identifier: MIT
# Tiny assembly guests for the CLI tests (tests/cli/run.sh).
TINY_ELFS := $(BUILD)/tests/tiny-exit.elf $(BUILD)/tests/tiny-spin.elf \
             $(BUILD)/tests/tiny-triple.elf
$(BUILD)/tests/tiny-exit.elf: TINY_MODE := 0
$(BUILD)/tests/tiny-spin.elf: TINY_MODE := 1
$(BUILD)/tests/tiny-triple.elf: TINY_MODE := 2
$(BUILD)/tests/tiny-%.elf: tests/cli/tiny.S tests/cli/tiny.ld
	@mkdir -p $(dir $@)
	$(CC) -m32 -nostdlib -static -no-pie -DTINY_MODE=$(TINY_MODE) \
	  -Wl,-n -Wl,-T,tests/cli/tiny.ld -Wl,--build-id=none -o $@ $<
