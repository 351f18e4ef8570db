/* probe_api_includes_db.c: the control for the reverse-include probes:
 * compiled against server/api's view, it must compile, since server/api
 * may include server/db and server/loop (DESIGN §2). */
#include "server/api/session.h"
#include "server/db/store.h"
#include "server/loop/connection.h"

int layer_probe_api_includes_db(void);
int layer_probe_api_includes_db(void) { return 0; }
