# terraform-provider-wagtail: see README.md for the commands.
VERSION    ?= 0.1.0
BINARY     := terraform-provider-wagtail_v$(VERSION)
BUILD      ?= build
PKGS       := grpc libprotobuf-c libcjson msgpack libcurl openssl libpq libxml-2.0
CC         ?= cc
CFLAGS     ?= -O2 -g
WARN       := -std=c11 -D_GNU_SOURCE -Wall -Wextra -Werror -Wno-missing-field-initializers
INCLUDES   := -Icore -Iaws -Iprovider -Iresources -Iresources/support -I$(BUILD)/proto $(shell pkg-config --cflags $(PKGS))
# gRPC, abseil, protobuf-c and msgpack are linked statically into a non-PIE
# binary: loading ~60 shared C++ libraries and relocating them cost more than
# half of the start-up time (bench/startup.sh). OpenSSL stays shared: libcurl
# and libpq load libssl.so anyway, and a second, static copy in the binary
# interposed half of their calls while the shared copy kept its own state, so
# both ran their exit-time cleanup over the same objects (a double free ASan
# caught in about 1 of 200 processes).
STATIC_PKGS := grpc libprotobuf-c msgpack
SYSTEM_LIBS := -lpthread -ldl -lrt -lm -latomic
SHARED_LIBS := -lssl -lcrypto
STATIC_LIBS := $(filter-out $(SYSTEM_LIBS) $(SHARED_LIBS) -Wl%,$(shell pkg-config --static --libs $(STATIC_PKGS)))
LDLIBS     := -Wl,-Bstatic $(STATIC_LIBS) -lstdc++ -Wl,-Bdynamic \
	      $(shell pkg-config --libs libcjson openssl) $(SYSTEM_LIBS)
# libcurl, libxml2 and libpq are not linked but opened on first use
# (core/lazy_libs.c), by the sonames of the libraries found here.
soname      = $(shell objdump -p $$(pkg-config --variable=libdir $(1))/$(2) | awk '$$1 == "SONAME" { print $$2 }')
LAZY_SONAMES := -DLAZY_SONAME_CURL='"$(call soname,libcurl,libcurl.so)"' \
		-DLAZY_SONAME_XML2='"$(call soname,libxml-2.0,libxml2.so)"' \
		-DLAZY_SONAME_PQ='"$(call soname,libpq,libpq.so)"'
LINKED_PKGS := $(filter-out libcurl libpq libxml-2.0,$(PKGS))
LDFLAGS    := -no-pie -static-libgcc
ALL_CFLAGS := $(WARN) $(CFLAGS) $(INCLUDES) -DWAGTAIL_VERSION=\"$(VERSION)\"

