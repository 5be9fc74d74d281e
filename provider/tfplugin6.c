/* tfplugin6.c: the tfplugin6.Provider service. Each RPC is a handler in the
 * table at the bottom: it unpacks its request, runs the resource's handler
 * through the planning and validation engines, and packs its response.
 * Resource code never sees a protobuf message. */
#include "rpc.h"

#include "arena.h"
#include "cty_codec.h"
#include "ephemeral.h"
#include "log.h"
#include "plan.h"
#include "proto_convert.h"
#include "provider_config.h"
#include "schema.h"
#include "stop.h"
#include "validate.h"
#include "waiter.h"
#include "write_only.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* The configured provider. ConfigureProvider writes it once; every other
 * RPC reads it, concurrently, under the read lock. */
static pthread_rwlock_t client_lock = PTHREAD_RWLOCK_INITIALIZER;
static provider_client *configured_client;

/* What one RPC carries from start to end: its scratch arena and its
 * diagnostics, which become the response's. */
typedef struct {
	arena arena;
	diag_list diags;
	call_ctx ctx;
} rpc_call;

static void call_begin(rpc_call *c)
{
	memset(c, 0, sizeof *c);
	c->ctx.diags = &c->diags;
	pthread_rwlock_rdlock(&client_lock);
	c->ctx.client = configured_client;
}

static void call_end(rpc_call *c)
{
	pthread_rwlock_unlock(&client_lock);
	diag_list_clear(&c->diags);
	arena_free(&c->arena);
}

#define DIAGNOSTICS(c, out) ((out)->diagnostics = proto_diagnostics(&(c)->arena, &(c)->diags, &(out)->n_diagnostics))

static const resource_def *find_or_report(rpc_call *c, const char *type_name, bool data_source)
{
	const resource_def *r = data_source ? schema_find_data_source(type_name) : schema_find_resource(type_name);
	if (!r)
		diag_add(&c->diags, DIAG_ERROR, NULL, data_source ? "Unknown data source" : "Unknown resource type",
			 "This provider has no %s named \"%s\".", data_source ? "data source" : "resource type",
			 type_name);
	return r;
}

static const ephemeral_def *find_ephemeral_or_report(rpc_call *c, const char *type_name)
{
	const ephemeral_def *e = ephemeral_find(type_name);
	if (!e)
		diag_add(&c->diags, DIAG_ERROR, NULL, "Unknown ephemeral resource type",
			 "This provider has no ephemeral resource named \"%s\".", type_name);
	return e;
}

/* Fails a resource call politely when ConfigureProvider has not run. */
static bool require_client(rpc_call *c)
{
	if (c->ctx.client)
		return true;
	diag_add(&c->diags, DIAG_ERROR, NULL, "Provider not configured",
		 "Terraform called a resource operation before ConfigureProvider.");
	return false;
}

/* Sets the call's deadline from the resource's `timeouts` block, falling
 * back to the resource's default for the operation. */
static void set_deadline(rpc_call *c, const resource_def *r, const cty_value *v, const char *op, int fallback)
{
	double seconds = fallback;
	if (!r->timeouts) /* no timeouts block in its schema */
		return;
	const char *text = cty_object_get_string(cty_object_get(v, "timeouts"), op);
	if (text)
		validate_duration(text, &seconds);
	c->ctx.deadline = seconds > 0 ? monotonic_now() + seconds : 0;
}

/* Unknowns cannot survive apply; a handler that leaves one is a bug in it.
 * Replace them with nulls so Terraform gets a usable state, and say so. */
static void null_unknowns(rpc_call *c, cty_value *v)
{
	for (size_t i = 0; cty_is_known(v) && v->type->kind >= CTY_LIST && i < v->u.coll.count; i++) {
		cty_value *item = v->u.coll.items[i];
		if (cty_is_unknown(item)) {
			v->u.coll.items[i] = cty_null(item->type);
			cty_value_free(item);
			log_write(LOG_WARN, "handler left an unknown value in state; stored null",
				  "field", v->type->kind == CTY_OBJECT ? v->type->fields[i].name : "", NULL);
			(void)c;
		} else {
			null_unknowns(c, item);
		}
	}
}

/* ---- handlers, in the order Terraform calls them ---- */

typedef void (*handler_fn)(rpc_call *c, const void *request, void *response);

static size_t count_defs(const resource_def *const *defs)
{
	size_t n = 0;
	while (defs[n])
		n++;
	return n;
}

