// Debian's libpq (apt: libpq-dev), PostgreSQL's own C client library.
#include <libpq-fe.h>
