/* rusage-wrapper: stands in for a provider binary in the benchmark's plugin
 * mirror. It runs the real provider (REAL, fixed at compile time) as its
 * child with the same arguments, environment and standard streams, so the CLI
 * reads the child's handshake line and talks to it directly; it passes on
 * SIGINT/SIGTERM/SIGHUP, and the child dies with it (PR_SET_PDEATHSIG).
 * When the child exits, the wrapper appends one line to $BENCH_RUSAGE_LOG:
 *
 *   <pid> <peak RSS KiB> <user s> <system s> <wall s>
 *
 * taken from wait4(): the exact peak RSS (ru_maxrss, the kernel's VmHWM) and
 * CPU time of the whole provider process, which sampling /proc cannot give
 * for a process that lives a few milliseconds. Then it exits as the child did.
 *
 *   cc -O2 -DREAL='"/path/to/terraform-provider-x"' -o wrapper rusage-wrapper.c
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/time.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#ifndef REAL
#error "compile with -DREAL='\"/path/to/provider\"'"
#endif

static volatile pid_t child;

static void forward(int sig)
{
	if (child > 0)
		kill(child, sig);
}

int main(int argc, char **argv)
{
	struct timespec t0, t1;
	struct rusage ru;
	struct sigaction sa;
	pid_t parent = getpid();
	int status = 0;
	(void)argc;

	clock_gettime(CLOCK_MONOTONIC, &t0);
	child = fork();
	if (child < 0) {
		perror("rusage-wrapper: fork");
		return 127;
	}
	if (child == 0) {
		prctl(PR_SET_PDEATHSIG, SIGKILL);
		if (getppid() != parent)
			_exit(127);
		argv[0] = (char *)REAL;
		execv(REAL, argv);
		perror("rusage-wrapper: exec " REAL);
		_exit(127);
	}
	memset(&sa, 0, sizeof sa);
	sa.sa_handler = forward;
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGHUP, &sa, NULL);
	sigaction(SIGQUIT, &sa, NULL);
	while (wait4(child, &status, 0, &ru) < 0) {
		if (errno != EINTR) {
			perror("rusage-wrapper: wait4");
			return 127;
		}
	}
	clock_gettime(CLOCK_MONOTONIC, &t1);

	const char *log = getenv("BENCH_RUSAGE_LOG");
	if (log && *log) {
		char line[256];
		int n = snprintf(line, sizeof line, "%d %ld %ld.%06ld %ld.%06ld %.6f\n", (int)child, ru.ru_maxrss,
				 (long)ru.ru_utime.tv_sec, (long)ru.ru_utime.tv_usec, (long)ru.ru_stime.tv_sec,
				 (long)ru.ru_stime.tv_usec,
				 (double)(t1.tv_sec - t0.tv_sec) + (double)(t1.tv_nsec - t0.tv_nsec) / 1e9);
		int fd = open(log, O_WRONLY | O_CREAT | O_APPEND, 0644);
		if (fd >= 0) {
			/* One write() of a short line with O_APPEND: lines of providers
			 * that exit together do not interleave. */
			if (write(fd, line, (size_t)n) < 0) {
			}
			close(fd);
		}
	}
	if (WIFSIGNALED(status))
		return 128 + WTERMSIG(status);
	return WEXITSTATUS(status);
}