static size_t ephemeral_count(void)
{
	size_t n = 0;
	while (registry_ephemerals[n])
		n++;
	return n;
}

static Tfplugin6__ServerCapabilities *capabilities(rpc_call *c)
{
	Tfplugin6__ServerCapabilities *caps = arena_alloc(&c->arena, sizeof *caps);
	tfplugin6__server_capabilities__init(caps);
	caps->plan_destroy = 1;
	caps->get_provider_schema_optional = 1;
	return caps;
}

static void get_metadata(rpc_call *c, const void *request, void *response)
{
	Tfplugin6__GetMetadata__Response *out = response;
	const resource_def *const *r;
	(void)request;
	out->data_sources = arena_alloc(&c->arena, count_defs(registry_data_sources) * sizeof *out->data_sources);
	for (r = registry_data_sources; *r; r++) {
		Tfplugin6__GetMetadata__DataSourceMetadata *m = arena_alloc(&c->arena, sizeof *m);
		tfplugin6__get_metadata__data_source_metadata__init(m);
		m->type_name = (char *)(*r)->type_name;
		out->data_sources[out->n_data_sources++] = m;
	}
	out->resources = arena_alloc(&c->arena, count_defs(registry_resources) * sizeof *out->resources);
	for (r = registry_resources; *r; r++) {
		Tfplugin6__GetMetadata__ResourceMetadata *m = arena_alloc(&c->arena, sizeof *m);
		tfplugin6__get_metadata__resource_metadata__init(m);
		m->type_name = (char *)(*r)->type_name;
		out->resources[out->n_resources++] = m;
	}
	out->ephemeral_resources = arena_alloc(&c->arena, ephemeral_count() * sizeof *out->ephemeral_resources);
	for (const ephemeral_def *const *e = registry_ephemerals; *e; e++) {
		Tfplugin6__GetMetadata__EphemeralMetadata *m = arena_alloc(&c->arena, sizeof *m);
		tfplugin6__get_metadata__ephemeral_metadata__init(m);
		m->type_name = (char *)(*e)->shape->type_name;
		out->ephemeral_resources[out->n_ephemeral_resources++] = m;
	}
	out->server_capabilities = capabilities(c);
}

static void get_provider_schema(rpc_call *c, const void *request, void *response)
{
	Tfplugin6__GetProviderSchema__Response *out = response;
	const resource_def *const *r;
	(void)request;
	log_write(LOG_DEBUG, "GetProviderSchema", NULL);
	out->provider = proto_schema(&c->arena, &provider_config_def);
	out->resource_schemas = arena_alloc(&c->arena, count_defs(registry_resources) * sizeof *out->resource_schemas);
	for (r = registry_resources; *r; r++) {
		Tfplugin6__GetProviderSchema__Response__ResourceSchemasEntry *e = arena_alloc(&c->arena, sizeof *e);
		tfplugin6__get_provider_schema__response__resource_schemas_entry__init(e);
		e->key = (char *)(*r)->type_name;
		e->value = proto_schema(&c->arena, *r);
		out->resource_schemas[out->n_resource_schemas++] = e;
	}
	out->data_source_schemas =
		arena_alloc(&c->arena, count_defs(registry_data_sources) * sizeof *out->data_source_schemas);
	for (r = registry_data_sources; *r; r++) {
		Tfplugin6__GetProviderSchema__Response__DataSourceSchemasEntry *e = arena_alloc(&c->arena, sizeof *e);
		tfplugin6__get_provider_schema__response__data_source_schemas_entry__init(e);
		e->key = (char *)(*r)->type_name;
		e->value = proto_schema(&c->arena, *r);
		out->data_source_schemas[out->n_data_source_schemas++] = e;
	}
	out->ephemeral_resource_schemas =
		arena_alloc(&c->arena, ephemeral_count() * sizeof *out->ephemeral_resource_schemas);
	for (const ephemeral_def *const *eph = registry_ephemerals; *eph; eph++) {
		Tfplugin6__GetProviderSchema__Response__EphemeralResourceSchemasEntry *e =
			arena_alloc(&c->arena, sizeof *e);
		tfplugin6__get_provider_schema__response__ephemeral_resource_schemas_entry__init(e);
		e->key = (char *)(*eph)->shape->type_name;
		e->value = proto_schema(&c->arena, (*eph)->shape);
		out->ephemeral_resource_schemas[out->n_ephemeral_resource_schemas++] = e;
	}
	out->server_capabilities = capabilities(c);
	DIAGNOSTICS(c, out);
}

