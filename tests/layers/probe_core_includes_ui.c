/* probe_core_includes_ui.c: compiled against client/core's view by the
 * ctest layers.probe_core_includes_ui, which passes only when this fails to
 * compile: client/core may not include client/ui (DESIGN §2). */
#include "client/core/replica.h"
#include "client/ui/output.h"
