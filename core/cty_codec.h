/* cty_codec.h: values to and from the two wire forms of a DynamicValue.
 *
 * msgpack is what Terraform sends and what we always answer with; JSON is
 * its fallback and the form of stored state (UpgradeResourceState).
 * Decoders are given the type the value must have; they are lenient where
 * Terraform is (unknown object attributes in JSON state are dropped, missing
 * ones read as null) and strict elsewhere. */
#ifndef WAGTAIL_CTY_CODEC_H
#define WAGTAIL_CTY_CODEC_H

#include "cty.h"

/* Decodes msgpack of type t. An empty buffer is a null value. On failure
 * returns NULL and sets *error to a malloc'd message the caller frees. */
cty_value *cty_msgpack_decode(const uint8_t *data, size_t len, const cty_type *t, char **error);

/* Encodes v, declared as type t, into a malloc'd buffer the caller frees.
 * Unknowns become the extension cty writes (d4 00 00); dynamic-typed values
 * are wrapped as [type JSON, value]. */
void cty_msgpack_encode(const cty_value *v, const cty_type *t, uint8_t **out, size_t *out_len);

/* Decodes JSON of type t (no unknowns can appear in JSON). Same error
 * convention as cty_msgpack_decode. */
cty_value *cty_json_decode(const char *json, size_t len, const cty_type *t, char **error);

#endif
