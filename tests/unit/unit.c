/* unit.c: runs every registered test, or those whose names contain argv[1],
 * and ends with the "N passed, N failed" line CI reads. */
#include "unit.h"

#include "wipe.h"

#include <stdio.h>
#include <stdlib.h>

#define MAX_TESTS 1024

static struct {
	const char *name;
	unit_fn fn;
} tests[MAX_TESTS];
static int test_count;
static int current_failures;

void unit_register(const char *name, unit_fn fn)
{
	if (test_count == MAX_TESTS) {
		fprintf(stderr, "unit: more than %d tests\n", MAX_TESTS);
		exit(2);
	}
	tests[test_count].name = name;
	tests[test_count].fn = fn;
	test_count++;
}

void unit_fail(const char *file, int line, const char *expr)
{
	fprintf(stderr, "  %s:%d: check failed: %s\n", file, line, expr);
	current_failures++;
}

int main(int argc, char **argv)
{
	int passed = 0, failed = 0;
	wipe_install_cjson(); /* as the provider's main does */
	for (int i = 0; i < test_count; i++) {
		if (argc > 1 && !strstr(tests[i].name, argv[1]))
			continue;
		current_failures = 0;
		tests[i].fn();
		if (current_failures) {
			printf("FAIL %s\n", tests[i].name);
			failed++;
		} else {
			printf("ok   %s\n", tests[i].name);
			passed++;
		}
	}
	printf("unit: %d passed, %d failed\n", passed, failed);
	return failed ? 1 : 0;
}
