/*
 * Preloaded into Debian's linux.uml (6.1) by the lab. UML keeps each guest process's FPU state
 * in a buffer sized for the XSAVE layouts it knew, and restores it with
 * ptrace(PTRACE_SETREGSET, NT_X86_XSTATE), which the host kernel refuses (EFAULT) unless the
 * buffer covers the host's whole XSAVE area. On CPUs with AMX that area is 11 KB, so every
 * guest died at its first user process ("ptrace set fp regs failed, errno = 14").
 *
 * When the kernel refuses a short buffer, this reads the process's whole state, lays UML's
 * buffer over its start and writes the whole of it back: what UML saved is restored, and the
 * components beyond UML's buffer (which no guest can use) keep their current value. Every
 * other ptrace request, and every host where the first try succeeds, passes straight through.
 * Newer UML kernels size the buffer from the host; this does the same for the one Debian ships.
 */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <errno.h>
#include <stdarg.h>
#include <string.h>
#include <sys/ptrace.h>
#include <sys/types.h>
#include <sys/uio.h>

#define NT_X86_XSTATE 0x202

static long (*real_ptrace)(int, pid_t, void *, void *);
/* Larger than any XSAVE area so far (AMX: 11008 bytes); untouched pages cost nothing. */
static unsigned char whole_state[1 << 18] __attribute__((aligned(64)));
static int short_buffer_refused;

long ptrace(enum __ptrace_request req, ...) {
  va_list ap;
  va_start(ap, req);
  pid_t pid = va_arg(ap, pid_t);
  void *addr = va_arg(ap, void *);
  void *data = va_arg(ap, void *);
  va_end(ap);
  if (!real_ptrace) real_ptrace = (long (*)(int, pid_t, void *, void *))dlsym(RTLD_NEXT, "ptrace");
  int xstate_set = req == PTRACE_SETREGSET && (unsigned long)addr == NT_X86_XSTATE;
  if (!xstate_set || !short_buffer_refused) {
    long r = real_ptrace(req, pid, addr, data);
    if (r == 0 || !xstate_set || errno != EFAULT) return r;
  }
  struct iovec *given = data;
  struct iovec whole = {whole_state, sizeof whole_state};
  if (real_ptrace(PTRACE_GETREGSET, pid, addr, &whole) != 0) return -1;
  if (given->iov_len >= whole.iov_len) {
    errno = EFAULT; /* refused for another reason than its size: say so as the kernel did */
    return -1;
  }
  short_buffer_refused = 1;
  memcpy(whole_state, given->iov_base, given->iov_len);
  return real_ptrace(PTRACE_SETREGSET, pid, addr, &whole);
}
