/* resource.h: everything a resource or data source author needs.
 *
 * A resource is one static `resource_def` table: its schema and its
 * handlers. The protocol, the value encoding and the planning rules are the
 * provider's business; handlers see cty values and report problems as
 * diagnostics.
 *
 *   config   the user's HCL, as a cty object (may hold unknowns at plan)
 *   planned  the state Terraform agreed to (after the planning engine)
 *   state    what we record; a handler returns a new object it built
 */
#ifndef WAGTAIL_RESOURCE_H
#define WAGTAIL_RESOURCE_H

#include "cty.h"
#include "diag.h"
#include "stop.h" /* provider_sleep, provider_stop_requested: for handlers' own waits */

/* ---- schema ---- */

enum {
	ATTR_REQUIRED = 1 << 0,
	ATTR_OPTIONAL = 1 << 1,
	ATTR_COMPUTED = 1 << 2,  /* set by the provider; with OPTIONAL, when the user leaves it out */
	ATTR_SENSITIVE = 1 << 3, /* redacted in plans and never logged */
	ATTR_REPLACE = 1 << 4,   /* a change destroys and recreates the resource */
	ATTR_VOLATILE = 1 << 5,  /* computed, and unknown again on every update */
	/* Write-only (Terraform >= 1.11, OpenTofu >= 1.11): a secret the user
	 * sets in config (often from an ephemeral value) that is never stored.
	 * Declare it ATTR_OPTIONAL | ATTR_WRITE_ONLY (or REQUIRED), never
	 * COMPUTED, no default_json; it may sit in a nested block. The
	 * provider nulls it in every state and plan it returns, so it plans
	 * no change on its own: pair it with an ordinary `x_wo_version`
	 * attribute the user bumps to send a new value. create and update
	 * read it from `planned` as any attribute (attr_text(planned,
	 * "password_wo")): the apply path copies it there from the config.
	 * read, import and upgraders never see it (null). A client that
	 * cannot keep it out of state (Terraform 1.8) gets an error naming
	 * the attribute at validate (provider/write_only.h). */
	ATTR_WRITE_ONLY = 1 << 6,
};

typedef enum {
	CHECK_NONE,
	CHECK_ENUM,  /* one of `choices` */
	CHECK_RANGE, /* number within [min, max] */
	CHECK_REGEX, /* string matching `pattern` (POSIX extended) */
	CHECK_CIDR,  /* IPv4 or IPv6 CIDR block */
	CHECK_ARN,   /* arn:partition:service:region:account:resource */
	CHECK_JSON,  /* a JSON document */
} check_kind;

/* A content check on an attribute. For collections, each element is checked. */
typedef struct {
	check_kind kind;
	const char *const *choices; /* CHECK_ENUM, NULL-terminated */
	double min, max;            /* CHECK_RANGE */
	const char *pattern;        /* CHECK_REGEX: no counted repetition like {1,1011}, see max_length */
	const char *expected;       /* CHECK_REGEX: what a valid value looks like, for the message */
	size_t max_length;          /* CHECK_REGEX: at most this many bytes (0: no limit). glibc
				     * compiles {1,1011} into megabytes of automaton, so lengths
				     * are checked here rather than in the pattern. */
} attr_check;

typedef struct {
	const char *name;
	const cty_type *type;
	unsigned flags;
	const char *description;
	const char *default_json; /* value when the user sets none, as JSON; implies COMPUTED */
	attr_check check;
} attr_def;

typedef struct block_def block_def;

/* How a nested block repeats. GROUP is SINGLE that is never null (its
 * attributes are null instead). Values match the protocol's. */
typedef enum { NEST_SINGLE = 1, NEST_LIST = 2, NEST_SET = 3, NEST_MAP = 4, NEST_GROUP = 5 } nest_mode;

#define NEST_IS_OBJECT(mode) ((mode) == NEST_SINGLE || (mode) == NEST_GROUP)

typedef struct {
	const char *name;
	nest_mode nesting;
	const block_def *block;
	int min_items, max_items;
	unsigned flags; /* ATTR_REPLACE applies to the whole block */
} nested_def;

struct block_def {
	const attr_def *attributes; /* ends with a {NULL} entry */
	const nested_def *blocks;   /* ends with a {NULL} entry; may be NULL */
	const char *description;
};

/* Default operation timeouts in seconds; a resource that has them gets a
 * `timeouts` block with create/read/update/delete strings ("30m", "1h5m"). */
