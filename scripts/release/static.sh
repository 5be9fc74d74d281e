#!/usr/bin/env bash
# Fully static release binaries of the provider, cross-built with zig.
#
#   scripts/release/static.sh toolchain        install the pinned zig (PyPI ziglang)
#   scripts/release/static.sh sources          download every pinned source, checksums verified
#   scripts/release/static.sh deps TARGET...   build the dependencies for each target (cached)
#   scripts/release/static.sh build TARGET...  all of the above, then the provider and its packages
#   scripts/release/static.sh unit TARGET...   the unit tests, built the same way, run (tests/unit/run.sh)
#   scripts/release/static.sh dep TARGET NAME... only these dependencies (zlib, openssl, curl, libxml2,
#                                              postgresql-15, protobuf-c, msgpack-c, cjson, grpcio)
#
# TARGET is a zig target triple: x86_64-linux-musl (linux_amd64),
# aarch64-linux-musl (linux_arm64), x86_64-macos (darwin_amd64) or
# aarch64-macos (darwin_arm64); `build` with none builds x86_64-linux-musl.
#
# The macOS binaries are built here, not run here. They are for macOS 11 and
# later (MACOS_MIN below), load only /usr/lib/libSystem.B.dylib (zig links
# libc++ in; macOS has no static executables), and `build` checks that by
# reading their Mach-O load commands (check_static.py: CPU, minimum macOS,
# every LC_LOAD_DYLIB, code signature); `unit` builds their tests without
# running them. What macOS loses without the SDK's frameworks is listed at
# the darwin recipes.
#
# Every input is pinned in scripts/release/pins.txt. Each dependency is built
# from source with `zig cc`/`zig c++` into its own prefix under
# $WAGTAIL_CACHE/release/TARGET/ (default ~/.cache/terraform-provider-wagtail),
# named by a key: the hash of its pinned source, its recipe (the build_NAME
# function below), the compiler and flags, and the keys of what it is built
# against. A second run finds every prefix and rebuilds only the provider.
# The provider comes out as build-static/TARGET/terraform-provider-wagtail_vVERSION,
# its registry packages and mirrors (build.sh release) in build-static/TARGET/release.
#
# Environment: JOBS (default 2), NICE (default 19), VERSION (default 0.1.0),
# WAGTAIL_CACHE.
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
cache=${WAGTAIL_CACHE:-$HOME/.cache/terraform-provider-wagtail}
sources=$cache/sources
jobs=${JOBS:-2}
nice_level=${NICE:-19}
version=${VERSION:-0.1.0}
pins=$here/pins.txt
# Flags every library and the provider are compiled with.
OPT_FLAGS="-O2 -g0 -ffunction-sections -fdata-sections"

# Everything below runs at low priority: the machines are shared.
if [ -z "${WAGTAIL_STATIC_NICED:-}" ]; then
	export WAGTAIL_STATIC_NICED=1
	exec nice -n "$nice_level" "$0" "$@"
fi

log() { printf 'static: %s\n' "$*" >&2; }
die() {
	log "$*"
	exit 1
}

# pin KIND NAME FIELD: a field of the pin line (version, sha256, file).
pin() {
	local line
	line=$(awk -v k="$1" -v n="$2" '$1 == k && $2 == n' "$pins")
	[ -n "$line" ] || die "no pin for $1 $2 in $pins"
	case $3 in
	version) awk '{print $3}' <<<"$line" ;;
	sha256) awk '{print $4}' <<<"$line" ;;
	file) awk '{print $5}' <<<"$line" ;;
	line) echo "$line" ;;
	esac
}

verify() { # FILE SHA256
	local got
	[ -f "$1" ] || die "$1 is missing"
	got=$(sha256sum "$1" | cut -d' ' -f1)
	[ "$got" = "$2" ] || die "checksum mismatch for $1: got $got, pinned $2"
}

# ---------------------------------------------------------------------------
# The toolchain: zig from PyPI, installed into the cache.
# ---------------------------------------------------------------------------
zig_version=$(pin pypi "ziglang@$(uname -m)" version 2>/dev/null || true)
zig_home=$cache/zig/$zig_version
ZIG=$zig_home/ziglang/zig
export ZIG_GLOBAL_CACHE_DIR=$cache/zig-cache

toolchain() {
	[ -n "$zig_version" ] || die "no zig pinned for a $(uname -m) build host in $pins"
	if [ -x "$ZIG" ] && [ "$("$ZIG" version)" = "$zig_version" ]; then
		return 0
	fi
	local wheel
	wheel=$(pin pypi "ziglang@$(uname -m)" file)
	mkdir -p "$sources"
	if [ ! -f "$sources/$wheel" ]; then
		log "downloading ziglang $zig_version"
		python3 -m pip download --quiet --no-deps --only-binary :all: -d "$sources" "ziglang==$zig_version"
	fi
	verify "$sources/$wheel" "$(pin pypi "ziglang@$(uname -m)" sha256)"
	rm -rf "$zig_home.tmp"
	python3 -m pip install --quiet --no-deps --no-compile --target "$zig_home.tmp" "$sources/$wheel"
	rm -rf "$zig_home"
	mv "$zig_home.tmp" "$zig_home"
	log "zig $("$ZIG" version) in $zig_home"
}

