import COpenBLAS
#if canImport(Glibc)
import Glibc
#else
import Foundation
#endif

/// Dense matrix products through Debian's OpenBLAS (row-major CBLAS).
///
/// Why a library here: its hand-tuned kernels pick the widest vector unit the
/// CPU has at run time (AVX2/AVX-512 and FMA), which the package's own Swift
/// code, compiled for baseline x86-64, cannot use. `scripts/bench/gemm_blas_vs_swift.sh`
/// measured 7× on the recurrent-step product of `cl.nn`.
///
/// Threads: the package links OpenBLAS's sequential build (see Package.swift for
/// why: a threaded build starts a pool at load, which the sandbox refuses), and
/// callers split their work across `Parallel` workers that each call BLAS on
/// their own block. So the split, and with it every bit of the result, depends
/// only on ChurnLab's thread count, and no second pool oversubscribes the cores.
///
/// The calls themselves are serialised (`lock`): Debian's sequential OpenBLAS
/// 0.3.21 is built without `USE_LOCKING`, so two threads inside the library at
/// once can take the same packing buffer from its pool and return a wrong
/// product (OpenMathLib/OpenBLAS#2126). Measured here: 23 of 4,000 concurrent
/// 128×256×72 sgemm calls from two threads differed from the serial result
/// (a plain C program against the same library), and a 100,000-row GRU epoch
/// on 2 threads gave different weights from run to run. Workers still run
/// their other work (gate passes, copies) in parallel with one another's products.
///
/// cl.nn's Float32 products no longer come here: they run on ChurnLab's own
/// kernels (`ck_sgemm`, Sources/CKernels/gemm_kernels.c, see `MatMul`), which
/// keep no shared state and so need no lock — with the lock a 2-thread GRU
/// epoch ran at 0.67× PyTorch's, its workers' step products queued here. The
/// lock stays for the Float64 callers (k-means++ seeding, the NN tests' Float64 mode).
///
/// A spin lock, not a mutex: a recurrent step is one product (~40 µs) then a
/// gate pass (~10 µs), so a waiting worker gets the lock within one product;
/// with a mutex it slept, and the worker that had just released the lock took
/// it again before the sleeper woke (a 100,000-row GRU epoch on 2 threads ran
/// as slowly as on 1). After a few hundred tries the waiter yields its core,
/// so a holder that the kernel preempted is not starved by a spinning waiter.
public enum BLAS {
    #if canImport(Glibc)
    /// Held for every call into the library (see above).
    private static let lock: UnsafeMutablePointer<pthread_spinlock_t> = {
        let m = UnsafeMutablePointer<pthread_spinlock_t>.allocate(capacity: 1)
        pthread_spin_init(m, Int32(PTHREAD_PROCESS_PRIVATE))
        return m
    }()

    @inline(__always) private static func serialised(_ body: () -> Void) {
        var tries = 0
        while pthread_spin_trylock(lock) != 0 {
            tries += 1
            if tries > 256 { sched_yield() }
        }
        body()
        pthread_spin_unlock(lock)
    }
    #else
    private static let lock = NSLock()
    @inline(__always) private static func serialised(_ body: () -> Void) { lock.lock(); body(); lock.unlock() }
    #endif

    /// True when the loaded library is OpenBLAS's sequential build (it has no
    /// thread pool). Checked by `BLASTests`.
    public static var isSequential: Bool { openblas_get_parallel() == 0 }

    /// The loaded library's build string, e.g. "OpenBLAS 0.3.21 DYNAMIC_ARCH NO_AFFINITY Haswell SINGLE_THREADED".
    public static var configuration: String { String(cString: openblas_get_config()) }

    @inline(__always) private static func order(_ transposed: Bool) -> CBLAS_TRANSPOSE {
        transposed ? CblasTrans : CblasNoTrans
    }

    /// C (m × n) = alpha · op(A) · op(B) + beta · C, Float32, row-major;
    /// op(A) is m × k, op(B) is k × n; `lda`, `ldb`, `ldc` are row strides.
    public static func sgemm(transA: Bool = false, transB: Bool = false, m: Int, n: Int, k: Int,
                             alpha: Float = 1, a: UnsafePointer<Float>, lda: Int,
                             b: UnsafePointer<Float>, ldb: Int,
                             beta: Float = 0, c: UnsafeMutablePointer<Float>, ldc: Int) {
        guard m > 0, n > 0 else { return }
        serialised {
            cblas_sgemm(CblasRowMajor, order(transA), order(transB), blasint(m), blasint(n), blasint(k),
                        alpha, a, blasint(lda), b, blasint(ldb), beta, c, blasint(ldc))
        }
    }

    /// The Float64 twin of `sgemm`.
    public static func dgemm(transA: Bool = false, transB: Bool = false, m: Int, n: Int, k: Int,
                             alpha: Double = 1, a: UnsafePointer<Double>, lda: Int,
                             b: UnsafePointer<Double>, ldb: Int,
                             beta: Double = 0, c: UnsafeMutablePointer<Double>, ldc: Int) {
        guard m > 0, n > 0 else { return }
        serialised {
            cblas_dgemm(CblasRowMajor, order(transA), order(transB), blasint(m), blasint(n), blasint(k),
                        alpha, a, blasint(lda), b, blasint(ldb), beta, c, blasint(ldc))
        }
    }

    /// Symmetric rank-k update of the upper triangle (row-major), Float64:
    /// C (n × n) = alpha · Aᵀ·A + beta · C when `transposed` (A is k × n, rows are
    /// observations), else alpha · A·Aᵀ + beta · C (A is n × k). The strictly lower
    /// triangle of C is left untouched.
    public static func dsyrkUpper(transposed: Bool, n: Int, k: Int, alpha: Double = 1,
                                  a: UnsafePointer<Double>, lda: Int,
                                  beta: Double = 1, c: UnsafeMutablePointer<Double>, ldc: Int) {
        guard n > 0 else { return }
        serialised {
            cblas_dsyrk(CblasRowMajor, CblasUpper, order(transposed), blasint(n), blasint(k),
                        alpha, a, blasint(lda), beta, c, blasint(ldc))
        }
    }

    /// The Float32 twin of `dsyrkUpper`.
    public static func ssyrkUpper(transposed: Bool, n: Int, k: Int, alpha: Float = 1,
                                  a: UnsafePointer<Float>, lda: Int,
                                  beta: Float = 1, c: UnsafeMutablePointer<Float>, ldc: Int) {
        guard n > 0 else { return }
        serialised {
            cblas_ssyrk(CblasRowMajor, CblasUpper, order(transposed), blasint(n), blasint(k),
                        alpha, a, blasint(lda), beta, c, blasint(ldc))
        }
    }

    /// y = alpha · op(A) · x + beta · y, Float32, row-major A (m × n, row stride `lda`).
    public static func sgemv(transposed: Bool = false, m: Int, n: Int, alpha: Float = 1,
                             a: UnsafePointer<Float>, lda: Int, x: UnsafePointer<Float>,
                             beta: Float = 0, y: UnsafeMutablePointer<Float>) {
        guard m > 0, n > 0 else { return }
        serialised {
            cblas_sgemv(CblasRowMajor, order(transposed), blasint(m), blasint(n), alpha, a, blasint(lda),
                        x, 1, beta, y, 1)
        }
    }
}
