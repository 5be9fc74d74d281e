/* stop.h: StopProvider, as the waits of this provider see it.
 *
 * Terraform sends StopProvider when the user interrupts an apply (Ctrl-C).
 * The RPC handler in tfplugin6.c only records it here; what makes it
 * matter is that every long wait in the provider (the waiters polling an
 * AWS resource into a state, a database connection waiting for an Aurora
 * cluster to accept it) sleeps through provider_sleep, which wakes at
 * once, and checks provider_stop_requested, so an in-flight operation ends
 * at its next wait instead of running out its timeout. */
#ifndef WAGTAIL_STOP_H
#define WAGTAIL_STOP_H

#include <stdbool.h>

/* Records StopProvider and wakes every provider_sleep. Idempotent. */
void provider_stop_request(void);

/* True once Terraform sent StopProvider: long waits should end early. */
bool provider_stop_requested(void);

/* Sleeps up to `seconds`; wakes at once when StopProvider arrives. False
 * when the provider is stopping. */
bool provider_sleep(double seconds);

#endif