# ---------------------------------------------------------------------------
# Sources
# ---------------------------------------------------------------------------
DEB_SOURCES=(zlib openssl curl libxml2 postgresql-15 protobuf-c msgpack-c cjson)

# apt-get source needs a deb-src entry for bookworm beside the deb one.
ensure_deb_src() {
	if apt-cache showsrc cjson 2>/dev/null | grep -q '^Package:'; then return 0; fi
	local list=/etc/apt/sources.list.d/wagtail-bookworm-src.sources
	log "adding $list (deb-src for bookworm) and updating apt's lists"
	cat >"$list" <<'EOF'
Types: deb-src
URIs: http://deb.debian.org/debian
Suites: bookworm
Components: main
Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg
EOF
	apt-get update -qq
}

# dsc_files DSC: "sha256 file" for each file the .dsc names.
dsc_files() {
	awk '/^Checksums-Sha256:/ { on = 1; next } /^[^ ]/ { on = 0 } on && NF == 3 { print $1, $3 }' "$1"
}

fetch_deb() { # NAME
	local name=$1 dsc missing=
	dsc=$(pin deb "$name" file)
	if [ -f "$sources/deb/$dsc" ]; then
		missing=$(dsc_files "$sources/deb/$dsc" | while read -r _ file; do
			[ -f "$sources/deb/$file" ] || echo "$file"
		done)
	fi
	if [ ! -f "$sources/deb/$dsc" ] || [ -n "$missing" ]; then
		ensure_deb_src
		mkdir -p "$sources/deb"
		log "downloading the Debian source package $name $(pin deb "$name" version)"
		(cd "$sources/deb" && apt-get source --download-only -qq "$name=$(pin deb "$name" version)" 2>&1 |
			grep -v 'unsandboxed' >&2 || true)
	fi
	verify "$sources/deb/$dsc" "$(pin deb "$name" sha256)"
	# The .dsc names every other file with its sha256.
	dsc_files "$sources/deb/$dsc" | while read -r sum file; do
		verify "$sources/deb/$file" "$sum"
	done
}

fetch_grpc() {
	local file
	file=$(pin pypi grpcio file)
	if [ ! -f "$sources/$file" ]; then
		log "downloading the grpcio $(pin pypi grpcio version) source distribution"
		# Only grpcio as source: pip may take wheels for its build requirements.
		python3 -m pip download --quiet --no-deps --no-binary grpcio -d "$sources" \
			"grpcio==$(pin pypi grpcio version)"
	fi
	verify "$sources/$file" "$(pin pypi grpcio sha256)"
}

fetch_sources() {
	local name
	for name in "${DEB_SOURCES[@]}"; do fetch_deb "$name"; done
	fetch_grpc
}

# source_dir NAME: the unpacked source (Debian patches applied), once.
source_dir() {
	local name=$1 dir
	if [ "$name" = grpcio ]; then
		dir=$cache/src/grpcio-$(pin pypi grpcio sha256 | cut -c1-16)
		if [ ! -f "$dir/.unpacked" ]; then
			rm -rf "$dir" && mkdir -p "$dir"
			tar -C "$dir" --strip-components=1 -xzf "$sources/$(pin pypi grpcio file)"
			touch "$dir/.unpacked"
		fi
	else
		dir=$cache/src/$name-$(pin deb "$name" sha256 | cut -c1-16)
		if [ ! -f "$dir/.unpacked" ]; then
			rm -rf "$dir"
			mkdir -p "$cache/src"
			dpkg-source --no-check -x "$sources/deb/$(pin deb "$name" file)" "$dir" >/dev/null
			touch "$dir/.unpacked"
		fi
	fi
	echo "$dir"
}

# ---------------------------------------------------------------------------
# macOS. zig links against its own stubs of libSystem (no SDK needed) and
# links libc++ statically, so a darwin binary loads /usr/lib/libSystem.B.dylib
# alone. zig has none of the SDK's frameworks (CoreFoundation, Security,
# SystemConfiguration): where a dependency would use one on macOS, the darwin
# recipes below turn that code off. The binaries are built here, never run
# here: scripts/release/check_static.py reads their Mach-O load commands.
# ---------------------------------------------------------------------------
# The oldest macOS the darwin binaries start on: 11 (Big Sur) is the first
# with Apple silicon, and one minimum for both machines.
MACOS_MIN=11.0

is_darwin() { case $1 in *-macos) return 0 ;; *) return 1 ;; esac; }

# zig_target TARGET: the triple zig compiles for (macOS with its minimum).
zig_target() {
	if is_darwin "$1"; then echo "$1.$MACOS_MIN"; else echo "$1"; fi
}

