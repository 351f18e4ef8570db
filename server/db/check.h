/* check.h: `hearthd check --data DIR`, the offline check of a whole store. */
#ifndef HEARTHD_CHECK_H
#define HEARTHD_CHECK_H

/* What `hearthd check` exits with. */
enum check_exit {
	CHECK_SOUND = 0,    /* every page, record and the audit chain read back */
	CHECK_DAMAGED = 1,  /* something is damaged: it is named on stderr */
	CHECK_USAGE = 2,    /* bad usage, or no store in DIR */
};

/* `hearthd check --data DIR`. argv[0] is "check". Prints what it checked
 * on stdout and every damage on stderr. Returns an enum check_exit. */
int check_main(int argc, char **argv);

#endif
