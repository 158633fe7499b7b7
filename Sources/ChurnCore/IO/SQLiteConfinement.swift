import CSQLite

/// What a confined connection (a sandboxed script's `read_sqlite` /
/// `write_sqlite`) may do: only read the opened database, or only write to it.
///
/// Why an authorizer and not a check of the SQL text: SQL reaches other files
/// in many ways (`ATTACH`, `VACUUM INTO`, `load_extension`, pragmas that write),
/// and only SQLite's own parser knows what a statement does. The authorizer is
/// asked for every action while a statement is prepared and denies everything
/// outside a short allow-list. `VACUUM` has no authorizer action, so queries
/// must also be read-only (`sqlite3_stmt_readonly`), which VACUUM never is.
enum SQLiteConfinement {
    /// Pragmas that only report and that a query may use (with an argument only
    /// where the argument names a table or index, never a new setting).
    static let readPragmas: Set<String> = ["table_info", "table_xinfo", "table_list", "index_list", "index_info",
                                           "index_xinfo", "foreign_key_list", "collation_list", "function_list"]

    /// Opens restrictions on `db`: no extensions, defensive mode, the authorizer.
    static func apply(_ db: OpaquePointer, readOnly: Bool) {
        _ = csqlite_db_config_flag(db, SQLITE_DBCONFIG_ENABLE_LOAD_EXTENSION, 0)
        _ = csqlite_db_config_flag(db, SQLITE_DBCONFIG_DEFENSIVE, 1)
        _ = csqlite_db_config_flag(db, SQLITE_DBCONFIG_TRUSTED_SCHEMA, 0)
        sqlite3_set_authorizer(db, readOnly ? readAuthorizer : writeAuthorizer, nil)
    }

    static func allows(_ action: Int32, _ a: UnsafePointer<CChar>?, _ b: UnsafePointer<CChar>?,
                       _ dbName: UnsafePointer<CChar>?, readOnly: Bool) -> Bool {
        let name = b.map { String(cString: $0).lowercased() }
        let onMain = dbName.map { String(cString: $0) == "main" } ?? true
        switch action {
        case SQLITE_SELECT, SQLITE_RECURSIVE: return true
        case SQLITE_READ: return onMain
        case SQLITE_FUNCTION: return name != "load_extension"
        case SQLITE_PRAGMA:
            guard readOnly, let p = a.map({ String(cString: $0).lowercased() }) else { return false }
            return readPragmas.contains(p) && onMain
        case SQLITE_TRANSACTION: return !readOnly
        case SQLITE_INSERT, SQLITE_UPDATE, SQLITE_DELETE, SQLITE_CREATE_TABLE, SQLITE_DROP_TABLE,
             SQLITE_CREATE_INDEX, SQLITE_DROP_INDEX:
            return !readOnly && onMain
        default:
            // ATTACH, DETACH, ALTER, triggers, views, virtual tables, temp objects, savepoints, ANALYZE, REINDEX.
            return false
        }
    }

    static let readAuthorizer: @convention(c) (UnsafeMutableRawPointer?, Int32, UnsafePointer<CChar>?, UnsafePointer<CChar>?,
                                               UnsafePointer<CChar>?, UnsafePointer<CChar>?) -> Int32 = { _, action, a, b, db, _ in
        SQLiteConfinement.allows(action, a, b, db, readOnly: true) ? SQLITE_OK : SQLITE_DENY
    }
    static let writeAuthorizer: @convention(c) (UnsafeMutableRawPointer?, Int32, UnsafePointer<CChar>?, UnsafePointer<CChar>?,
                                                UnsafePointer<CChar>?, UnsafePointer<CChar>?) -> Int32 = { _, action, a, b, db, _ in
        SQLiteConfinement.allows(action, a, b, db, readOnly: false) ? SQLITE_OK : SQLITE_DENY
    }
}
