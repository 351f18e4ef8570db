/* log.h: one line per event, key=value, to stderr.
 *
 * A line reads: ts=2026-11-27T17:12:20.123Z level=info event=listen addr=127.0.0.1 port=7443
 * Values that contain spaces, quotes or '=' are double-quoted with \" and \\
 * escaped, so a line can be split by a program without ambiguity. */
#ifndef HEARTH_LOG_H
#define HEARTH_LOG_H

#include <stdarg.h>

enum log_level { LOG_DEBUG, LOG_INFO, LOG_WARN, LOG_ERROR };

/* Lines below this level are dropped. Default LOG_INFO. */
void log_set_level(enum log_level lvl);

/* Logs an event. After the event name come key/value pairs as const char *,
 * terminated by NULL: log_event(LOG_INFO, "listen", "addr", a, "port", p, NULL).
 * A NULL value is printed as an empty string. Thread-safe (one write(2) per line). */
void log_event(enum log_level lvl, const char *event, ...);

/* Formats an integer into a caller buffer for use as a value. */
const char *log_u64(char buf[24], unsigned long long v);

#endif