/* Decodes a config and runs the schema's checks and the resource's own.
 * write_only_allowed: whether the client keeps write-only attributes out of
 * state (only managed resources have any). */
static void validate_with(rpc_call *c, const resource_def *r, const Tfplugin6__DynamicValue *config_dv,
			  bool write_only_allowed)
{
	cty_value *config = proto_value_decode(config_dv, resource_state_type(r), "the configuration", &c->diags);
	if (!config)
		return;
	write_only_check_allowed(&r->schema, config, write_only_allowed, &c->diags);
	validate_config(r, config, &c->diags);
	if (r->validate)
		r->validate(&c->ctx, config);
	cty_value_free(config);
}

static void validate_provider_config(rpc_call *c, const void *request, void *response)
{
	const Tfplugin6__ValidateProviderConfig__Request *in = request;
	Tfplugin6__ValidateProviderConfig__Response *out = response;
	validate_with(c, &provider_config_def, in->config, true);
	DIAGNOSTICS(c, out);
}

static void validate_resource_config(rpc_call *c, const void *request, void *response)
{
	const Tfplugin6__ValidateResourceConfig__Request *in = request;
	Tfplugin6__ValidateResourceConfig__Response *out = response;
	const resource_def *r = find_or_report(c, in->type_name, false);
	/* Terraform 1.11 and OpenTofu 1.11 on say so here; older CLIs send no
	 * capabilities at all. */
	bool write_only_allowed = in->client_capabilities && in->client_capabilities->write_only_attributes_allowed;
	log_write(LOG_DEBUG, "ValidateResourceConfig", "type", in->type_name, "write_only_attributes_allowed",
		  write_only_allowed ? "true" : "false", NULL);
	if (r)
		validate_with(c, r, in->config, write_only_allowed);
	DIAGNOSTICS(c, out);
}

static void validate_data_resource_config(rpc_call *c, const void *request, void *response)
{
	const Tfplugin6__ValidateDataResourceConfig__Request *in = request;
	Tfplugin6__ValidateDataResourceConfig__Response *out = response;
	const resource_def *r = find_or_report(c, in->type_name, true);
	if (r)
		validate_with(c, r, in->config, true);
	DIAGNOSTICS(c, out);
}

/* ConfigureProvider swaps the client under the write lock, so it drops the
 * read lock call_begin took and retakes it for call_end. */
static void configure_provider(rpc_call *c, const void *request, void *response)
{
	const Tfplugin6__ConfigureProvider__Request *in = request;
	Tfplugin6__ConfigureProvider__Response *out = response;
	const cty_type *t = resource_state_type(&provider_config_def);
	cty_value *config = proto_value_decode(in->config, t, "the provider configuration", &c->diags);
	provider_client *client = config ? provider_client_new(config, &c->diags) : NULL;

	cty_value_free(config);
	if (client) {
		pthread_rwlock_unlock(&client_lock);
		pthread_rwlock_wrlock(&client_lock);
		provider_client_free(configured_client);
		configured_client = client;
		pthread_rwlock_unlock(&client_lock);
		pthread_rwlock_rdlock(&client_lock);
		log_write(LOG_INFO, "configured provider", "region", provider_client_region(client),
			  "terraform_version", in->terraform_version, NULL);
	}
	DIAGNOSTICS(c, out);
}

static void upgrade_resource_state(rpc_call *c, const void *request, void *response)
{
	const Tfplugin6__UpgradeResourceState__Request *in = request;
	Tfplugin6__UpgradeResourceState__Response *out = response;
	const resource_def *r = find_or_report(c, in->type_name, false);
	cty_value *state = NULL;

	if (!r)
		goto done;
	if (!in->raw_state || in->raw_state->json.len == 0) {
		diag_add(&c->diags, DIAG_ERROR, NULL, "Unsupported state format",
			 "The state of this %s is in the legacy flatmap form, which this provider never wrote.",
			 r->type_name);
		goto done;
	}
	state = resource_upgrade_state(r, (long)in->version, (const char *)in->raw_state->json.data,
				       in->raw_state->json.len, &c->diags);
	if (state) {
		char from[24], to[24];
		snprintf(from, sizeof from, "%lld", (long long)in->version);
		snprintf(to, sizeof to, "%ld", r->schema_version);
		log_write(LOG_DEBUG, "state upgraded", "type", r->type_name, "from_version", from, "to_version", to,
			  NULL);
		write_only_clear(&r->schema, state);
		out->upgraded_state = proto_value_encode(&c->arena, state, resource_state_type(r));
	}
done:
	cty_value_free(state);
	DIAGNOSTICS(c, out);
}

