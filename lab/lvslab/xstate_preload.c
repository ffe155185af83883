/*
 * lvslab: let the User-Mode Linux 6.1 kernel run on hosts whose XSAVE area is larger than
 * the one it was built for (AVX-512, AMX: 2.7-11 KB against UML's 832 bytes).
 *
 * UML saves and restores each guest thread's FPU state with PTRACE_GETREGSET and
 * PTRACE_SETREGSET (NT_X86_XSTATE) on a buffer of sizeof(struct _xstate). A short GET is
 * truncated by the host kernel, but a SET must carry the host's whole regset
 * (arch/x86/kernel/fpu/regset.c: "A whole standard-format XSAVE buffer is needed", else
 * -EFAULT), so the first SET fails with errno 14 and every guest panics at boot
 * ("userspace - ptrace set fp regs failed, errno = 14").
 *
 * Preloaded into linux.uml (LD_PRELOAD), this wraps ptrace(): for each caller buffer it
 * keeps a full-size copy, filled by every GET, and a SET sends the caller's bytes over that
 * copy. So every guest thread keeps its whole FPU state (the upper AVX-512 registers
 * included) across UML's context switches. On a host whose regset fits UML's buffer every
 * call passes through unchanged. Built by lvslab (xstate.py) into its cache directory.
 */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <stdarg.h>
#include <stdint.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/ptrace.h>
#include <sys/types.h>
#include <sys/uio.h>

#ifndef NT_X86_XSTATE
#define NT_X86_XSTATE 0x202
#endif
#define SLOTS 8192           /* caller buffers tracked: UML has one per guest thread */
#define PROBE_BYTES 65536    /* larger than any x86 XSAVE area */

typedef long (*ptrace_fn)(enum __ptrace_request, pid_t, void *, void *);

static ptrace_fn real_ptrace;
static size_t host_size;     /* the host's NT_X86_XSTATE regset size; 0 until probed */
static size_t stride;        /* host_size rounded up to 64 bytes */
static void *keys[SLOTS];
static unsigned char *pool;  /* SLOTS full-size copies, committed page by page on first use */
static unsigned char *scratch;

/* The full-size copy kept for the caller's buffer KEY; *fresh is set when it was just taken. */
static unsigned char *slot_for(void *key, int *fresh)
{
    uintptr_t h = ((uintptr_t)key >> 4) * 0x9E3779B97F4A7C15ull;

    *fresh = 0;
    for (unsigned i = 0; i < SLOTS; i++) {
        unsigned s = (unsigned)(((h >> 40) + i) % SLOTS);

        if (keys[s] == key)
            return pool + (size_t)s * stride;
        if (keys[s] == NULL) {
            keys[s] = key;
            *fresh = 1;
            return pool + (size_t)s * stride;
        }
    }
    return NULL;
}

/* Learn the host's regset size from one GET into a buffer larger than any XSAVE area. */
static int probe(pid_t pid)
{
    unsigned char *buf;
    struct iovec iov;

    if (host_size)
        return 0;
    buf = mmap(NULL, PROBE_BYTES, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (buf == MAP_FAILED)
        return -1;
    iov.iov_base = buf;
    iov.iov_len = PROBE_BYTES;
    if (real_ptrace(PTRACE_GETREGSET, pid, (void *)NT_X86_XSTATE, &iov) < 0) {
        munmap(buf, PROBE_BYTES);
        return -1;
    }
    scratch = buf;
    stride = (iov.iov_len + 63) & ~(size_t)63;
    pool = mmap(NULL, (size_t)SLOTS * stride, PROT_READ | PROT_WRITE,
                MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
    if (pool == MAP_FAILED)
        pool = NULL;
    host_size = iov.iov_len;
    return 0;
}

long ptrace(enum __ptrace_request request, ...)
{
    va_list ap;
    pid_t pid;
    void *addr, *data;
    struct iovec *iov, full_iov;
    unsigned char *full = NULL;
    int fresh = 1;
    size_t n;
    long rc;

    va_start(ap, request);
    pid = va_arg(ap, pid_t);
    addr = va_arg(ap, void *);
    data = va_arg(ap, void *);
    va_end(ap);
    if (!real_ptrace)
        real_ptrace = (ptrace_fn)dlsym(RTLD_NEXT, "ptrace");
    if ((request != PTRACE_GETREGSET && request != PTRACE_SETREGSET) || (uintptr_t)addr != NT_X86_XSTATE)
        return real_ptrace(request, pid, addr, data);
    iov = data;
    if (probe(pid) < 0 || iov->iov_len >= host_size)
        return real_ptrace(request, pid, addr, data);
    if (pool)
        full = slot_for(iov->iov_base, &fresh);
    if (!full) {
        full = scratch;
        fresh = 1;
    }
    n = iov->iov_len;
    full_iov.iov_base = full;
    full_iov.iov_len = host_size;
    if (request == PTRACE_GETREGSET || fresh) {
        /* A SET for a buffer never read (a new thread): start from the process's own state. */
        rc = real_ptrace(PTRACE_GETREGSET, pid, addr, &full_iov);
        if (rc < 0)
            return rc;
        full_iov.iov_len = host_size;
        if (request == PTRACE_GETREGSET) {
            memcpy(iov->iov_base, full, n);
            return rc;
        }
    }
    memcpy(full, iov->iov_base, n);
    return real_ptrace(PTRACE_SETREGSET, pid, addr, &full_iov);
}
