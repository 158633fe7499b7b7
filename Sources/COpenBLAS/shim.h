// Debian's OpenBLAS (apt: libopenblas-dev): CBLAS matrix products, and
// openblas_set_num_threads to switch its own thread pool off.
#include <cblas.h>