static void read_resource(rpc_call *c, const void *request, void *response)
{
	const Tfplugin6__ReadResource__Request *in = request;
	Tfplugin6__ReadResource__Response *out = response;
	const resource_def *r = find_or_report(c, in->type_name, false);
	cty_value *state = NULL, *fresh = NULL;

	if (r && require_client(c))
		state = proto_value_decode(in->current_state, resource_state_type(r), "the current state", &c->diags);
	if (state && !cty_is_null(state)) {
		set_deadline(c, r, state, "read", r->timeouts ? r->timeouts->read : 0);
		fresh = r->read(&c->ctx, state);
	}
	/* On error keep what we had: a failed read must not drop the resource. */
	cty_value *answer = fresh && !diag_has_error(&c->diags) ? fresh : state;
	if (answer) {
		write_only_clear(&r->schema, answer);
		out->new_state = proto_value_encode(&c->arena, answer, resource_state_type(r));
		out->private_ = in->private_;
	}
	cty_value_free(fresh);
	cty_value_free(state);
	DIAGNOSTICS(c, out);
}

static void plan_resource_change(rpc_call *c, const void *request, void *response)
{
	const Tfplugin6__PlanResourceChange__Request *in = request;
	Tfplugin6__PlanResourceChange__Response *out = response;
	const resource_def *r = find_or_report(c, in->type_name, false);
	const cty_type *t = r ? resource_state_type(r) : NULL;
	cty_value *prior = NULL, *proposed = NULL, *config = NULL, *planned = NULL;
	path_list replace = {0};

	if (!r)
		goto done;
	prior = proto_value_decode(in->prior_state, t, "the prior state", &c->diags);
	proposed = proto_value_decode(in->proposed_new_state, t, "the proposed new state", &c->diags);
	config = proto_value_decode(in->config, t, "the configuration", &c->diags);
	if (!prior || !proposed || !config)
		goto done;
	/* Write-only values are never compared nor planned: Terraform proposes
	 * the config's, so they are nulled before the engine runs, and again
	 * after the resource's plan hook, which sees them in config only. */
	write_only_clear(&r->schema, prior);
	write_only_clear(&r->schema, proposed);
	planned = plan_resource(&c->ctx, r, prior, proposed, config, &replace);
	write_only_clear(&r->schema, planned);
	out->planned_state = proto_value_encode(&c->arena, planned, t);
	out->requires_replace = proto_paths(&c->arena, &replace, &out->n_requires_replace);
	out->planned_private = in->prior_private;
done:
	path_list_clear(&replace);
	cty_value_free(prior);
	cty_value_free(proposed);
	cty_value_free(config);
	cty_value_free(planned);
	DIAGNOSTICS(c, out);
}

/* After a delete that failed: what is left of the resource. A delete can
 * fail part-way (an IAM role's policies went, the role stayed; an ECS
 * service was scaled to zero, not deleted), so the resource is read back and
 * what AWS still has is the state. When the read fails, or finds nothing
 * (the resource may be gone while pieces of it are not: an Aurora
 * cluster's security group), the prior state stays. The read's own errors
 * are not reported: the delete's are. */
static cty_value *after_failed_delete(rpc_call *c, const resource_def *r, const cty_value *prior)
{
	diag_list read_diags = {0};
	call_ctx ctx = c->ctx;
	ctx.diags = &read_diags;
	cty_value *fresh = r->read(&ctx, prior);
	bool found = fresh && !diag_has_error(&read_diags) && cty_is_known(fresh) && !cty_is_null(fresh);
	diag_list_clear(&read_diags);
	if (found)
		return fresh;
	cty_value_free(fresh);
	return cty_value_clone(prior);
}

/* Runs create, update or delete. A handler that fails part-way returns what
 * exists together with its error, so nothing made in AWS is lost from state. */
