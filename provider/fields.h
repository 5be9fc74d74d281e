/* fields.h: where AWS keeps each attribute of a resource.
 *
 * A resource declares one field_def table: for each attribute that AWS
 * stores as it is, the member the create call takes it as, the path
 * AWS's description of the resource shows it at, and the member the
 * update call takes a change as. The generic code below builds requests
 * from a plan and a state from an answer through that table, so the
 * handler is left with what AWS does irregularly (values it renames,
 * lists it changes by difference, attributes it never reports).
 *
 * What kind of value an attribute holds comes from the schema, never
 * from the table: a string, a number, a bool, or a list or set of
 * strings. tests/unit/test_registry.c checks that every entry names an
 * attribute of its resource's schema of one of those kinds.
 *
 * Paths and members:
 *   JSON    members separated by '/': "encryptionConfiguration/kmsKey"
 *           (a request's objects are made as needed);
 *   Query   the parameter name; for a list, its prefix up to the index,
 *           to which ".1", ".2", ... are added:
 *           "VpcSecurityGroupIds.VpcSecurityGroupId";
 *   XML     direct children separated by '/': "MasterUserSecret/SecretArn";
 *           for a list, the element whose children are its items.
 *
 * Values sent: null and unknown attributes are left out; numbers as JSON
 * numbers or their decimal text; bools as JSON bools or "true"/"false".
 * Values read: an absent string or number is null, an absent bool false
 * (AWS leaves false flags out of some answers), an absent list empty;
 * but a list that AWS shows empty or not at all stays null when the state
 * held null (an argument the user left unset, which AWS reports empty). */
#ifndef WAGTAIL_FIELDS_H
#define WAGTAIL_FIELDS_H

#include "aws_calls.h"

typedef struct field_def {
	const char *attribute; /* the schema attribute */
	const char *create;    /* member of the create request; NULL: not sent by the table */
	const char *read;      /* path in AWS's description; NULL: not read by the table */
	const char *update;    /* member of the update request; NULL: not changed by the table */
} field_def;

/* The table's attributes of `planned` into a create request. */
void fields_json_create(const field_def *fields, const cty_value *planned, cJSON *request);
void fields_query_create(const field_def *fields, const cty_value *planned, query_params *q);

/* The attributes that differ between prior and planned into an update
 * request; how many were added (0: nothing for the update call; an
 * attribute that became null is left out: AWS keeps a setting that is not
 * sent, so a handler that must clear one does so by hand). */
size_t fields_json_update(const field_def *fields, const cty_value *prior, const cty_value *planned,
			  cJSON *request);
size_t fields_query_update(const field_def *fields, const cty_value *prior, const cty_value *planned,
			   query_params *q);

/* The table's attributes of state, set from AWS's description. */
void fields_json_read(const field_def *fields, const cJSON *described, cty_value *state);
void fields_xml_read(const field_def *fields, xmlNode *described, cty_value *state);

/* Whether the table can carry values of this type (for the registry test). */
bool fields_type_supported(const cty_type *type);

#endif
