# unmark: one non-recursive Makefile. A new source file needs no edit here.
#   make            build/unmark
#   make check      unit and end-to-end tests (cmocka)
#   make check SAN=1  the same under AddressSanitizer + UndefinedBehaviorSanitizer
#   make fixtures-check  checks over ../shared/fixtures (skips, saying so, without it)
#   make check-scale     a million empty files: all listed, bounded memory (minutes)
#   make install    PREFIX=/usr/local DESTDIR=

PREFIX ?= /usr/local
UNMARK_SHARED ?= $(CURDIR)/../shared
DESTDIR ?=
CC ?= cc
# FFmpeg is not linked into the program: common/avlib.c loads it when a file first
# needs it (linked, its ~130 libraries cost every run ~30 ms before main()). The tests
# link it, for the checks they make with FFmpeg directly.
AV_PKGS := libavformat libavcodec libavutil
# libxml2 is not linked either (common/xmllib.c loads it for the first XML part).
BASE_PKGS := libmagic nettle jansson zlib
PKG_CFLAGS := $(shell pkg-config --cflags $(AV_PKGS) $(BASE_PKGS) libxml-2.0)
PKG_LIBS := $(shell pkg-config --libs $(BASE_PKGS)) -lmagic -lm -lpthread -ldl
AV_LIBS := $(shell pkg-config --libs $(AV_PKGS))

ifeq ($(SAN),1)
BUILD ?= build-san
SANFLAGS := -fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=undefined
OPT := -O1 -g
else
BUILD ?= build
SANFLAGS :=
OPT := -O2 -g
endif

CFLAGS ?= $(OPT)
WARN := -Wall -Wextra -Wshadow -Wstrict-prototypes -Wno-unused-parameter
ALL_CFLAGS := -std=gnu11 $(WARN) $(CFLAGS) $(SANFLAGS) $(PKG_CFLAGS) -MMD -MP
ALL_LDFLAGS := $(LDFLAGS) $(SANFLAGS)

