// swift-tools-version:5.9
import Foundation
import PackageDescription

/// Debian installs three OpenBLAS builds side by side (pthread, OpenMP, serial) and points
/// `libopenblas.so.0` at one of them through update-alternatives, preferring pthread. The
/// threaded builds start their worker pool when the library loads, before any code of ours
/// runs, and a process with extra threads cannot enter the Landlock sandbox (which
/// refuses, fail-closed). ChurnLab splits work across its own `Parallel` workers anyway, so it
/// links the sequential build by path, with that directory as the run path: the
/// alternatives setting of the machine cannot swap a threaded library in. The serial build
/// guards its buffer pool with a spin lock, so concurrent calls from several workers are safe.
/// `BLASTests.testLinkedLibraryIsSequential` checks which build was loaded.
let openBLASLinkerSettings: [LinkerSetting] = {
    #if arch(arm64)
    let triplet = "aarch64-linux-gnu"
    #else
    let triplet = "x86_64-linux-gnu"
    #endif
    let directory = "/usr/lib/\(triplet)/openblas-serial"
    return [.unsafeFlags(["-L\(directory)", "-Xlinker", "-rpath", "-Xlinker", directory], .when(platforms: [.linux]))]
}()

let package = Package(
    name: "ChurnLab",
    platforms: [.macOS(.v13)],
    products: [
        .executable(name: "churnlab", targets: ["churnlab"]),
        .library(name: "ChurnCore", targets: ["ChurnCore"]),
        .library(name: "LuaRuntime", targets: ["LuaRuntime"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.5.0"),
        // `churnlab serve`: HTTP server stack and Prometheus metrics (ChurnServe only).
        .package(url: "https://github.com/hummingbird-project/hummingbird", from: "2.28.1"),
        .package(url: "https://github.com/swift-server/swift-prometheus", from: "2.4.1"),
        .package(url: "https://github.com/apple/swift-nio", from: "2.101.0"),
        // The HTTP part types Hummingbird's pipeline carries (ChurnServe's score fast path sits in it).
        .package(url: "https://github.com/apple/swift-nio-extras.git", from: "1.34.1"),
        // SHA-256 of every request's bearer token (BoringSSL's, with the CPU's SHA extensions).
        .package(url: "https://github.com/apple/swift-crypto.git", from: "4.5.2"),
    ],
    targets: [
        // Debian's liblua5.4 (apt: liblua5.4-dev).
        .systemLibrary(name: "CLua", path: "Sources/CLua", pkgConfig: "lua5.4",
                       providers: [.apt(["liblua5.4-dev"])]),
        // Debian's SQLite (apt: libsqlite3-dev), used by the core's SQLite I/O and the ledger.
        .systemLibrary(name: "CSQLite", path: "Sources/CSQLite", pkgConfig: "sqlite3",
                       providers: [.apt(["libsqlite3-dev"])]),
        // BSD libedit for the REPL's line editing (apt: libedit-dev).
        .systemLibrary(name: "CEditLine", path: "Sources/CEditLine", pkgConfig: "libedit",
                       providers: [.apt(["libedit-dev"])]),
        // ZeroMQ for the Jupyter kernel (apt: libzmq3-dev).
        .systemLibrary(name: "CZMQ", path: "Sources/CZMQ", pkgConfig: "libzmq",
                       providers: [.apt(["libzmq3-dev"])]),
        // Debian's zlib (apt: zlib1g-dev): gzip CSV in and out, and Parquet's GZIP codec.
        .systemLibrary(name: "CZlib", path: "Sources/CZlib", pkgConfig: "zlib",
                       providers: [.apt(["zlib1g-dev"])]),
        // Debian's Snappy and Zstandard (apt: libsnappy-dev, libzstd-dev): Parquet page codecs.
        .systemLibrary(name: "CSnappy", path: "Sources/CSnappy", pkgConfig: "snappy",
                       providers: [.apt(["libsnappy-dev"])]),
        .systemLibrary(name: "CZstd", path: "Sources/CZstd", pkgConfig: "libzstd",
                       providers: [.apt(["libzstd-dev"])]),
        // Debian's libpq (apt: libpq-dev): the PostgreSQL client of the warehouse area.
        .systemLibrary(name: "CLibPQ", path: "Sources/CLibPQ", pkgConfig: "libpq",
                       providers: [.apt(["libpq-dev"])]),
        // Debian's OpenBLAS, sequential build (apt: libopenblas-serial-dev): dense matrix products
        // of ALS, k-means and cl.nn. Linked from its own directory (see `openBLASLinkerSettings`).
        .systemLibrary(name: "COpenBLAS", path: "Sources/COpenBLAS"),
        // The tiny C layer: wrappers for Lua's macros and the only code that raises Lua errors.
        .target(name: "CLuaBridge", dependencies: ["CLua"]),
        // Cancellation token and memory budget shared by the Lua runtime (which
        // sets them: hook, signals, watchdog, allocator) and the core (which checks them).
        .target(name: "ExecutionControl"),
        // Swift Lua runtime: states, values, functions, userdata, limits, sandbox.
        .target(name: "LuaRuntime", dependencies: ["CLua", "CLuaBridge", "ExecutionControl"]),
        // The numeric core. No Lua in it.
        // Kernels built for several CPU widths, picked at load (function multi-versioning): see CKernels.h.
        .target(name: "CKernels"),
        .target(name: "ChurnCore", dependencies: ["CSQLite", "CZlib", "CSnappy", "CZstd", "CLibPQ", "COpenBLAS", "CKernels", "ExecutionControl"],
                linkerSettings: openBLASLinkerSettings),
        // The binding layer: exposes ChurnCore as the Lua module `churnlab`.
        .target(name: "ChurnLua", dependencies: ["LuaRuntime", "ChurnCore"], exclude: ["README.md"]),
        // Loaders of the CLI's own input files (schedule files, notebooks), in a
        // library so tests and the fuzz targets can reach them.
        .target(name: "ChurnFiles", dependencies: ["LuaRuntime", "ChurnCore"]),
        // `churnlab serve`: scoring, event ingestion and online feature state over HTTP. No Lua.
        .target(name: "ChurnServe", dependencies: [
            "ChurnCore", "ExecutionControl",
            .product(name: "Hummingbird", package: "hummingbird"),
            .product(name: "HummingbirdCore", package: "hummingbird"),
            .product(name: "Prometheus", package: "swift-prometheus"),
            .product(name: "NIOCore", package: "swift-nio"),
            .product(name: "NIOPosix", package: "swift-nio"),
            .product(name: "NIOHTTPTypes", package: "swift-nio-extras"),
            .product(name: "Crypto", package: "swift-crypto"),
        ]),
        // The command-line tool.
        .executableTarget(name: "churnlab", dependencies: [
            "ChurnLua", "LuaRuntime", "ChurnCore", "ChurnFiles", "CEditLine", "CZMQ", "ChurnServe",
            .product(name: "ArgumentParser", package: "swift-argument-parser"),
        ]),
        .testTarget(name: "ExecutionControlTests", dependencies: ["ExecutionControl"]),
        .testTarget(name: "LuaRuntimeTests", dependencies: ["LuaRuntime", "CLua", "CLuaBridge", "ExecutionControl"]),
        .testTarget(name: "ChurnCoreTests", dependencies: ["ChurnCore", "CKernels"],
                    exclude: ["References"],   // Python scripts that produced the reference values
                    resources: [.copy("Fixtures")]),
        .testTarget(name: "ChurnLuaTests", dependencies: ["ChurnLua", "LuaRuntime", "ChurnCore"]),
        .testTarget(name: "ChurnFilesTests", dependencies: ["ChurnFiles", "ChurnCore"]),
        // Runs the built `churnlab` binary as a user would (exit codes, stderr, pipes).
        .testTarget(name: "CLITests", dependencies: []),
        // `churnlab serve` tests: the built binary on a random loopback port, over real HTTP.
        .testTarget(name: "ServeTests", dependencies: ["ChurnServe", "ChurnCore",
                                                       .product(name: "NIOEmbedded", package: "swift-nio"),
                                                       .product(name: "NIOHTTP1", package: "swift-nio"),
                                                       .product(name: "NIOHTTPTypesHTTP1", package: "swift-nio-extras"),
                                                       .product(name: "NIOHTTPTypes", package: "swift-nio-extras")]),
        // Sandbox escapes, one test per class (see Tests/security/README.md): in-process
        // Lua-level tests and CLI tests (the harness is CLITests' file, linked in).
        .testTarget(name: "SecurityTests", dependencies: ["LuaRuntime", "ChurnLua", "ChurnCore", "CLuaBridge", "CSQLite"],
                    path: "Tests/security", exclude: ["README.md"]),
    ]
)

// libFuzzer targets, one per loader (scripts/fuzz builds and runs them). They
// need `-sanitize=fuzzer`, so they exist only when CHURNLAB_FUZZ is set and a
// plain `swift build --build-tests` never tries to build them.
if ProcessInfo.processInfo.environment["CHURNLAB_FUZZ"] != nil {
    package.targets.append(.target(name: "FuzzSupport", path: "Sources/Fuzz/FuzzSupport"))
    for (name, dependencies) in [("FuzzModelFile", ["ChurnCore"]), ("FuzzCSV", ["ChurnCore"]),
                                 ("FuzzScheduleFile", ["ChurnFiles", "ChurnCore"]), ("FuzzNotebook", ["ChurnFiles"]),
                                 ("FuzzParquet", ["ChurnCore", "ExecutionControl"])] {
        package.targets.append(.executableTarget(name: name, dependencies: ["FuzzSupport"] + dependencies.map { .target(name: $0) },
                                                 path: "Sources/Fuzz/\(name)"))
    }
    // The server's request-head reader, against NIO's HTTP/1 decoder.
    package.targets.append(.executableTarget(name: "FuzzServeWire", dependencies: [
        "FuzzSupport", "ChurnServe", .product(name: "NIOCore", package: "swift-nio"),
        .product(name: "NIOEmbedded", package: "swift-nio"), .product(name: "NIOHTTP1", package: "swift-nio"),
        .product(name: "NIOHTTPTypes", package: "swift-nio-extras"), .product(name: "NIOHTTPTypesHTTP1", package: "swift-nio-extras"),
    ], path: "Sources/Fuzz/FuzzServeWire"))
}
