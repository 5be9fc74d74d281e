/* stop.c: the StopProvider flag and the sleep it interrupts (stop.h). */
#include "stop.h"

#include <pthread.h>
#include <stdatomic.h>
#include <time.h>

/* Read without the lock by provider_stop_requested, which the waiters call
 * between AWS calls; the lock and condition variable are only for waking
 * provider_sleep without a lost wake-up. */
static atomic_bool stop_requested;
static pthread_mutex_t stop_lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t stop_signal = PTHREAD_COND_INITIALIZER;

void provider_stop_request(void)
{
	pthread_mutex_lock(&stop_lock);
	atomic_store(&stop_requested, true);
	pthread_cond_broadcast(&stop_signal);
	pthread_mutex_unlock(&stop_lock);
}

bool provider_stop_requested(void)
{
	return atomic_load(&stop_requested);
}

bool provider_sleep(double seconds)
{
	struct timespec until;
	clock_gettime(CLOCK_REALTIME, &until);
	long nanoseconds = until.tv_nsec + (long)((seconds - (long)seconds) * 1e9);
	until.tv_sec += (time_t)seconds + nanoseconds / 1000000000L;
	until.tv_nsec = nanoseconds % 1000000000L;
	pthread_mutex_lock(&stop_lock);
	while (!atomic_load(&stop_requested) && pthread_cond_timedwait(&stop_signal, &stop_lock, &until) == 0)
		;
	pthread_mutex_unlock(&stop_lock);
	return !atomic_load(&stop_requested);
}