static cty_value *apply_change(rpc_call *c, const resource_def *r, const cty_value *prior, const cty_value *planned)
{
	if (cty_is_null(planned)) {
		set_deadline(c, r, prior, "delete", r->timeouts ? r->timeouts->delete : 0);
		if (!r->delete || r->delete(&c->ctx, prior))
			return cty_null(resource_state_type(r));
		return after_failed_delete(c, r, prior);
	}
	if (cty_is_null(prior)) {
		set_deadline(c, r, planned, "create", r->timeouts ? r->timeouts->create : 0);
		return r->create(&c->ctx, planned);
	}
	set_deadline(c, r, planned, "update", r->timeouts ? r->timeouts->update : 0);
	if (r->update)
		return r->update(&c->ctx, prior, planned);
	/* Every attribute of an update-less resource forces replacement or is
	 * provider-computed, so the planned state (timeouts, say) is the state. */
	return cty_value_clone(planned);
}

static void apply_resource_change(rpc_call *c, const void *request, void *response)
{
	const Tfplugin6__ApplyResourceChange__Request *in = request;
	Tfplugin6__ApplyResourceChange__Response *out = response;
	const resource_def *r = find_or_report(c, in->type_name, false);
	const cty_type *t = r ? resource_state_type(r) : NULL;
	cty_value *prior = NULL, *planned = NULL, *config = NULL, *state = NULL;

	if (!r || !require_client(c))
		goto done;
	prior = proto_value_decode(in->prior_state, t, "the prior state", &c->diags);
	planned = proto_value_decode(in->planned_state, t, "the planned state", &c->diags);
	config = proto_value_decode(in->config, t, "the configuration", &c->diags);
	if (!prior || !planned || !config)
		goto done;
	/* The plan holds write-only attributes as null; their values come
	 * only in the config, and create and update read them in planned. */
	write_only_merge(&r->schema, planned, config);
	state = apply_change(c, r, prior, planned);
	if (!state) /* nothing was made: an empty answer plus the handler's error */
		state = cty_null(t);
	null_unknowns(c, state);
	write_only_clear(&r->schema, state);
	out->new_state = proto_value_encode(&c->arena, state, t);
	out->private_ = in->planned_private;
done:
	cty_value_free(prior);
	cty_value_free(planned);
	cty_value_free(config);
	cty_value_free(state);
	DIAGNOSTICS(c, out);
}

/* The usual import: the id Terraform was given is the `id` attribute. */
static cty_value *import_by_id(const resource_def *r, const char *id)
{
	cty_value *state = cty_object_new(resource_state_type(r));
	cty_object_set(state, "id", cty_string_new(id));
	return state;
}

static void import_resource_state(rpc_call *c, const void *request, void *response)
{
	const Tfplugin6__ImportResourceState__Request *in = request;
	Tfplugin6__ImportResourceState__Response *out = response;
	const resource_def *r = find_or_report(c, in->type_name, false);
	cty_value *state = NULL;

	if (!r || !require_client(c))
		goto done;
	if (r->no_import) {
		diag_add(&c->diags, DIAG_ERROR, NULL, "Import not supported", "%s cannot be imported.", r->type_name);
		goto done;
	}
	state = r->import ? r->import(&c->ctx, in->id) : import_by_id(r, in->id);
	if (!state || diag_has_error(&c->diags))
		goto done;
	write_only_clear(&r->schema, state);
	Tfplugin6__ImportResourceState__ImportedResource *imported = arena_alloc(&c->arena, sizeof *imported);
	tfplugin6__import_resource_state__imported_resource__init(imported);
	imported->type_name = in->type_name;
	imported->state = proto_value_encode(&c->arena, state, resource_state_type(r));
	out->imported_resources = arena_alloc(&c->arena, sizeof *out->imported_resources);
	out->imported_resources[out->n_imported_resources++] = imported;
done:
	cty_value_free(state);
	DIAGNOSTICS(c, out);
}

static void move_resource_state(rpc_call *c, const void *request, void *response)
{
	const Tfplugin6__MoveResourceState__Request *in = request;
	Tfplugin6__MoveResourceState__Response *out = response;
	diag_add(&c->diags, DIAG_ERROR, NULL, "Moving resource state is not supported",
		 "wagtail cannot move state from %s (%s) into %s. Remove the moved block and import the resource "
		 "instead.", in->source_type_name, in->source_provider_address, in->target_type_name);
	DIAGNOSTICS(c, out);
}

