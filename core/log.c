/* log.c: JSON log lines on stderr. One line is built in memory and written
 * with a single fwrite under a lock, so lines from concurrent RPCs never
 * interleave. */
#include "log.h"

#include <cjson/cJSON.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/time.h>
#include <time.h>

static pthread_mutex_t log_lock = PTHREAD_MUTEX_INITIALIZER;

static const char *const level_names[] = {"trace", "debug", "info", "warn", "error"};

void log_timestamp(char *buf, unsigned long size)
{
	struct timeval tv;
	struct tm tm;
	char date[32], zone[8];

	gettimeofday(&tv, NULL);
	localtime_r(&tv.tv_sec, &tm);
	strftime(date, sizeof date, "%Y-%m-%dT%H:%M:%S", &tm);
	strftime(zone, sizeof zone, "%z", &tm); /* +hhmm; Go wants +hh:mm or Z */
	if (tm.tm_gmtoff == 0)
		snprintf(buf, size, "%s.%06ldZ", date, (long)tv.tv_usec);
	else
		snprintf(buf, size, "%s.%06ld%.3s:%s", date, (long)tv.tv_usec, zone, zone + 3);
}

static void emit(log_level level, const char *message, va_list pairs)
{
	char stamp[48];
	cJSON *line = cJSON_CreateObject();
	const char *key;

	log_timestamp(stamp, sizeof stamp);
	cJSON_AddStringToObject(line, "@level", level_names[level]);
	cJSON_AddStringToObject(line, "@message", message);
	cJSON_AddStringToObject(line, "@module", "wagtail");
	cJSON_AddStringToObject(line, "@timestamp", stamp);
	while ((key = va_arg(pairs, const char *)) != NULL) {
		const char *value = va_arg(pairs, const char *);
		cJSON_AddStringToObject(line, key, value ? value : "");
	}

	char *text = cJSON_PrintUnformatted(line);
	cJSON_Delete(line);
	if (!text)
		return;
	pthread_mutex_lock(&log_lock);
	fputs(text, stderr);
	fputc('\n', stderr);
	fflush(stderr);
	pthread_mutex_unlock(&log_lock);
	free(text);
}

void log_write(log_level level, const char *message, ...)
{
	va_list pairs;
	va_start(pairs, message);
	emit(level, message, pairs);
	va_end(pairs);
}
