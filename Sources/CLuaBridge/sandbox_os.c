#define _GNU_SOURCE 1 /* O_PATH */
/*
 * Operating-system confinement for --sandbox (Linux): no-new-privileges and
 * Landlock, through raw syscalls (no libc wrappers exist). The policy — which
 * paths get which rights — is Swift's (OSConfinement.swift); this file only
 * speaks the kernel interface. Elsewhere these report "unavailable".
 */
#include "CLuaBridge.h"

#include <errno.h>

#ifdef __linux__
#include <fcntl.h>
#include <stdint.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#ifndef __NR_landlock_create_ruleset
#define __NR_landlock_create_ruleset 444
#define __NR_landlock_add_rule 445
#define __NR_landlock_restrict_self 446
#endif
#define LL_CREATE_RULESET_VERSION (1U << 0)
#define LL_RULE_PATH_BENEATH 1

/* Filesystem rights (linux/landlock.h), by the ABI that introduced them. */
#define LL_EXECUTE (1ULL << 0)
#define LL_WRITE_FILE (1ULL << 1)
#define LL_READ_FILE (1ULL << 2)
#define LL_READ_DIR (1ULL << 3)
#define LL_REMOVE_DIR (1ULL << 4)
#define LL_REMOVE_FILE (1ULL << 5)
#define LL_MAKE_DIR (1ULL << 7)
#define LL_MAKE_REG (1ULL << 8)
#define LL_ABI1_ALL ((1ULL << 13) - 1)
#define LL_REFER (1ULL << 13)    /* ABI 2 */
#define LL_TRUNCATE (1ULL << 14) /* ABI 3 */
#define LL_IOCTL_DEV (1ULL << 15) /* ABI 5 */

/* Network rights (ABI 4): handled with no rule, so denied. Scopes (ABI 6:
   signals, abstract UNIX sockets) are not used: with LANDLOCK_SCOPE_SIGNAL the
   process trapped in the Swift runtime during a parallel pipeline (seen on
   Linux 6.18, ABI 7), and no Lua or cl function sends signals anyway. */
#define LL_NET_BIND_TCP (1ULL << 0)
#define LL_NET_CONNECT_TCP (1ULL << 1)

struct ll_ruleset_attr { uint64_t handled_access_fs; uint64_t handled_access_net; };
struct ll_path_beneath_attr { uint64_t allowed_access; int32_t parent_fd; } __attribute__((packed));

static uint64_t handled(int abi) {
    uint64_t h = LL_ABI1_ALL;
    if (abi >= 2) h |= LL_REFER;
    if (abi >= 3) h |= LL_TRUNCATE;
    if (abi >= 5) h |= LL_IOCTL_DEV;
    return h;
}

int clb_landlock_abi(void) {
    long v = syscall(__NR_landlock_create_ruleset, NULL, 0, LL_CREATE_RULESET_VERSION);
    return v < 0 ? -errno : (int)v;
}

int clb_no_new_privs(void) { return prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) == 0 ? 0 : -errno; }

int clb_landlock_ruleset(int abi) {
    struct ll_ruleset_attr attr = { handled(abi), 0 };
    size_t size = sizeof attr.handled_access_fs;
    if (abi >= 4) { attr.handled_access_net = LL_NET_BIND_TCP | LL_NET_CONNECT_TCP; size += sizeof attr.handled_access_net; }
    long fd = syscall(__NR_landlock_create_ruleset, &attr, size, 0);
    return fd < 0 ? -errno : (int)fd;
}

int clb_landlock_allow(int ruleset, const char *path, int rights, int abi) {
    uint64_t access = 0;
    if (rights & CLB_LL_READ) access |= LL_READ_FILE | LL_READ_DIR;
    if (rights & CLB_LL_WRITE)
        access |= LL_WRITE_FILE | LL_REMOVE_DIR | LL_REMOVE_FILE | LL_MAKE_DIR | LL_MAKE_REG |
                  (abi >= 2 ? LL_REFER : 0) | (abi >= 3 ? LL_TRUNCATE : 0);
    int fd = open(path, O_PATH | O_CLOEXEC);
    if (fd < 0) return -errno;
    struct stat st;
    if (fstat(fd, &st) != 0) { int e = errno; close(fd); return -e; }
    /* A rule on a file may only carry rights that apply to files. */
    if (!S_ISDIR(st.st_mode)) access &= LL_READ_FILE | LL_WRITE_FILE | (abi >= 3 ? LL_TRUNCATE : 0);
    struct ll_path_beneath_attr rule = { access & handled(abi), fd };
    long r = syscall(__NR_landlock_add_rule, ruleset, LL_RULE_PATH_BENEATH, &rule, 0);
    int e = errno;
    close(fd);
    return r < 0 ? -e : 0;
}

int clb_landlock_enforce(int ruleset) {
    long r = syscall(__NR_landlock_restrict_self, ruleset, 0);
    int e = errno;
    close(ruleset);
    return r < 0 ? -e : 0;
}

#else

int clb_landlock_abi(void) { return -ENOSYS; }
int clb_no_new_privs(void) { return -ENOSYS; }
int clb_landlock_ruleset(int abi) { (void)abi; return -ENOSYS; }
int clb_landlock_allow(int ruleset, const char *path, int rights, int abi) { (void)ruleset; (void)path; (void)rights; (void)abi; return -ENOSYS; }
int clb_landlock_enforce(int ruleset) { (void)ruleset; return -ENOSYS; }

#endif
