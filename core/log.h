/* log.h: levelled JSON log lines on stderr, the form go-plugin forwards to
 * Terraform's own log (TF_LOG / TF_LOG_PROVIDER decide what is shown).
 *
 * Each line is one JSON object with @level, @message, @timestamp and any
 * extra key/value pairs. Never pass a secret: nothing here redacts. */
#ifndef WAGTAIL_LOG_H
#define WAGTAIL_LOG_H

typedef enum {
	LOG_TRACE,
	LOG_DEBUG,
	LOG_INFO,
	LOG_WARN,
	LOG_ERROR
} log_level;

/* Writes one line. The variadic tail is key, value pairs of C strings,
 * ended by NULL: log_write(LOG_INFO, "configured", "region", r, NULL). */
void log_write(log_level level, const char *message, ...);

/* Formats now as 2006-01-02T15:04:05.000000Z07:00 into buf (>= 40 bytes). */
void log_timestamp(char *buf, unsigned long size);

#endif