PROTOS     := $(wildcard proto/*.proto)
PROTO_C    := $(patsubst proto/%.proto,$(BUILD)/proto/%.pb-c.c,$(PROTOS))
PROTO_H    := $(PROTO_C:.c=.h)
LIB_SRC    := $(filter-out provider/main.c,$(wildcard core/*.c aws/*.c provider/*.c resources/*.c resources/support/*.c tests/resources/*.c))
LIB_OBJ    := $(patsubst %.c,$(BUILD)/%.o,$(LIB_SRC)) $(PROTO_C:.c=.o)
TEST_SRC   := $(wildcard tests/unit/*.c)
TEST_OBJ   := $(patsubst %.c,$(BUILD)/%.o,$(TEST_SRC))

.PHONY: all deps test unit acceptance install clean sanitize sanitize-provider tsan-provider fuzz demo demo-down
.SECONDARY:
all: $(BUILD)/$(BINARY)

$(BUILD)/proto/%.pb-c.c $(BUILD)/proto/%.pb-c.h: proto/%.proto
	@mkdir -p $(BUILD)/proto
	protoc-c --proto_path=proto --c_out=$(BUILD)/proto $<

# Each object depends on the headers it includes (-MMD writes them to a .d
# file beside it); the generated protobuf headers come first.
# A change of this file (flags, lists) rebuilds everything.
$(BUILD)/%.o: %.c Makefile | $(PROTO_H)
	@mkdir -p $(dir $@)
	$(CC) $(ALL_CFLAGS) -MMD -MP -c -o $@ $<

-include $(patsubst %.c,$(BUILD)/%.d,$(LIB_SRC) provider/main.c $(TEST_SRC) $(wildcard tests/fuzz/*.c))

$(BUILD)/core/lazy_libs.o: ALL_CFLAGS += $(LAZY_SONAMES)

$(BUILD)/proto/%.pb-c.o: $(BUILD)/proto/%.pb-c.c
	$(CC) -std=c11 $(CFLAGS) $(INCLUDES) -w -c -o $@ $<

$(BUILD)/libwagtail.a: $(LIB_OBJ)
	@# Made afresh: ar never drops a member whose source file is gone.
	rm -f $@
	ar rcs $@ $^

$(BUILD)/$(BINARY): $(BUILD)/provider/main.o $(BUILD)/libwagtail.a
	$(CC) $(CFLAGS) $(LDFLAGS) -o $@ $^ $(LDLIBS)

$(BUILD)/unit-tests: $(TEST_OBJ) $(BUILD)/libwagtail.a
	$(CC) $(CFLAGS) $(LDFLAGS) -o $@ $^ $(LDLIBS)

deps:
	./build.sh deps

# tests/unit/run.sh starts the moto servers the STS tests call.
unit: $(BUILD)/unit-tests
	tests/unit/run.sh $(BUILD)/unit-tests

install: $(BUILD)/$(BINARY)
	./build.sh install $(BUILD)/$(BINARY) $(VERSION)

# One release in $(RELEASE_DIR) (docs/index.md, "Releases"): a zip per
# platform, the manifest, SHA256SUMS signed with GPG_FINGERPRINT or
# GPG_PRIVATE_KEY (unsigned, and saying so, without), mirror layouts. Its
# binaries: RELEASE_BINARIES (PLATFORM=BINARY ...) when given, else each one
# make static built (build-static/TARGET/) and, unless make static built
# this machine's, this machine's build here (built first when missing).
RELEASE_DIR ?= $(BUILD)/release
RELEASE_BINARIES ?=
HOST_STATIC := build-static/$(shell uname -m | sed 's/^arm64$$/aarch64/')-$(if $(filter Darwin,$(shell uname -s)),macos,linux-musl)/$(BINARY)
.PHONY: release
release: $(if $(RELEASE_BINARIES)$(wildcard $(HOST_STATIC)),,$(BUILD)/$(BINARY))
	RELEASE_DIR=$(RELEASE_DIR) DYNAMIC_BINARY=$(BUILD)/$(BINARY) ./build.sh release $(RELEASE_BINARIES) $(VERSION)

# Fully static release binaries, cross-built with zig from pinned sources
# (scripts/release/static.sh; the dependencies are cached in
# ~/.cache/terraform-provider-wagtail): build-static/TARGET/$(BINARY), which
# make release then packages; all four: STATIC_TARGETS="x86_64-linux-musl
# aarch64-linux-musl x86_64-macos aarch64-macos".
STATIC_TARGETS ?= x86_64-linux-musl
.PHONY: static
static:
	VERSION=$(VERSION) scripts/release/static.sh build $(STATIC_TARGETS)

test: all $(BUILD)/unit-tests
	./tests/run.sh

# The local quick start (scripts/demo.sh): install what is missing, build,
# start moto and PostgreSQL, apply examples/wagtail against them; demo-down
# stops them.
demo:
	BUILD=$(BUILD) scripts/demo.sh up

demo-down:
	BUILD=$(BUILD) scripts/demo.sh down

# Unit tests again under AddressSanitizer and UndefinedBehaviorSanitizer, in a
# build dir of their own; sanitize-provider builds the provider that way too,
# for the acceptance suite (tests/run.sh under CI).
ASAN_FLAGS := -O1 -g -fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=all -DWAGTAIL_CHECKED
sanitize:
	$(MAKE) BUILD=build-asan CFLAGS="$(ASAN_FLAGS)" build-asan/unit-tests
	ASAN_OPTIONS=detect_leaks=1 tests/unit/run.sh build-asan/unit-tests

# libFuzzer targets (tests/fuzz), built with clang under ASan and UBSan in a
# build dir of their own, each run for FUZZ_SECONDS from its committed corpus.
FUZZ_SECONDS ?= 10
FUZZ_TARGETS := $(patsubst tests/fuzz/%.c,%,$(wildcard tests/fuzz/fuzz_*.c))
FUZZ_FLAGS   := -O1 -g -fno-omit-frame-pointer -fsanitize=address,undefined -fno-sanitize-recover=all -DWAGTAIL_CHECKED
fuzz:
	$(MAKE) BUILD=build-fuzz CC=clang CFLAGS="$(FUZZ_FLAGS) -fsanitize=fuzzer-no-link" \
		$(addprefix build-fuzz/,$(FUZZ_TARGETS))
	tests/fuzz/run.sh build-fuzz $(FUZZ_SECONDS) $(FUZZ_TARGETS)

$(BUILD)/fuzz_%: $(BUILD)/tests/fuzz/fuzz_%.o $(BUILD)/libwagtail.a
	$(CC) $(CFLAGS) -fsanitize=fuzzer $(LDFLAGS) -o $@ $^ $(LDLIBS)

# Builds, not tests: the stages that use these binaries count the passes.
sanitize-provider:
	$(MAKE) BUILD=build-asan CFLAGS="$(ASAN_FLAGS)" build-asan/$(BINARY)

# The provider under ThreadSanitizer, for the load test (tests/run.sh under CI).
# gRPC is linked as shared libraries here so that TSan can tell its
# uninstrumented code apart (ignore_noninstrumented_modules) instead of
# reporting races inside it, or through its atomics, that it cannot see.
tsan-provider:
	$(MAKE) BUILD=build-tsan CFLAGS="-O1 -g -fsanitize=thread" LDFLAGS= \
		LDLIBS="$(shell pkg-config --libs $(LINKED_PKGS)) $(SYSTEM_LIBS)" build-tsan/$(BINARY)

# The benchmark against the HashiCorp AWS provider (bench/compare.sh): builds
# the pinned AWS provider once (cached), then writes docs/benchmarks.md.
.PHONY: bench
bench:
	bench/compare.sh

# A new resource from the templates in scaffold/, registered and wired into
# the tests (docs/contributing.md): make new-resource NAME=x SERVICE=logs
.PHONY: new-resource
new-resource:
	scaffold/new-resource.sh "$(NAME)" "$(SERVICE)"

clean:
	rm -rf build build-asan build-fuzz build-tsan
