/* log.c: writes key=value event lines to stderr, one write(2) per line. */
#include "common/log.h"

#include <stdio.h>
#include <string.h>
#include <sys/time.h>
#include <time.h>
#include <unistd.h>

static enum log_level min_level = LOG_INFO;

void log_set_level(enum log_level lvl)
{
	min_level = lvl;
}

const char *log_u64(char buf[24], unsigned long long v)
{
	snprintf(buf, 24, "%llu", v);
	return buf;
}

/* Appends s to the line, quoting it when a reader could otherwise mistake
 * where the value ends.  Truncates silently at the end of the buffer: a log
 * line is never worth failing for. */
static size_t put_value(char *line, size_t pos, size_t cap, const char *s)
{
	int quote = (*s == '\0');
	for (const char *p = s; *p; p++) {
		if (*p == ' ' || *p == '"' || *p == '=' || *p == '\\' || (unsigned char)*p < 0x20) {
			quote = 1;
			break;
		}
	}
	if (quote && pos < cap)
		line[pos++] = '"';
	for (const char *p = s; *p && pos + 2 < cap; p++) {
		unsigned char c = (unsigned char)*p;
		if (quote && (c == '"' || c == '\\')) {
			line[pos++] = '\\';
			line[pos++] = (char)c;
		} else if (c < 0x20) {
			line[pos++] = ' ';
		} else {
			line[pos++] = (char)c;
		}
	}
	if (quote && pos < cap)
		line[pos++] = '"';
	return pos;
}

void log_event(enum log_level lvl, const char *event, ...)
{
	static const char *names[] = { "debug", "info", "warn", "error" };
	char line[2048];
	size_t cap = sizeof(line) - 1;
	struct timeval tv;
	struct tm tm;
	va_list ap;
	size_t pos;

	if (lvl < min_level)
		return;
	gettimeofday(&tv, NULL);
	gmtime_r(&tv.tv_sec, &tm);
	pos = (size_t)snprintf(line, cap, "ts=%04d-%02d-%02dT%02d:%02d:%02d.%03dZ level=%s event=",
	                       tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday, tm.tm_hour,
	                       tm.tm_min, tm.tm_sec, (int)(tv.tv_usec / 1000), names[lvl]);
	pos = put_value(line, pos, cap, event);
	va_start(ap, event);
	for (;;) {
		const char *key = va_arg(ap, const char *);
		const char *val;
		if (!key)
			break;
		val = va_arg(ap, const char *);
		if (pos + 2 >= cap)
			continue;
		line[pos++] = ' ';
		pos = put_value(line, pos, cap, key);
		if (pos < cap)
			line[pos++] = '=';
		pos = put_value(line, pos, cap, val ? val : "");
	}
	va_end(ap);
	line[pos++] = '\n';
	/* One write so lines from several threads never interleave. */
	ssize_t wr = write(STDERR_FILENO, line, pos);
	(void)wr;
}
