/* attr.h: reading one attribute of an object (a config, a plan, a state,
 * a nested block) as a handler wants it. One meaning each, for every
 * resource:
 *
 *   attr_text     a known string, or NULL (null, unknown, or not a string)
 *   attr_flag     a known bool that is true; null and unknown are false
 *   attr_long     a known number as a long (its integer part), else fallback
 *   attr_number   a known number as a double, else fallback
 *   attr_is_set   not null: set by the user, or unknown until apply
 *   attr_differs  a and b hold different values (null and unknown included)
 *
 * and one for the value of a list(string) or set(string) attribute:
 *
 *   attr_strings_contain  a known element equals text
 *
 * Numbers are kept as decimal text in cty values; these read that text. */
#ifndef WAGTAIL_ATTR_H
#define WAGTAIL_ATTR_H

#include "cty.h"

#include <stdbool.h>

const char *attr_text(const cty_value *o, const char *name);
bool attr_flag(const cty_value *o, const char *name);
long attr_long(const cty_value *o, const char *name, long fallback);
double attr_number(const cty_value *o, const char *name, double fallback);
bool attr_is_set(const cty_value *o, const char *name);
bool attr_differs(const cty_value *a, const cty_value *b, const char *name);
bool attr_strings_contain(const cty_value *strings, const char *text);

#endif
