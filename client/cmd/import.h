/* import.h: `hearth KIND import FILE.csv|FILE.xlsx`: bulk entry from a
 * spreadsheet, all or nothing (import.c; the readers are client/core/csv.c,
 * text_encoding.c and xlsx_read.c). */
#ifndef HEARTH_IMPORT_H
#define HEARTH_IMPORT_H

#include "client/cmd/cli.h"
#include "common/record.h"

/* `hearth KIND import FILE [--encoding E] [--branch ID] [--dry-run]`:
 * argv[0] is "import". Prints "FILE:LINE: column: message" (xlsx:
 * "FILE:SHEET!C5: column: message") for every bad cell or row and imports
 * nothing when there is one (exit 2); otherwise stores every row in one
 * local transaction. Returns an exit code from cli.h. */
int import_run(cli *c, const kind_info *k, int argc, char **argv);

#endif
