#include <sqlite3.h>

/* sqlite3_db_config is variadic, which Swift cannot call: fixed-arity wrapper
   for the on/off options (SQLITE_DBCONFIG_ENABLE_LOAD_EXTENSION, _DEFENSIVE, ...). */
static inline int csqlite_db_config_flag(sqlite3 *db, int op, int on) {
    return sqlite3_db_config(db, op, on, (int *)0);
}
