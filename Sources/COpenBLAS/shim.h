#ifndef COPENBLAS_SHIM_H
#define COPENBLAS_SHIM_H
// OpenBLAS' CBLAS interface plus its runtime controls (core name, thread count).
// Debian ships cblas.h under the openblas-pthread include dir named by pkg-config.
#include <cblas.h>
#endif