typedef struct {
	int create, read, update, delete;
} timeouts_def;

/* ---- handlers ---- */

typedef struct provider_client provider_client; /* the configured provider (opaque) */

/* What every handler gets: the configured provider, where to report, and
 * when to give up. */
typedef struct {
	provider_client *client;
	diag_list *diags;
	double deadline; /* CLOCK_MONOTONIC seconds; 0 = none */
} call_ctx;

/* Attribute paths whose change forces replacement, gathered at plan. */
typedef struct {
	size_t count;
	diag_path *paths; /* names borrowed from the schema tables */
} path_list;

/* For plan handlers: this plan replaces the resource because `attribute`
 * changes in a way AWS cannot make in place (the schema's ATTR_REPLACE
 * covers attributes that never change in place). attribute is borrowed
 * for the life of the plan: a string literal. */
void plan_require_replace(path_list *replace, const char *attribute);

struct cJSON;

/* Brings a stored state of one schema version to the next, in place, on
 * the raw JSON Terraform kept (attribute names as they were then). False,
 * with an error in diags, when the state cannot be carried over. */
typedef bool (*state_upgrader)(struct cJSON *state, diag_list *diags);

typedef struct {
	const char *type_name;
	/* Raised with every change of the schema that an old state would not
	 * decode into as it is (a rename, a new meaning); upgraders[v] takes a
	 * state of version v to v + 1, for every v below schema_version. A
	 * state of an older version runs through the chain before it is
	 * decoded; attributes added since stay null until the next refresh. */
	long schema_version;
	const state_upgrader *upgraders;
	block_def schema;
	/* Where AWS keeps the attributes it stores as they are (fields.h);
	 * NULL for a resource AWS does not hold, or holds only irregularly. */
	const struct field_def *fields;
	const timeouts_def *timeouts; /* NULL: no timeouts block */

	/* All optional but read. Each returns a new state object the caller
	 * owns, or NULL with an error in ctx->diags. */
	/* Checks of the whole config beyond the per-attribute checks. */
	void (*validate)(call_ctx *ctx, const cty_value *config);
	/* Adjusts the engine's plan in place (planned is owned by the caller);
	 * may add to replace (plan_require_replace). */
	void (*plan)(call_ctx *ctx, const cty_value *prior, const cty_value *config, cty_value *planned,
		     path_list *replace);
	cty_value *(*create)(call_ctx *ctx, const cty_value *planned);
	/* Returns the current state; a null value (cty_null) when it is gone. For
	 * a data source, read gets the config and returns the state. */
	cty_value *(*read)(call_ctx *ctx, const cty_value *state);
	cty_value *(*update)(call_ctx *ctx, const cty_value *prior, const cty_value *planned);
	/* Returns false with an error in ctx->diags when it failed. */
	bool (*delete)(call_ctx *ctx, const cty_value *state);
	/* Builds a minimal state from an import id; read fills in the rest.
	 * NULL: the id is the resource's `id` attribute, as for most. */
	cty_value *(*import)(call_ctx *ctx, const char *id);
	bool no_import; /* refuse import (no natural id) */
} resource_def;

/* Every resource and data source (provider/registry.c). Each list ends with NULL. */
extern const resource_def *const registry_resources[];
extern const resource_def *const registry_data_sources[];

/* For create handlers, once AWS has made the resource: the state as read
 * back by id, or, when that read fails, the planned state with its id, so
 * that nothing made in AWS goes missing from the Terraform state. */
cty_value *resource_created(call_ctx *ctx, const resource_def *r, const cty_value *planned, const char *id);

/* ---- the configured provider, for handlers ---- */

typedef struct aws_client aws_client;

/* The AWS client, or NULL with an error in ctx->diags (no credentials). */
aws_client *ctx_aws(call_ctx *ctx);
const char *ctx_region(const call_ctx *ctx);
const char *ctx_account_id(const call_ctx *ctx); /* NULL when not looked up */
const cty_value *ctx_default_tags(const call_ctx *ctx); /* map(string), or NULL */

/* A stored state (raw JSON) of schema version `version` as a value of
 * r's current state type: the upgraders run in turn, then the result is
 * decoded. NULL with an error in diags when it cannot be. */
cty_value *resource_upgrade_state(const resource_def *r, long version, const char *json, size_t len,
				  diag_list *diags);

/* The object type of a resource's state, derived from its schema (with
 * id-less timeouts block where declared). Built once, lives for the process. */
const cty_type *resource_state_type(const resource_def *r);

#endif
