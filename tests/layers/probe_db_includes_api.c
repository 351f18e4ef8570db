/* probe_db_includes_api.c: compiled against server/db's view by the ctest
 * layers.probe_db_includes_api, which passes only when this fails to
 * compile: server/db may not include server/api (DESIGN §2). */
#include "server/db/store.h"
#include "server/api/session.h"
