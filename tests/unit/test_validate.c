/* test_validate.c: content checks of attribute values. */
#include "unit.h"

#include "resource.h"
#include "validate.h"

#include <stdlib.h>

TEST(regex_check_bounds_length_outside_the_pattern)
{
	attr_check name = {CHECK_REGEX, .pattern = "^[a-z]+$", .max_length = 5, .expected = "a short name"};
	char why[128];
	CHECK(validate_string(&name, "abcde", why, sizeof why));
	CHECK(!validate_string(&name, "abcdef", why, sizeof why));
	CHECK(strstr(why, "a short name") != NULL);
	CHECK(!validate_string(&name, "abc1", why, sizeof why));
	CHECK(!validate_string(&name, "", why, sizeof why));
}

TEST(regex_check_without_length_limit)
{
	attr_check any = {CHECK_REGEX, .pattern = "^[a-z]+$"};
	char why[128], *long_name = malloc(5001);
	memset(long_name, 'a', 5000);
	long_name[5000] = '\0';
	CHECK(validate_string(&any, long_name, why, sizeof why));
	free(long_name);
}
