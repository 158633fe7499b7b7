// The clone list of CKernels' functions (see CKernels.h): three builds on x86-64,
// the widest the CPU has picked at load; other architectures build a function once.
#ifndef CK_CLONES_H
#define CK_CLONES_H
#if defined(__x86_64__)
#define CK_CLONES __attribute__((target_clones("arch=x86-64-v4", "arch=x86-64-v3", "default")))
#else
#define CK_CLONES   /* other architectures: one build at the compiler's baseline */
#endif
#endif