static void read_data_source(rpc_call *c, const void *request, void *response)
{
	const Tfplugin6__ReadDataSource__Request *in = request;
	Tfplugin6__ReadDataSource__Response *out = response;
	const resource_def *r = find_or_report(c, in->type_name, true);
	cty_value *config = NULL, *state = NULL;

	if (!r || !require_client(c))
		goto done;
	config = proto_value_decode(in->config, resource_state_type(r), "the configuration", &c->diags);
	if (!config)
		goto done;
	validate_config(r, config, &c->diags); /* values unknown at validate time are known now */
	if (!diag_has_error(&c->diags))
		state = r->read(&c->ctx, config);
	if (state) {
		null_unknowns(c, state);
		out->state = proto_value_encode(&c->arena, state, resource_state_type(r));
	}
done:
	cty_value_free(config);
	cty_value_free(state);
	DIAGNOSTICS(c, out);
}

/* ---- ephemeral resources ---- */

static void validate_ephemeral_resource_config(rpc_call *c, const void *request, void *response)
{
	const Tfplugin6__ValidateEphemeralResourceConfig__Request *in = request;
	Tfplugin6__ValidateEphemeralResourceConfig__Response *out = response;
	const ephemeral_def *e = find_ephemeral_or_report(c, in->type_name);
	if (e)
		validate_with(c, e->shape, in->config, true);
	DIAGNOSTICS(c, out);
}

/* The lease as the request carries it: the private bytes open gave. */
static void lease_from(ephemeral_lease *lease, ProtobufCBinaryData private_data)
{
	memset(lease, 0, sizeof *lease);
	ephemeral_lease_set_private(lease, private_data.data, private_data.len);
}

/* A lease's renew_at (NULL when never) and private bytes, into the arena. */
static Tfplugin6__Timestamp *renew_at(rpc_call *c, const ephemeral_lease *lease)
{
	if (lease->renew_at <= 0)
		return NULL;
	Tfplugin6__Timestamp *at = arena_alloc(&c->arena, sizeof *at);
	tfplugin6__timestamp__init(at);
	at->seconds = (int64_t)lease->renew_at;
	at->nanos = (int32_t)((lease->renew_at - (double)at->seconds) * 1e9);
	return at;
}

static ProtobufCBinaryData private_bytes(rpc_call *c, const ephemeral_lease *lease)
{
	ProtobufCBinaryData out = {0};
	if (lease->private_len) {
		out.data = arena_alloc(&c->arena, lease->private_len);
		memcpy(out.data, lease->private_data, lease->private_len);
		out.len = lease->private_len;
	}
	return out;
}

static void open_ephemeral_resource(rpc_call *c, const void *request, void *response)
{
	const Tfplugin6__OpenEphemeralResource__Request *in = request;
	Tfplugin6__OpenEphemeralResource__Response *out = response;
	const ephemeral_def *e = find_ephemeral_or_report(c, in->type_name);
	const cty_type *t = e ? resource_state_type(e->shape) : NULL;
	ephemeral_lease lease = {0};
	cty_value *config = NULL, *result = NULL;

	if (!e || !require_client(c))
		goto done;
	config = proto_value_decode(in->config, t, "the configuration", &c->diags);
	if (config)
		result = ephemeral_open(&c->ctx, e, config, &lease);
	if (result && !diag_has_error(&c->diags)) {
		null_unknowns(c, result);
		out->result = proto_value_encode(&c->arena, result, t);
		out->renew_at = renew_at(c, &lease);
		out->private_ = private_bytes(c, &lease);
	}
done:
	ephemeral_lease_clear(&lease);
	cty_value_free(config);
	cty_value_free(result);
	DIAGNOSTICS(c, out);
}

static void renew_ephemeral_resource(rpc_call *c, const void *request, void *response)
{
	const Tfplugin6__RenewEphemeralResource__Request *in = request;
	Tfplugin6__RenewEphemeralResource__Response *out = response;
	const ephemeral_def *e = find_ephemeral_or_report(c, in->type_name);
	ephemeral_lease lease;

	if (!e || !require_client(c))
		goto done;
	lease_from(&lease, in->private_);
	if (!e->renew || e->renew(&c->ctx, &lease)) {
		out->renew_at = renew_at(c, &lease);
		out->private_ = private_bytes(c, &lease);
	}
	ephemeral_lease_clear(&lease);
done:
	DIAGNOSTICS(c, out);
}

