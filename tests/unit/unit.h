/* unit.h: the smallest test harness that does what we need. Each TEST()
 * registers itself before main() runs; CHECK() records a failure with its
 * file and line and lets the test go on, so one run shows every failure. */
#ifndef WAGTAIL_UNIT_H
#define WAGTAIL_UNIT_H

#include <stdbool.h>
#include <string.h>

typedef void (*unit_fn)(void);
void unit_register(const char *name, unit_fn fn);
void unit_fail(const char *file, int line, const char *expr);

#define TEST(name)                                                          \
	static void name(void);                                             \
	__attribute__((constructor)) static void register_##name(void)      \
	{                                                                   \
		unit_register(#name, name);                                 \
	}                                                                   \
	static void name(void)

#define CHECK(expr)                                                         \
	do {                                                                \
		if (!(expr))                                                \
			unit_fail(__FILE__, __LINE__, #expr);               \
	} while (0)

#define CHECK_STR(got, want)                                                \
	do {                                                                \
		const char *got_ = (got), *want_ = (want);                  \
		if (!got_ || strcmp(got_, want_) != 0)                      \
			unit_fail(__FILE__, __LINE__, got_ ? got_ : "(null)"); \
	} while (0)

#endif
