// Debian's OpenBLAS (apt: libopenblas-serial-dev): CBLAS matrix products, and
// openblas_get_parallel to check that the sequential build is the one loaded.
// The CBLAS prototypes are the same in every build; Package.swift links the serial one.
#include <cblas.h>
