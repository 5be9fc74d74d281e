/* waiter.h: the one way a resource waits for AWS and retries what AWS
 * refuses for a while.
 *
 * AWS changes things by itself after a call returns: a cluster is
 * `creating` for minutes, an ECS deployment rolls out, a role made a
 * moment ago is not yet seen by RDS or ECS. A resource declares what it
 * waits for and what AWS's answers mean as data, next to its schema:
 *
 *   static const waiter_def cluster_available = {
 *       .what = "Aurora cluster",
 *       .pending = STATES("creating", "backing-up", "modifying"),
 *       .target = STATES("available"),
 *       .read = cluster_status,
 *   };
 *   static const aws_match iam_propagating[] = {
 *       {"InvalidParameterValue", "IAM role ARN value is invalid", 120}, {NULL}};
 *
 * and this file does the looping: the first read at once, then pauses of
 * 1 s growing by half up to the waiter's max_delay, never past the call's
 * deadline (the timeouts block), ending at once when Terraform stops the
 * provider. A failed state (an ECS rollout the circuit breaker stopped)
 * ends it with AWS's reason. A state that is neither pending nor a target ends the wait
 * with an error naming it and AWS's reason, as the AWS provider's waiters
 * do: an unknown state is a surprise to report, not a reason to spin. */
#ifndef WAGTAIL_WAITER_H
#define WAGTAIL_WAITER_H

#include "resource.h"

/* A NULL-terminated list of state words. */
#define STATES(...) ((const char *const[]){__VA_ARGS__, NULL})

/* The state word that says the thing no longer exists (a delete's
 * target; anywhere else, a surprise). */
#define WAIT_GONE "(gone)"

/* One read of a status. */
typedef struct {
	char state[64];   /* AWS's word: "creating", "IN_PROGRESS"; WAIT_GONE */
	char reason[512]; /* AWS's explanation when it gives one, else "" */
} wait_status;

/* Sets status->state (truncated to fit). */
void wait_status_set(wait_status *status, const char *state);

typedef struct {
	const char *what;           /* "Aurora cluster": the message names it with the id */
	const char *const *pending; /* keep waiting in these */
	const char *const *target;  /* these end the wait */
	const char *const *failed;  /* these end it with AWS's reason as the error */
	double max_delay;           /* the longest pause between reads, seconds (0: 30) */
	/* Reads the current status of subject once: true with *status filled,
	 * or false when the read failed (reported to ctx->diags). */
	bool (*read)(call_ctx *ctx, const void *subject, wait_status *status);
} waiter_def;

/* Waits until subject (named id in messages) reaches one of w's targets.
 * False, with an error in ctx->diags, on a failed read, an unexpected
 * state, the deadline, or a stop. */
bool ctx_wait_until(call_ctx *ctx, const waiter_def *w, const void *subject, const char *id);

/* One pause of a retry loop: sleeps *delay seconds (growing it by half up
 * to max_delay) unless that would pass the call's deadline or the
 * provider is stopping. False, without a diagnostic, when it did not
 * sleep: the caller reports what it was waiting for. */
bool ctx_pause(call_ctx *ctx, double *delay, double max_delay);

/* CLOCK_MONOTONIC seconds: the clock of deadlines. */
double monotonic_now(void);

#endif