# configure_host TARGET: what the recipes are given as their target, the name
# configure scripts know it by. config.sub knows zig's musl triples but not
# "macos"; darwin20 is macOS 11.
configure_host() {
	case $1 in
	*-macos) echo "${1%%-*}-apple-darwin20" ;;
	*) echo "$1" ;;
	esac
}

# ---------------------------------------------------------------------------
# Per-target compilers: small wrappers, so that configure scripts and make
# see one word per tool.
# ---------------------------------------------------------------------------
target_tools() { # TARGET
	local bin=$cache/release/$1/bin
	mkdir -p "$bin"
	printf '#!/bin/sh\nZIG_GLOBAL_CACHE_DIR=%s exec %s cc -target %s "$@"\n' "$ZIG_GLOBAL_CACHE_DIR" "$ZIG" "$(zig_target "$1")" >"$bin/cc"
	printf '#!/bin/sh\nZIG_GLOBAL_CACHE_DIR=%s exec %s c++ -target %s "$@"\n' "$ZIG_GLOBAL_CACHE_DIR" "$ZIG" "$(zig_target "$1")" >"$bin/c++"
	printf '#!/bin/sh\nexec %s ar "$@"\n' "$ZIG" >"$bin/ar"
	printf '#!/bin/sh\nexec %s ranlib "$@"\n' "$ZIG" >"$bin/ranlib"
	chmod +x "$bin"/*
	CC=$bin/cc CXX=$bin/c++ AR=$bin/ar RANLIB=$bin/ranlib
}

openssl_target() {
	case $1 in
	x86_64-linux-*) echo linux-x86_64 ;;
	aarch64-linux-*) echo linux-aarch64 ;;
	x86_64-apple-darwin*) echo darwin64-x86_64 ;;
	aarch64-apple-darwin*) echo darwin64-arm64 ;;
	*) die "no OpenSSL configuration for $1" ;;
	esac
}

# ---------------------------------------------------------------------------
# Recipes. build_NAME SRC PREFIX TARGET runs in a scratch copy of the source
# and installs headers and static libraries into PREFIX. The prefixes of what
# it is built against are in $P_<name>.
# ---------------------------------------------------------------------------
# Debian's patches touch some Makefile.am files (tests, docs), which would
# make `make` regenerate the build system with automake. What they change
# is not built here, so the shipped generated files are marked newer.
keep_generated_files() {
	touch aclocal.m4 configure
	find . -name Makefile.in -exec touch {} +
	[ ! -f config.h.in ] || touch config.h.in
}

build_zlib() {
	local f
	for f in adler32 compress crc32 deflate gzclose gzlib gzread gzwrite infback inffast inflate \
		inftrees trees uncompr zutil; do
		echo "$f.o: $f.c"
		printf '\t%s %s -w -DHAVE_UNISTD_H -DHAVE_STDARG_H -c -o $@ $<\n' "$CC" "$OPT_FLAGS"
	done >objects.mk
	echo "libz.a: $(echo adler32 compress crc32 deflate gzclose gzlib gzread gzwrite infback inffast \
		inflate inftrees trees uncompr zutil | sed 's/\([a-z0-9]*\)/\1.o/g')" >>objects.mk
	printf '\t%s rcs $@ $^\n' "$AR" >>objects.mk
	make -s -j"$jobs" -f objects.mk libz.a
	install -D -m 0644 libz.a "$2/lib/libz.a"
	install -D -m 0644 -t "$2/include" zlib.h zconf.h
}

build_openssl() {
	# The one TLS library: for gRPC, libcurl, libpq and the provider itself.
	# The configuration directory is /etc/ssl, so that the default CA store
	# is /etc/ssl/cert.pem and /etc/ssl/certs (SSL_CERT_FILE and
	# SSL_CERT_DIR override them).
	./Configure "$(openssl_target "$3")" no-shared no-module no-dso no-engine no-tests \
		no-ui-console no-afalgeng no-comp no-ssl3 no-weak-ssl-ciphers \
		--prefix="$2" --openssldir=/etc/ssl --libdir=lib \
		CC="$CC" AR="$AR" RANLIB="$RANLIB" CFLAGS="$OPT_FLAGS" >configure.log
	make -s -j"$jobs" build_libs >build.log
	make -s install_dev >install.log
}

build_curl() {
	# HTTP and HTTPS only, through OpenSSL, with the CA store OpenSSL
	# finds by default (the configured bundle paths differ between systems).
	keep_generated_files
	./configure --host="$3" --disable-shared --enable-static --with-pic=no \
		CC="$CC" AR="$AR" RANLIB="$RANLIB" CFLAGS="$OPT_FLAGS" \
		CPPFLAGS="-I$P_zlib/include" LDFLAGS="-L$P_zlib/lib" \
		--prefix="$2" --with-openssl="$P_openssl" --with-zlib="$P_zlib" \
		--without-ca-bundle --without-ca-path --with-ca-fallback \
		--disable-ftp --disable-file --disable-ldap --disable-ldaps --disable-rtsp --disable-dict \
		--disable-telnet --disable-tftp --disable-pop3 --disable-imap --disable-smb --disable-smtp \
		--disable-gopher --disable-mqtt --disable-manual --disable-ntlm --disable-ntlm-wb \
		--disable-alt-svc --disable-cookies --enable-threaded-resolver \
		--without-libpsl --without-brotli --without-zstd --without-nghttp2 --without-libidn2 \
		--without-librtmp --without-libssh2 --without-libgsasl >configure.log
	make -s -j"$jobs" -C lib >build.log
	make -s -C lib install >install.log
	make -s -C include install >>install.log
}

build_libxml2() {
	keep_generated_files
	./configure --host="$3" --disable-shared --enable-static \
		CC="$CC" AR="$AR" RANLIB="$RANLIB" CFLAGS="$OPT_FLAGS" --prefix="$2" \
		--without-python --without-lzma --without-zlib --without-icu --without-http --without-ftp \
		--without-modules --without-catalog --without-docbook --without-legacy --without-debug \
		>configure.log
	# The library alone: `make all` builds a dozen test programs too.
	make -s -j"$jobs" libxml2.la >build.log
	install -D -m 0644 .libs/libxml2.a "$2/lib/libxml2.a"
	make -s -C include install >install.log
}

build_postgresql_15() {
	# libpq and the two small libraries it is linked with; no server.
	./configure --host="$3" CC="$CC" AR="$AR" RANLIB="$RANLIB" CFLAGS="$OPT_FLAGS" \
		CPPFLAGS="-I$P_openssl/include" LDFLAGS="-L$P_openssl/lib" --prefix="$2" \
		--with-ssl=openssl --without-readline --without-zlib --without-icu --without-gssapi \
		--without-ldap --without-llvm --disable-nls >configure.log
	make -s -C src/backend generated-headers >build.log
	make -s -j"$jobs" -C src/common libpgcommon_shlib.a >>build.log
	make -s -j"$jobs" -C src/port libpgport_shlib.a >>build.log
	make -s -j"$jobs" -C src/interfaces/libpq libpq.a >>build.log
	install -D -m 0644 src/interfaces/libpq/libpq.a "$2/lib/libpq.a"
	install -D -m 0644 src/common/libpgcommon_shlib.a "$2/lib/libpgcommon.a"
	install -D -m 0644 src/port/libpgport_shlib.a "$2/lib/libpgport.a"
	install -D -m 0644 -t "$2/include" src/interfaces/libpq/libpq-fe.h \
		src/include/postgres_ext.h src/include/pg_config_ext.h
}

build_protobuf_c() {
	"$CC" $OPT_FLAGS -I. -c -o protobuf-c.o protobuf-c/protobuf-c.c
	"$AR" rcs libprotobuf-c.a protobuf-c.o
	install -D -m 0644 libprotobuf-c.a "$2/lib/libprotobuf-c.a"
	install -D -m 0644 protobuf-c/protobuf-c.h "$2/include/protobuf-c/protobuf-c.h"
}

build_msgpack_c() {
	# CMake would write these two headers; every target we build is little-endian.
	local h
	for h in sysdep pack_template; do
		sed 's/@MSGPACK_ENDIAN_BIG_BYTE@/0/; s/@MSGPACK_ENDIAN_LITTLE_BYTE@/1/' \
			"cmake/$h.h.in" >"include/msgpack/$h.h"
	done
	for f in objectc unpack version vrefbuffer zone; do
		"$CC" $OPT_FLAGS -Iinclude -c -o "$f.o" "src/$f.c"
	done
	"$AR" rcs libmsgpackc.a objectc.o unpack.o version.o vrefbuffer.o zone.o
	install -D -m 0644 libmsgpackc.a "$2/lib/libmsgpackc.a"
	mkdir -p "$2/include"
	cp -R include/msgpack.h include/msgpack "$2/include/"
}

build_cjson() {
	"$CC" $OPT_FLAGS -c -o cJSON.o cJSON.c
	"$AR" rcs libcjson.a cJSON.o
	install -D -m 0644 libcjson.a "$2/lib/libcjson.a"
	install -D -m 0644 cJSON.h "$2/include/cjson/cJSON.h"
}

# gRPC core: the files grpc_sources.py selects, with OpenSSL for TLS and our
# core configuration (grpc_plugin_registry.cc). Objects live in a directory
# keyed by the source and the flags only, so that a change of the selection
# compiles just the files it adds.
# abseil seeds its random generators with getentropy only on glibc, and
# otherwise from /dev/urandom, which an empty root lacks: musl has it too.
GRPC_DEFINES="-DGRPC_NO_XDS -DGRPC_NO_RLS -DHAVE_CONFIG_H -D__STDC_FORMAT_MACROS -DCARES_STATICLIB \
	-DABSL_RANDOM_USE_GET_ENTROPY=1"
build_grpcio() {
	local objdir
	objdir=$cache/release/$3/grpc-objects-$(printf '%s\n' "$(pin pypi grpcio sha256)" "$OPT_FLAGS" \
		"$GRPC_DEFINES" "$zig_version" "$P_openssl" "$P_zlib" | sha256sum | cut -c1-16)
	grpc_compile "$1" "$2" "$objdir" "$GRPC_DEFINES" config_linux
}

# grpc_compile SRC PREFIX OBJDIR DEFINES CARES_CONFIG [LEFT_OUT [RULES]]:
# compiles the files grpc_sources.py selects (but the LEFT_OUT lines: paths,
# or patterns of grep -x) and our own into OBJDIR/libgrpc.a with DEFINES and
# c-ares' configuration directory CARES_CONFIG, RULES (make rules for files
# compiled from elsewhere) before the general ones, and installs it with
# gRPC's headers into PREFIX.
grpc_compile() {
	local src=$1 prefix=$2 objdir=$3 defines=$4 cares_config=$5 left_out=${6:-} rules=${7:-} list
	mkdir -p "$objdir"
	cp "$here/grpc_plugin_registry.cc" "$src/src/core/plugin_registry/wagtail_plugin_registry.cc"
	cp "$here/grpc_log_sink.cc" "$src/src/core/plugin_registry/wagtail_log_sink.cc"
	list=$objdir/sources.txt
	{
		python3 "$here/grpc_sources.py" "$src" | grep -v -x -f <(echo "${left_out:-^$}")
		echo src/core/plugin_registry/wagtail_plugin_registry.cc
		# The sink that hands gRPC's log lines to the provider, and the abseil
		# file it starts logging with.
		echo src/core/plugin_registry/wagtail_log_sink.cc
		echo third_party/abseil-cpp/absl/log/initialize.cc
	} >"$list"
	local includes="-I$src -I$src/include -I$src/third_party/abseil-cpp \
		-I$src/third_party/address_sorting/include -I$src/third_party/cares/cares/include \
		-I$src/third_party/cares -I$src/third_party/cares/cares \
		-I$src/third_party/cares/cares/src/lib/include -I$src/third_party/cares/cares/src/lib \
		-I$src/third_party/cares/$cares_config -I$src/third_party/upb -I$src/third_party/re2 \
		-I$src/src/core/ext/upb-gen -I$src/src/core/ext/upbdefs-gen \
		-I$src/third_party/utf8_range -I$src/third_party/xxhash \
		-I$P_openssl/include -I$P_zlib/include"
	cat >"$objdir/Makefile" <<MAKEFILE
SRC := $src
OBJS := \$(patsubst %,obj/%.o,\$(shell cat sources.txt))
FLAGS := $OPT_FLAGS $defines -w $includes
libgrpc.a: \$(OBJS) sources.txt
	rm -f \$@
	$AR rcs \$@ \$(OBJS)
$rules
obj/%.cc.o: \$(SRC)/%.cc
	@mkdir -p \$(dir \$@)
	$CXX -std=c++17 -fno-exceptions \$(FLAGS) -c -o \$@ \$<
obj/%.c.o: \$(SRC)/%.c
	@mkdir -p \$(dir \$@)
	$CC -std=c11 -D_GNU_SOURCE \$(FLAGS) -c -o \$@ \$<
MAKEFILE
	log "gRPC core: $(wc -l <"$list") files, objects in $objdir"
	make -s -j"$jobs" -C "$objdir" libgrpc.a
	install -D -m 0644 "$objdir/libgrpc.a" "$prefix/lib/libgrpc.a"
	mkdir -p "$prefix/include"
	cp -R "$src/include/grpc" "$prefix/include/"
}

# ---------------------------------------------------------------------------
# macOS recipes. A darwin target takes build_NAME_darwin where there is one,
# and build_NAME otherwise (zlib, OpenSSL, libxml2, libpq, protobuf-c,
# msgpack-c, cJSON build unchanged from their sources). Each is given
# `configure_host TARGET` as its target. The darwin recipes patch their
# scratch copy of the source, never the unpacked one others build from.
# ---------------------------------------------------------------------------
# patch_file FILE SED-SCRIPT: the edit, which must change FILE (so that a new
# source where the pattern moved stops the build, instead of linking a
# framework or failing later for want of its headers).
patch_file() {
	cp "$1" "$1.orig"
	sed -i "$2" "$1"
	! cmp -s "$1" "$1.orig" || die "patching $1 with '$2' changed nothing"
}

build_zlib_darwin() {
	# zlib 1.2.13 takes any TARGET_OS_MAC for the classic Mac OS, which had
	# no fdopen, and defines it away unless it is a macro already: it is
	# made one that names itself. (The gzip header's OS byte says "Macintosh"
	# instead of "Unix"; nothing reads it.)
	CC="$CC -Dfdopen=fdopen" build_zlib "$@"
}

build_curl_darwin() {
	# curl's configure links every macOS build with CoreFoundation and
	# SystemConfiguration for one call, SCDynamicStoreCopyProxies before
	# each name lookup: on an IPv6-only network with NAT64 it makes macOS's
	# getaddrinfo turn an IPv4 literal into a synthesized IPv6 address.
	# Without it a URL holding an IPv4 literal fails on such a network; AWS
	# endpoints are names, which resolve as before. Proxies come from the
	# environment (HTTPS_PROXY, ...), as on Linux, never from the system
	# settings; OpenSSL reads its CA store, not the keychain.
	patch_file lib/curl_setup.h '/#  *define CURL_OSX_CALL_COPYPROXIES 1/d'
	patch_file configure 's/LDFLAGS="$LDFLAGS -framework CoreFoundation -framework SystemConfiguration"/:/'
	build_curl "$@"
}

# gRPC for macOS: build_grpcio's list and flags, with c-ares' macOS
# configuration, and two files taken from a patched copy:
# - abseil asks CoreFoundation for the local time zone's name; without it,
#   TZ and then /etc/localtime (a link into the zoneinfo database on macOS)
#   name it, as on Linux;
# - c-ares reads the DNS servers from macOS's configuration database
#   (configd, through SystemConfiguration); it reads /etc/resolv.conf
#   instead, which macOS writes from that database for its default
#   resolvers (servers scoped to one interface or domain, e.g. a VPN's, are
#   not in it). gRPC resolves names only for channels it opens itself; the
#   provider's server listens and resolves none.
# No ABSL_RANDOM_USE_GET_ENTROPY: macOS declares getentropy in a header abseil
# does not include there; /dev/urandom is always present on macOS.
GRPC_DEFINES_DARWIN="-DGRPC_NO_XDS -DGRPC_NO_RLS -DHAVE_CONFIG_H -D__STDC_FORMAT_MACROS -DCARES_STATICLIB"
GRPC_DARWIN_TZ=third_party/abseil-cpp/absl/time/internal/cctz/src/time_zone_lookup.cc
GRPC_DARWIN_SYSCONFIG=third_party/cares/cares/src/lib/ares_sysconfig.c
build_grpcio_darwin() {
	local src=$1 prefix=$2 objdir overlay tz=$GRPC_DARWIN_TZ sysconfig=$GRPC_DARWIN_SYSCONFIG
	objdir=${prefix%/*}/grpc-objects-$(printf '%s\n' "$(pin pypi grpcio sha256)" "$OPT_FLAGS" \
		"$GRPC_DEFINES_DARWIN" "$zig_version" "$3" "$MACOS_MIN" "$P_openssl" "$P_zlib" |
		sha256sum | cut -c1-16)
	# The patched copies live beside the objects, rewritten only when their
	# text changes, so that make recompiles them only then.
	overlay=$objdir/overlay
	mkdir -p "$overlay"
	sed 's|^#if defined(__APPLE__)$|#if 0 /* no CoreFoundation (scripts/release/static.sh) */|' \
		"$src/$tz" >"$overlay/tz.tmp"
	sed 's|^#elif defined(__APPLE__)$|#elif 0 /* no SystemConfiguration (scripts/release/static.sh) */|' \
		"$src/$sysconfig" >"$overlay/sysconfig.tmp"
	[ "$(grep -c 'scripts/release/static.sh' "$overlay/tz.tmp")" = 2 ] || die "$tz: its two __APPLE__ blocks moved"
	[ "$(grep -c 'scripts/release/static.sh' "$overlay/sysconfig.tmp")" = 1 ] || die "$sysconfig: its __APPLE__ branch moved"
	cmp -s "$overlay/tz.tmp" "$overlay/time_zone_lookup.cc" || mv "$overlay/tz.tmp" "$overlay/time_zone_lookup.cc"
	cmp -s "$overlay/sysconfig.tmp" "$overlay/ares_sysconfig.c" || mv "$overlay/sysconfig.tmp" "$overlay/ares_sysconfig.c"
	rm -f "$overlay"/*.tmp
	# Left out: ares_sysconfig_mac.c, the configd reader itself, and the
	# CoreFoundation event engine, which gRPC only takes with GRPC_CFSTREAM
	# (iOS); on macOS it runs the POSIX one, as on Linux. The patched copies
	# compile with their original directory first for quoted includes.
	grpc_compile "$src" "$prefix" "$objdir" "$GRPC_DEFINES_DARWIN" config_darwin \
		"$(printf '%s\n' third_party/cares/cares/src/lib/ares_sysconfig_mac.c 'src/core/lib/event_engine/cf_engine/.*')" \
		"obj/$tz.o: overlay/time_zone_lookup.cc
	@mkdir -p \$(dir \$@)
	$CXX -std=c++17 -fno-exceptions -I\$(SRC)/${tz%/*} \$(FLAGS) -c -o \$@ \$<
obj/$sysconfig.o: overlay/ares_sysconfig.c
	@mkdir -p \$(dir \$@)
	$CC -std=c11 -D_GNU_SOURCE -I\$(SRC)/${sysconfig%/*} \$(FLAGS) -c -o \$@ \$<"
}

# Which recipes need which others (their prefixes and keys).
declare -A DEPENDS=(
	[zlib]=""
	[openssl]=""
	[curl]="openssl zlib"
	[libxml2]=""
	[postgresql-15]="openssl"
	[protobuf-c]=""
	[msgpack-c]=""
	[cjson]=""
	[grpcio]="openssl zlib"
)
ALL_DEPS=(zlib openssl curl libxml2 postgresql-15 protobuf-c msgpack-c cjson grpcio)
declare -A PREFIX=()

var_name() { echo "P_$(tr -- '-.' '__' <<<"$1" | sed 's/_15$//')"; }

# dep TARGET NAME: the prefix of NAME built for TARGET, built if missing.
dep() {
	local target=$1 name=$2 recipe key d prefix kind src work started host
	recipe=build_$(tr -- '-' '_' <<<"$name")
	kind=deb
	[ "$name" = grpcio ] && kind=pypi
	key=$({
		pin "$kind" "$name" line
		declare -f "$recipe"
		echo "$zig_version $target $OPT_FLAGS"
		if is_darwin "$target"; then
			# Lines of macOS's own, so that the Linux keys stay as they were.
			echo "$(zig_target "$target") $(configure_host "$target") $GRPC_DEFINES_DARWIN"
			echo "$GRPC_DARWIN_TZ $GRPC_DARWIN_SYSCONFIG"
			declare -f openssl_target patch_file keep_generated_files
			! declare -F "${recipe}_darwin" >/dev/null || declare -f "${recipe}_darwin"
		fi
		[ "$name" = grpcio ] && {
			cat "$here/grpc_sources.py" "$here/grpc_plugin_registry.cc" "$here/grpc_log_sink.cc"
			declare -f grpc_compile
			echo "$GRPC_DEFINES"
		}
		for d in ${DEPENDS[$name]}; do echo "${PREFIX[$d]}"; done
	} | sha256sum | cut -c1-16)
	prefix=$cache/release/$target/$name-$key
	PREFIX[$name]=$prefix
	printf -v "$(var_name "$name")" '%s' "$prefix"
	if [ -f "$prefix/.complete" ]; then
		log "$target: $name cached ($prefix)"
		return 0
	fi
	host=$target
	if is_darwin "$target"; then
		host=$(configure_host "$target")
		! declare -F "${recipe}_darwin" >/dev/null || recipe=${recipe}_darwin
	fi
	src=$(source_dir "$name")
	work=$cache/release/$target/work/$name
	rm -rf "$work" "$prefix"
	mkdir -p "$work"
	if [ "$name" = grpcio ]; then
		work=$src # compiled in place: objects go to their own directory
	else
		cp -a "$src/." "$work/"
	fi
	log "$target: building $name"
	started=$(date +%s)
	# A subshell outside any `||`, so that set -e holds inside the recipe.
	set +e
	(
		set -e
		cd "$work"
		export P_openssl="${PREFIX[openssl]:-}" P_zlib="${PREFIX[zlib]:-}"
		"$recipe" "$src" "$prefix" "$host"
	)
	local rc=$?
	set -e
	[ "$rc" = 0 ] || die "$target: building $name failed (logs in $work)"
	touch "$prefix/.complete"
	[ "$name" = grpcio ] || rm -rf "$work"
	log "$target: $name built in $(($(date +%s) - started)) s"
}

deps() { # TARGET
	local name
	target_tools "$1"
	for name in "${ALL_DEPS[@]}"; do
		dep "$1" "$name"
	done
}

# make_static TARGET LDEXTRA BINARY GOAL...: the project's Makefile with the
# prefixes above, zig for TARGET and the static build's switches; BINARY is
# the name the provider is linked as, with LDEXTRA among its link flags.
make_static() {
	local target=$1 ldextra=$2 binary_name=$3 build=build-static/$1 inc="" libdirs="" name
	shift 3
	for name in "${ALL_DEPS[@]}"; do
		inc+=" -I${PREFIX[$name]}/include"
		libdirs+=" -L${PREFIX[$name]}/lib"
	done
	inc+=" -I${PREFIX[cjson]}/include/cjson -I${PREFIX[libxml2]}/include/libxml2"
	local link="-static -Wl,--gc-sections" path=$PATH cflags="$OPT_FLAGS -DWAGTAIL_STATIC -DWAGTAIL_GRPC_ABSL_LOG"
	if is_darwin "$target"; then
		# macOS has no static executables: libSystem is the one library it
		# loads (zig links libc++ in). The Makefile archives with `ar`, which
		# must be zig's here: Debian's writes no symbol index for Mach-O
		# objects. darwin_compat.h supplies what macOS's libc lacks.
		link="-Wl,-dead_strip"
		path=$cache/release/$target/bin:$PATH
		cflags+=" -include $here/darwin_compat.h"
		# zig's Mach-O linker keeps the symbol table on -s; -x drops the
		# local symbols (3 MB of 13), the global ones stay.
		[ "$ldextra" != -s ] || ldextra="-s -Wl,-x"
	fi
	PATH=$path make -C "$root" -s -j"$jobs" BUILD="$build" VERSION="$version" BINARY="$binary_name" \
		CC="$CC" CFLAGS="$cflags" \
		WARN="-std=c11 -D_GNU_SOURCE -Wall -Wextra -Wno-missing-field-initializers" \
		INCLUDES="-Icore -Iaws -Iprovider -Iresources -Iresources/support -I$build/proto$inc" \
		LAZY_SONAMES= LDFLAGS="$link $ldextra" \
		LDLIBS="$libdirs -lgrpc -lprotobuf-c -lmsgpackc -lcjson -lcurl -lxml2 -lpq -lpgcommon -lpgport -lssl -lcrypto -lz -lc++" \
		"${@/#/$build/}"
}

# TARGET's name among the CLIs' platforms.
platform_of() {
	case $1 in
	x86_64-linux-*) echo linux_amd64 ;;
	aarch64-linux-*) echo linux_arm64 ;;
	x86_64-macos) echo darwin_amd64 ;;
	aarch64-macos) echo darwin_arm64 ;;
	*) die "no platform name for $1" ;;
	esac
}

# The provider, and its registry packages and mirrors in build-static/TARGET/release.
provider() { # TARGET
	local target=$1 binary=$root/build-static/$1/terraform-provider-wagtail_v$version
	log "$target: building the provider in build-static/$target"
	make_static "$target" "" "${binary##*/}" provider/main.o libwagtail.a
	# The stripped link, and beside it the same link with its symbol table,
	# for nm (check_static.py) and backtraces; the packages hold the
	# stripped one. Each link is one thread, and each builds zig's libc++
	# and musl for its own strip mode the first time: one after the other
	# they took 3 minutes of a cold CI run's critical path at half its cores.
	make_static "$target" -s "${binary##*/}" "${binary##*/}" &
	local stripped=$!
	make_static "$target" "" "${binary##*/}.symbols" "${binary##*/}.symbols"
	wait "$stripped" || die "$target: the stripped link failed"
	log "$target: $binary ($(stat -c %s "$binary") bytes; with symbols: $binary.symbols)"
	if is_darwin "$target"; then
		# Built here, not run here: its load commands are checked instead.
		python3 "$here/check_static.py" --target "$target" --macos-min "$MACOS_MIN" "$binary" >&2 ||
			die "$target: $binary fails scripts/release/check_static.py"
	fi
	PLATFORM=$(platform_of "$target") RELEASE_DIR=$root/build-static/$target/release \
		"$root/build.sh" release "$binary" "$version" >/dev/null
	log "$target: packages in $root/build-static/$target/release"
}

