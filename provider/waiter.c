/* waiter.c: see waiter.h. */
#include "waiter.h"

#include "log.h"
#include "stop.h"

#include <stdio.h>
#include <string.h>
#include <time.h>

double monotonic_now(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

void wait_status_set(wait_status *status, const char *state)
{
	snprintf(status->state, sizeof status->state, "%s", state ? state : "");
}

bool ctx_pause(call_ctx *ctx, double *delay, double max_delay)
{
	if (ctx->deadline && monotonic_now() + *delay > ctx->deadline)
		return false;
	if (!provider_sleep(*delay))
		return false;
	*delay = *delay * 1.5 > max_delay ? max_delay : *delay * 1.5;
	return true;
}

static bool listed(const char *const *states, const char *state)
{
	for (; states && *states; states++)
		if (strcmp(*states, state) == 0)
			return true;
	return false;
}

/* "available or gone" into buf, for messages. */
static const char *joined(const char *const *states, char *buf, size_t size)
{
	size_t used = 0;
	buf[0] = '\0';
	for (; states && *states && used < size; states++)
		used += (size_t)snprintf(buf + used, size - used, "%s%s", used ? " or " : "",
					 strcmp(*states, WAIT_GONE) == 0 ? "gone" : *states);
	return buf;
}

bool ctx_wait_until(call_ctx *ctx, const waiter_def *w, const void *subject, const char *id)
{
	double max_delay = w->max_delay > 0 ? w->max_delay : 30, started = monotonic_now();
	double delay = max_delay < 1 ? max_delay : 1;
	char states[256];
	for (;;) {
		wait_status status = {{0}, {0}};
		if (!w->read(ctx, subject, &status))
			return false;
		if (listed(w->target, status.state))
			return true;
		if (listed(w->failed, status.state)) {
			diag_add(ctx->diags, DIAG_ERROR, NULL, "AWS reports a failure",
				 "%s %s is %s%s%s.", w->what, id, status.state, status.reason[0] ? ": " : "",
				 status.reason);
			return false;
		}
		if (!listed(w->pending, status.state)) {
			diag_add(ctx->diags, DIAG_ERROR, NULL, "Unexpected state",
				 "%s %s is %s, not %s%s%s.", w->what, id,
				 strcmp(status.state, WAIT_GONE) == 0 ? "gone" : status.state,
				 joined(w->target, states, sizeof states), status.reason[0] ? ": " : "", status.reason);
			return false;
		}
		log_write(LOG_DEBUG, "waiting", "for", w->what, "id", id, "state", status.state, NULL);
		if (!ctx_pause(ctx, &delay, max_delay)) {
			if (provider_stop_requested())
				diag_add(ctx->diags, DIAG_ERROR, NULL, "Interrupted",
					 "Stopped waiting for %s %s (%s, waiting for %s): Terraform asked the provider "
					 "to stop. What was made is in the state; the next apply carries on.",
					 w->what, id, status.state, joined(w->target, states, sizeof states));
			else
				diag_add(ctx->diags, DIAG_ERROR, NULL, "Timed out",
					 "%s %s was still %s when the operation's deadline came (this wait had "
					 "lasted %.0f s), waiting for %s; raise the resource's timeouts block if AWS "
					 "needs longer.",
					 w->what, id, status.state, monotonic_now() - started,
					 joined(w->target, states, sizeof states));
			return false;
		}
	}
}
