/* i18n.h: one way to mark and translate user-facing text (GNU gettext).
 *
 * Every string a person reads goes through _() (or N_() where it must be a
 * constant, e.g. in a table, and is passed through _() where it is printed).
 * msgids are English; po/zh_CN.po holds the Chinese.  Text is Chinese when
 * the locale is zh_*, English otherwise. */
#ifndef HEARTH_I18N_H
#define HEARTH_I18N_H

#include <libintl.h>

#define HEARTH_TEXTDOMAIN "hearth"

#define _(s) dgettext(HEARTH_TEXTDOMAIN, s)
#define N_(s) (s)
/* Plural forms: ngettext with the same domain. */
#define P_(s, p, n) dngettext(HEARTH_TEXTDOMAIN, s, p, n)

/* Sets the locale from the environment and binds the text domain.  The
 * catalog is looked for, in order, in $HEARTH_LOCALEDIR, in "locale" beside
 * the running executable (the build tree), and in the installed locale
 * directory.  Never fails: without a catalog the English msgids are shown. */
void i18n_init(void);

/* True when messages are being translated into Chinese (locale zh_*). */
int i18n_is_zh(void);

#endif