LIB_SRC := $(wildcard common/*.c scanner/*.c scrubber/*.c formats/*.c)
LIB_OBJ := $(LIB_SRC:%.c=$(BUILD)/obj/%.o)
CLI_OBJ := $(BUILD)/obj/cli/main.o
TEST_SRC := $(wildcard tests/test_*.c)
TEST_BIN := $(TEST_SRC:tests/%.c=$(BUILD)/tests/%)
TEST_SUPPORT := $(BUILD)/obj/tests/support.o

.PHONY: check-tsan volume-e2e hostile check-crash check-scale check-valgrind all check unit e2e fixtures-check install clean sample bench fuzz schema-check golden
all: $(BUILD)/unmark

$(BUILD)/obj/%.o: %.c
	@mkdir -p $(dir $@)
	$(CC) $(ALL_CFLAGS) -c $< -o $@

$(BUILD)/libunmark.a: $(LIB_OBJ)
	@rm -f $@
	ar rcs $@ $^

$(BUILD)/unmark: $(CLI_OBJ) $(BUILD)/libunmark.a
	$(CC) $(ALL_LDFLAGS) -o $@ $^ $(PKG_LIBS)

$(BUILD)/tests/%: $(BUILD)/obj/tests/%.o $(TEST_SUPPORT) $(BUILD)/libunmark.a
	@mkdir -p $(dir $@)
	$(CC) $(ALL_LDFLAGS) -o $@ $^ $(PKG_LIBS) $(AV_LIBS) $(shell pkg-config --libs cmocka) \
	  $(if $(WRAP_$*),$(WRAP_$*))

# Fault injection: the scrubber's system calls are wrapped at link time.
WRAP_test_faults := -Wl,--wrap=pwrite64,--wrap=pwrite,--wrap=fsync,--wrap=fdatasync,--wrap=renameat,--wrap=ftruncate,--wrap=ftruncate64,--wrap=mmap,--wrap=mmap64,--wrap=copy_file_range,--wrap=linkat,--wrap=openat,--wrap=openat64,--wrap=pread,--wrap=pread64

unit: $(TEST_BIN)
	@fail=0; for t in $(TEST_BIN); do \
	  UNMARK_TESTDATA=$(CURDIR)/testdata UNMARK_SHARED=$(UNMARK_SHARED) $$t || fail=1; done; exit $$fail

e2e: $(BUILD)/unmark
	UNMARK=$(CURDIR)/$(BUILD)/unmark bash tests/e2e.sh

check: unit e2e schema-check golden hostile volume-e2e

volume-e2e: $(BUILD)/unmark
	UNMARK=$(CURDIR)/$(BUILD)/unmark bash tests/volume_e2e.sh

hostile: $(BUILD)/unmark
	UNMARK=$(CURDIR)/$(BUILD)/unmark python3 tests/hostile.py

check-crash: $(BUILD)/unmark
	UNMARK=$(CURDIR)/$(BUILD)/unmark python3 tests/intermediate.py
	UNMARK=$(CURDIR)/$(BUILD)/unmark bash tests/crash.sh

# A million empty files: every one listed, exit 0, peak RSS bounded (a few minutes).
check-scale: $(BUILD)/unmark
	UNMARK=$(CURDIR)/$(BUILD)/unmark bash tests/scale.sh

# Data races: a ThreadSanitizer build scans and scrubs every fixture with -j 4.
check-tsan:
	$(MAKE) BUILD=build-tsan CFLAGS="-O1 -g -fsanitize=thread" LDFLAGS="-fsanitize=thread" build-tsan/unmark
	UNMARK=$(CURDIR)/build-tsan/unmark bash tests/tsan.sh

check-valgrind: $(BUILD)/unmark
	UNMARK=$(CURDIR)/tests/valgrind_unmark.sh UNMARK_REAL=$(CURDIR)/$(BUILD)/unmark bash tests/e2e.sh

golden: $(BUILD)/unmark
	UNMARK=$(CURDIR)/$(BUILD)/unmark python3 tests/golden.py

schema-check: $(BUILD)/unmark
	UNMARK=$(CURDIR)/$(BUILD)/unmark python3 tests/check_schema.py

fixtures-check: $(BUILD)/unmark
	UNMARK=$(CURDIR)/$(BUILD)/unmark UNMARK_SHARED=$(UNMARK_SHARED) bash tests/fixtures.sh

sample: $(BUILD)/unmark
	bash scripts/bootstrap.sh

# Timings against exiftool, mat2, ffmpeg and the cat/cp/truncate bounds (bench/README.md).
bench: $(BUILD)/unmark
	UNMARK=$(CURDIR)/$(BUILD)/unmark bash bench/run.sh

install: $(BUILD)/unmark
	install -d $(DESTDIR)$(PREFIX)/bin $(DESTDIR)$(PREFIX)/share/unmark
	install -m 0755 $(BUILD)/unmark $(DESTDIR)$(PREFIX)/bin/unmark
	install -m 0644 schema/report.schema.json $(DESTDIR)$(PREFIX)/share/unmark/

# Fuzzing (clang, libFuzzer): one target per registered handler plus the whole scan.
FUZZ_CC ?= clang
FUZZ_FLAGS := -g -O1 -fsanitize=address,undefined -fno-sanitize-recover=undefined
FUZZ_LIB_OBJ := $(LIB_SRC:%.c=build-fuzz/obj/%.o)
FUZZ_FORMATS = $(shell sed -n 's/^extern const struct um_format um_format_\([a-z0-9_]*\);.*/\1/p' formats/list.c)
build-fuzz/obj/%.o: %.c
	@mkdir -p $(dir $@)
	$(FUZZ_CC) -std=gnu11 $(FUZZ_FLAGS) -fsanitize=fuzzer-no-link $(PKG_CFLAGS) -MMD -MP -c $< -o $@
build-fuzz/libunmark.a: $(FUZZ_LIB_OBJ)
	@rm -f $@
	ar rcs $@ $^
build-fuzz/fuzz_scan: fuzz/fuzz_target.c build-fuzz/libunmark.a
	$(FUZZ_CC) -std=gnu11 $(FUZZ_FLAGS) -fsanitize=fuzzer $(PKG_CFLAGS) -o $@ $^ $(PKG_LIBS)
build-fuzz/fuzz_%: fuzz/fuzz_target.c build-fuzz/libunmark.a
	$(FUZZ_CC) -std=gnu11 $(FUZZ_FLAGS) -fsanitize=fuzzer -DUM_FUZZ_FORMAT='"$*"' $(PKG_CFLAGS) -o $@ $^ $(PKG_LIBS)
fuzz: build-fuzz/fuzz_scan $(addprefix build-fuzz/fuzz_,$(FUZZ_FORMATS))
	bash fuzz/run.sh

clean:
	rm -rf build build-san build-fuzz build-tsan

-include $(LIB_OBJ:.o=.d) $(CLI_OBJ:.o=.d) $(TEST_SRC:tests/%.c=$(BUILD)/obj/tests/%.d) $(FUZZ_LIB_OBJ:.o=.d)
