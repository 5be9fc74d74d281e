/* test_waiter.c: the one wait loop (provider/waiter.c) and the matching of
 * AWS error answers against a resource's declared codes, without AWS: the
 * status function here plays back a list of states. */
#include "unit.h"

#include "aws_calls.h"
#include "waiter.h"

#include <stdio.h>
#include <stdlib.h>

typedef struct {
	const char *const *states; /* played back one per read; the last repeats */
	int reads;
	const char *reason;
	bool fail_read;
} playback;

static bool play(call_ctx *ctx, const void *subject, wait_status *status)
{
	playback *p = (playback *)subject;
	if (p->fail_read) {
		diag_add(ctx->diags, DIAG_ERROR, NULL, "read failed", "as asked");
		return false;
	}
	const char *state = p->states[p->reads];
	if (p->states[p->reads + 1])
		p->reads++;
	wait_status_set(status, state);
	if (p->reason)
		snprintf(status->reason, sizeof status->reason, "%s", p->reason);
	return true;
}

static const waiter_def deployment = {
	.what = "ECS service",
	.pending = STATES("IN_PROGRESS"),
	.target = STATES("COMPLETED"),
	.failed = STATES("FAILED"),
	.max_delay = 0.01,
	.read = play,
};

static const char *detail(const diag_list *diags)
{
	return diags->count ? diags->items[diags->count - 1].detail : "";
}

TEST(waiter_first_read_at_once_then_until_target)
{
	diag_list diags = {0};
	call_ctx ctx = {.diags = &diags};
	playback p = {.states = STATES("COMPLETED")};
	double started = monotonic_now();
	CHECK(ctx_wait_until(&ctx, &deployment, &p, "web"));
	CHECK(monotonic_now() - started < 0.5); /* no pause before the first read */
	CHECK(diags.count == 0);

	playback q = {.states = STATES("IN_PROGRESS", "IN_PROGRESS", "COMPLETED")};
	CHECK(ctx_wait_until(&ctx, &deployment, &q, "web"));
	CHECK(q.reads == 2);
	CHECK(diags.count == 0);
}

TEST(waiter_failed_state_reports_the_reason)
{
	diag_list diags = {0};
	call_ctx ctx = {.diags = &diags};
	playback p = {.states = STATES("IN_PROGRESS", "FAILED"),
		      .reason = "ECS deployment circuit breaker: tasks failed to start."};
	CHECK(!ctx_wait_until(&ctx, &deployment, &p, "web"));
	CHECK(diags.count == 1);
	CHECK(strstr(detail(&diags), "ECS service web is FAILED: ECS deployment circuit breaker") != NULL);
	diag_list_clear(&diags);
}

TEST(waiter_unexpected_state_is_an_error_naming_it)
{
	diag_list diags = {0};
	call_ctx ctx = {.diags = &diags};
	playback p = {.states = STATES("IN_PROGRESS", "incompatible-parameters")};
	CHECK(!ctx_wait_until(&ctx, &deployment, &p, "web"));
	CHECK(strstr(detail(&diags), "ECS service web is incompatible-parameters, not COMPLETED") != NULL);
	diag_list_clear(&diags);

	playback gone = {.states = STATES(WAIT_GONE)};
	CHECK(!ctx_wait_until(&ctx, &deployment, &gone, "web"));
	CHECK(strstr(detail(&diags), "ECS service web is gone") != NULL);
	diag_list_clear(&diags);
}

static const waiter_def deleted = {
	.what = "Aurora cluster", .pending = STATES("deleting"), .target = STATES(WAIT_GONE), .max_delay = 0.01,
	.read = play};

TEST(waiter_gone_as_target_for_deletes)
{
	diag_list diags = {0};
	call_ctx ctx = {.diags = &diags};
	playback p = {.states = STATES("deleting", WAIT_GONE)};
	CHECK(ctx_wait_until(&ctx, &deleted, &p, "db"));
	CHECK(diags.count == 0);
}

TEST(waiter_stops_at_the_deadline_and_says_where_it_was)
{
	diag_list diags = {0};
	call_ctx ctx = {.diags = &diags, .deadline = monotonic_now() + 0.05};
	playback p = {.states = STATES("IN_PROGRESS")};
	CHECK(!ctx_wait_until(&ctx, &deployment, &p, "web"));
	CHECK(diags.count == 1);
	CHECK(strstr(detail(&diags), "ECS service web was still IN_PROGRESS") != NULL);
	CHECK(strstr(detail(&diags), "timeouts") != NULL);
	diag_list_clear(&diags);
}

TEST(waiter_failed_read_ends_the_wait)
{
	diag_list diags = {0};
	call_ctx ctx = {.diags = &diags};
	playback p = {.states = STATES("IN_PROGRESS"), .fail_read = true};
	CHECK(!ctx_wait_until(&ctx, &deployment, &p, "web"));
	CHECK(diags.count == 1);
	diag_list_clear(&diags);
}

TEST(error_match_by_code_and_message_part)
{
	const aws_match passing[] = {
		{"InvalidParameterValue", "IAM role ARN value is invalid", 120}, {"InvalidDBClusterStateFault"}, {NULL}};
	aws_error err = {.code = "InvalidParameterValue",
			 .message = "IAM role ARN value is invalid or does not include the required permissions for: "
				    "ENHANCED_MONITORING"};
	CHECK(aws_error_match(&err, passing) == &passing[0]);
	err.message = "Invalid DB instance class";
	CHECK(aws_error_match(&err, passing) == NULL);
	err.code = "InvalidDBClusterStateFault";
	CHECK(aws_error_match(&err, passing) == &passing[1]);
	err.message = NULL;
	CHECK(aws_error_match(&err, passing) == &passing[1]);
	err.code = "DBClusterNotFoundFault";
	CHECK(aws_error_match(&err, passing) == NULL);
	CHECK(aws_error_match(&err, NULL) == NULL);
}