# The unit tests built the same way, run with tests/unit/run.sh (another
# machine's binary under qemu-user-static; a macOS one is only built).
unit() { # TARGET
	local target=$1 tests=$root/build-static/$1/unit-tests machine=${1%%-*} emulator
	make_static "$target" "" "terraform-provider-wagtail_v$version" unit-tests
	if is_darwin "$target"; then
		# Nothing here runs a Mach-O: the tests are built (every test file
		# compiles and links for macOS) and checked like the provider.
		python3 "$here/check_static.py" --target "$target" --macos-min "$MACOS_MIN" "$tests" >&2 ||
			die "$target: $tests fails scripts/release/check_static.py"
		log "$target: $tests built, not run (a macOS binary)"
		return 0
	fi
	if [ "$machine" != "$(uname -m)" ]; then
		emulator=$(command -v "qemu-$machine-static") || die "no qemu-$machine-static (Debian's qemu-user-static)"
		printf '#!/bin/sh\nexec %s %s "$@"\n' "$emulator" "$tests" >"$tests.emulated"
		chmod +x "$tests.emulated"
		tests=$tests.emulated
	fi
	"$root/tests/unit/run.sh" "$tests"
}

cmd=${1:-}
[ $# -gt 0 ] && shift
case $cmd in
toolchain) toolchain ;;
sources) fetch_sources ;;
deps)
	[ $# -gt 0 ] || set -- x86_64-linux-musl
	toolchain && fetch_sources
	for t in "$@"; do deps "$t"; done
	;;
dep) # TARGET NAME...: only these dependencies (and what they are built against)
	[ $# -ge 2 ] || die "usage: $0 dep TARGET NAME..."
	t=$1
	shift
	toolchain && fetch_sources
	target_tools "$t"
	for name in "$@"; do
		for d in ${DEPENDS[$name]}; do dep "$t" "$d"; done
		dep "$t" "$name"
	done
	;;
unit) # TARGET...: the unit tests built and run against the static libraries
	[ $# -gt 0 ] || set -- x86_64-linux-musl
	toolchain && fetch_sources
	for t in "$@"; do
		deps "$t"
		unit "$t"
	done
	;;
build)
	[ $# -gt 0 ] || set -- x86_64-linux-musl
	toolchain && fetch_sources
	for t in "$@"; do
		started=$(date +%s)
		deps "$t"
		provider "$t"
		log "$t: done in $(($(date +%s) - started)) s"
	done
	;;
*)
	sed -n '2,22s/^# \{0,1\}//p' "$0" >&2
	exit 2
	;;
esac
