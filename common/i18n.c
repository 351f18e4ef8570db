/* i18n.c: locale set-up and text-domain binding for hearth and hearthd. */
#include "common/i18n.h"

#include <limits.h>
#include <stdio.h>
#include <locale.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#ifndef HEARTH_LOCALEDIR
#define HEARTH_LOCALEDIR "/usr/share/locale"
#endif

static int is_dir(const char *p)
{
	struct stat st;

	return stat(p, &st) == 0 && S_ISDIR(st.st_mode);
}

/* "locale" beside /proc/self/exe, written into buf; 0 when it exists. */
static int beside_exe(char *buf, size_t cap)
{
	char exe[PATH_MAX];
	ssize_t n = readlink("/proc/self/exe", exe, sizeof(exe) - 1);
	char *slash;

	if (n <= 0)
		return -1;
	exe[n] = '\0';
	slash = strrchr(exe, '/');
	if (!slash)
		return -1;
	*slash = '\0';
	if ((size_t)snprintf(buf, cap, "%s/locale", exe) >= cap)
		return -1;
	return is_dir(buf) ? 0 : -1;
}

void i18n_init(void)
{
	char dir[PATH_MAX + 16];
	const char *env = getenv("HEARTH_LOCALEDIR");

	/* Messages only: numbers, dates and character classes stay "C", so a
	 * locale never changes how a value is parsed or printed. */
	setlocale(LC_MESSAGES, "");
	if (env && *env && is_dir(env))
		bindtextdomain(HEARTH_TEXTDOMAIN, env);
	else if (beside_exe(dir, sizeof(dir)) == 0)
		bindtextdomain(HEARTH_TEXTDOMAIN, dir);
	else
		bindtextdomain(HEARTH_TEXTDOMAIN, HEARTH_LOCALEDIR);
	bind_textdomain_codeset(HEARTH_TEXTDOMAIN, "UTF-8");
}

int i18n_is_zh(void)
{
	const char *m = setlocale(LC_MESSAGES, NULL);

	return m && strncmp(m, "zh", 2) == 0;
}
