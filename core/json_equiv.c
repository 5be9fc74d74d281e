/* json_equiv.c: see json_equiv.h. */
#include "json_equiv.h"

#include <string.h>

static cJSON *normalized(const char *text, json_normalizer normalize)
{
	cJSON *doc = cJSON_Parse(text);
	if (doc && normalize)
		normalize(doc);
	return doc;
}

bool json_equivalent(const char *a, const char *b, json_normalizer normalize)
{
	if (!a || !b)
		return a == b;
	if (strcmp(a, b) == 0)
		return true;
	cJSON *x = normalized(a, normalize), *y = normalized(b, normalize);
	/* cJSON_Compare matches object members by name, whatever their order. */
	bool same = x && y && cJSON_Compare(x, y, true);
	cJSON_Delete(x);
	cJSON_Delete(y);
	return same;
}

void json_keep_prior(cty_value *next, const cty_value *prior, const char *name, json_normalizer normalize)
{
	const cty_value *before = cty_object_get(prior, name), *now = cty_object_get(next, name);
	if (!cty_is_known(before) || !cty_is_known(now) || cty_value_equal(before, now))
		return;
	if (json_equivalent(before->u.str.text, now->u.str.text, normalize))
		cty_object_set(next, name, cty_value_clone(before));
}
