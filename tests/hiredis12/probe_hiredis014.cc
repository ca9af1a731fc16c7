// The probe against hiredis 0.14.1 (Debian's libhiredis-dev), its own names.
#include <hiredis/hiredis.h>

#define PROBE_VERSION Hiredis014Version
#define PROBE_PARSE ParseWithHiredis014
#include "probe_body.inc"
