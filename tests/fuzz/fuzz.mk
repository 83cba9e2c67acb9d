# SPDX-License-Identifier: MIT
# ---- fuzzers (clang's libFuzzer) --------------------------------------------
# Each tests/fuzz/fuzz_NAME.c is one libFuzzer target, linked against the
# library built again with clang, AddressSanitizer, UndefinedBehaviorSanitizer
# and libFuzzer's coverage, in $(FUZZ) with its own objects and libvmm.a.
#   make fuzz-build         the targets
#   make fuzz               runs each for FUZZ_TIME seconds (tests/fuzz/run.sh)
#   tests/fuzz/replay.sh    (in make test) runs every committed corpus input and
#                           every past crasher once, as regression tests
FUZZ          := $(BUILD)/fuzz
FUZZ_CC       := clang
FUZZ_SAN      := -fsanitize=address,undefined -fno-sanitize-recover=all -fno-omit-frame-pointer
FUZZ_CFLAGS   := $(filter-out -O2,$(CFLAGS)) -O1 $(FUZZ_SAN) -fsanitize=fuzzer-no-link
FUZZ_LIB_OBJS := $(VMM_LIB_SRCS:%.c=$(FUZZ)/obj/%.o)
FUZZ_SRCS     := $(sort $(wildcard tests/fuzz/fuzz_*.c))
FUZZ_BINS     := $(FUZZ_SRCS:tests/fuzz/%.c=$(FUZZ)/%)

.PHONY: fuzz fuzz-build
fuzz-build: $(FUZZ_BINS)

fuzz: deps
	@$(MAKE) --no-print-directory fuzz-build
	@BUILD=$(abspath $(BUILD)) tests/fuzz/run.sh

$(FUZZ)/obj/%.o: %.c
	@mkdir -p $(dir $@)
	$(FUZZ_CC) $(FUZZ_CFLAGS) -c -o $@ $<

$(FUZZ)/libvmm.a: $(FUZZ_LIB_OBJS)
	@mkdir -p $(dir $@)
	rm -f $@ && ar rcs $@ $^

$(FUZZ)/%: tests/fuzz/%.c $(wildcard tests/fuzz/*.h) $(FUZZ)/libvmm.a
	@mkdir -p $(dir $@)
	$(FUZZ_CC) $(FUZZ_CFLAGS) -fsanitize=fuzzer -o $@ $< $(FUZZ)/libvmm.a $(LDLIBS)
# ---- end of fuzzers -----------------------------------------------------------
