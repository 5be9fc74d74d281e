/* darwin_compat.h: included first in every file of the provider when
 * scripts/release/static.sh builds it for macOS.
 *
 * The provider wipes secrets (credentials, passwords, SSM values) with
 * explicit_bzero, which glibc and musl have and macOS does not. macOS has
 * C11's memset_s instead, which the compiler may not drop either. */
#ifndef WAGTAIL_DARWIN_COMPAT_H
#define WAGTAIL_DARWIN_COMPAT_H

#define __STDC_WANT_LIB_EXT1__ 1
#include <string.h>

static inline void explicit_bzero(void *buffer, size_t length)
{
	memset_s(buffer, length, 0, length);
}

#endif
