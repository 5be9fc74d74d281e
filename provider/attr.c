/* attr.c: see attr.h. */
#include "attr.h"

#include <stdlib.h>
#include <string.h>

const char *attr_text(const cty_value *o, const char *name)
{
	return cty_object_get_string(o, name);
}

bool attr_flag(const cty_value *o, const char *name)
{
	const cty_value *v = cty_object_get(o, name);
	return cty_is_known(v) && v->u.boolean;
}

long attr_long(const cty_value *o, const char *name, long fallback)
{
	const cty_value *v = cty_object_get(o, name);
	return cty_is_known(v) ? strtol(v->u.str.text, NULL, 10) : fallback;
}

double attr_number(const cty_value *o, const char *name, double fallback)
{
	const cty_value *v = cty_object_get(o, name);
	return cty_is_known(v) ? strtod(v->u.str.text, NULL) : fallback;
}

bool attr_is_set(const cty_value *o, const char *name)
{
	return !cty_is_null(cty_object_get(o, name));
}

bool attr_differs(const cty_value *a, const cty_value *b, const char *name)
{
	return !cty_value_equal(cty_object_get(a, name), cty_object_get(b, name));
}

bool attr_strings_contain(const cty_value *strings, const char *text)
{
	for (size_t i = 0; i < cty_length(strings); i++)
		if (cty_is_known(cty_index(strings, i)) && strcmp(cty_index(strings, i)->u.str.text, text) == 0)
			return true;
	return false;
}