static void close_ephemeral_resource(rpc_call *c, const void *request, void *response)
{
	const Tfplugin6__CloseEphemeralResource__Request *in = request;
	Tfplugin6__CloseEphemeralResource__Response *out = response;
	const ephemeral_def *e = find_ephemeral_or_report(c, in->type_name);
	ephemeral_lease lease;

	if (!e || !require_client(c))
		goto done;
	lease_from(&lease, in->private_);
	if (e->close)
		e->close(&c->ctx, &lease);
	ephemeral_lease_clear(&lease);
done:
	DIAGNOSTICS(c, out);
}

/* Ends in-flight operations at their next wait (stop.h). */
static void stop_provider(rpc_call *c, const void *request, void *response)
{
	(void)c, (void)request, (void)response;
	provider_stop_request();
	log_write(LOG_INFO, "stop requested: in-flight operations end at their next wait", NULL);
}

static void get_functions(rpc_call *c, const void *request, void *response)
{
	Tfplugin6__GetFunctions__Response *out = response;
	(void)request;
	DIAGNOSTICS(c, out);
}

/* ---- the table ---- */

/* Unpacks, runs the handler with a fresh call, packs. Generic over message
 * types through protobuf-c's descriptors. */
static int serve(const ProtobufCMessageDescriptor *request_type, const ProtobufCMessageDescriptor *response_type,
		 handler_fn handler, const uint8_t *request, size_t request_len, uint8_t **response,
		 size_t *response_len, char **error)
{
	ProtobufCMessage *in = protobuf_c_message_unpack(request_type, NULL, request_len, request);
	rpc_call c;

	if (!in) {
		*error = strdup("malformed request message");
		return RPC_INVALID_ARGUMENT;
	}
	ProtobufCMessage *out = calloc(1, response_type->sizeof_message);
	if (!out)
		abort();
	protobuf_c_message_init(response_type, out);
	call_begin(&c);
	log_write(LOG_TRACE, "rpc", "method", request_type->name, NULL);
	handler(&c, in, out);
	*response_len = protobuf_c_message_get_packed_size(out);
	*response = malloc(*response_len ? *response_len : 1);
	if (!*response)
		abort();
	protobuf_c_message_pack(out, *response);
	call_end(&c);
	free(out);
	protobuf_c_message_free_unpacked(in, NULL);
	return RPC_OK;
}

/* Every RPC we serve, as (protocol name, handler name). */
#define TFPLUGIN6_RPCS(X)                                              \
	X(GetMetadata, get_metadata)                                   \
	X(GetProviderSchema, get_provider_schema)                      \
	X(ValidateProviderConfig, validate_provider_config)            \
	X(ValidateResourceConfig, validate_resource_config)            \
	X(ValidateDataResourceConfig, validate_data_resource_config)   \
	X(ConfigureProvider, configure_provider)                       \
	X(UpgradeResourceState, upgrade_resource_state)                \
	X(ReadResource, read_resource)                                 \
	X(PlanResourceChange, plan_resource_change)                    \
	X(ApplyResourceChange, apply_resource_change)                  \
	X(ImportResourceState, import_resource_state)                  \
	X(MoveResourceState, move_resource_state)                      \
	X(ReadDataSource, read_data_source)                            \
	X(ValidateEphemeralResourceConfig, validate_ephemeral_resource_config) \
	X(OpenEphemeralResource, open_ephemeral_resource)              \
	X(RenewEphemeralResource, renew_ephemeral_resource)            \
	X(CloseEphemeralResource, close_ephemeral_resource)            \
	X(StopProvider, stop_provider)                                 \
	X(GetFunctions, get_functions)

#define DEFINE_RPC(Name, lower)                                                                             \
	static int rpc_##lower(const uint8_t *request, size_t request_len, uint8_t **response,             \
			       size_t *response_len, char **error)                                          \
	{                                                                                                   \
		return serve(&tfplugin6__##lower##__request__descriptor,                                    \
			     &tfplugin6__##lower##__response__descriptor, lower, request, request_len,       \
			     response, response_len, error);                                                \
	}
TFPLUGIN6_RPCS(DEFINE_RPC)
#undef DEFINE_RPC

#define TABLE_ENTRY(Name, lower) {"/tfplugin6.Provider/" #Name, rpc_##lower},
const rpc_method tfplugin6_methods[] = {
	TFPLUGIN6_RPCS(TABLE_ENTRY)
	{NULL, NULL},
};
#undef TABLE_ENTRY

void tfplugin6_init(void)
{
	schema_init();
}

void tfplugin6_shutdown(void)
{
	schema_shutdown();
	provider_client_free(configured_client);
	configured_client = NULL;
}
