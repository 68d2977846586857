/* inject_code.c - where in the parent inject.c runs its system calls: an existing system call
 * instruction in its code (nothing is ever written to its memory), read through
 * /proc/PID/mem and found through /proc/PID/maps.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/types.h>
#include <unistd.h>

#include "inject_int.h"

#if INJECT_ARCH_SUPPORTED

#define SCAN_MAX (64UL << 20) /* bytes of code read while looking for `syscall` */

/* Reads len bytes of the parent's memory at addr. */
int inject_code_peek(uint32_t pid, uint64_t addr, void *buf, size_t len)
{
	char path[64];
	ssize_t n;
	int fd;

	snprintf(path, sizeof(path), "/proc/%u/mem", pid);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	n = pread(fd, buf, len, (off_t)addr);
	close(fd);
	return n == (ssize_t)len ? 0 : -EIO;
}

/* Scans one mapping [lo, hi) for the system call instruction at an aligned address other than
 * avoid; *at gets the address. */
static int scan_mapping(int memfd, uint64_t lo, uint64_t hi, uint64_t avoid, size_t *budget,
			uint64_t *at)
{
	const size_t len = INJECT_INSN_LEN;
	unsigned char buf[65536];
	uint64_t a = lo;

	while (a<hi && * budget> 0) {
		size_t want = hi - a < sizeof(buf) ? (size_t)(hi - a) : sizeof(buf);
		ssize_t n = pread(memfd, buf, want, (off_t)a);
		size_t i;

		if (n < (ssize_t)len)
			return -EIO;
		for (i = 0; i + len <= (size_t)n; i++) {
			if ((a + i) % INJECT_INSN_ALIGN || a + i == avoid ||
			    memcmp(buf + i, inject_arch_insn, len) != 0)
				continue;
			*at = a + i;
			return 0;
		}
		/* Overlap so an instruction split across reads is still seen. */
		a += (uint64_t)n - (len - 1);
		*budget = *budget > (size_t)n ? *budget - (size_t)n : 0;
	}
	return -ENOENT;
}

/* Finds a system call instruction in an executable mapping of pid, not at avoid: the vDSO
 * first (always there, tiny), then (passes 2) the others. On x86_64 the two bytes need not be
 * an instruction boundary of the code around them: execution jumps straight to them. */
int inject_code_find_insn(uint32_t pid, uint64_t avoid, int passes, uint64_t *at)
{
	char path[64], line[512];
	size_t budget = SCAN_MAX;
	int pass, rc = -ENOENT, memfd;
	FILE *maps;

	snprintf(path, sizeof(path), "/proc/%u/mem", pid);
	memfd = open(path, O_RDONLY | O_CLOEXEC);
	if (memfd < 0)
		return -errno;
	snprintf(path, sizeof(path), "/proc/%u/maps", pid);
	maps = fopen(path, "re");
	if (!maps) {
		rc = -errno;
		goto out_mem;
	}
	for (pass = 0; pass < passes && rc; pass++) {
		rewind(maps);
		while (rc && fgets(line, sizeof(line), maps)) {
			unsigned long long lo, hi;
			char *p = line;
			bool is_vdso = strstr(line, "[vdso]") != NULL;

			/* "lo-hi perms offset dev inode path" */
			lo = strtoull(p, &p, 16);
			if (*p++ != '-')
				continue;
			hi = strtoull(p, &p, 16);
			if (*p != ' ' || strlen(p) < 5 || p[3] != 'x' || hi <= lo)
				continue;
			if (is_vdso != (pass == 0) || strstr(line, "[vsyscall]"))
				continue;
			rc = scan_mapping(memfd, lo, hi, avoid, &budget, at);
		}
	}
	fclose(maps);
out_mem:
	close(memfd);
	return rc;
}

/* Whether the system call instruction is at addr: a hint found before the stop is used only
 * if it still is. */
bool inject_code_has_insn(uint32_t pid, uint64_t addr)
{
	unsigned char insn[INJECT_INSN_LEN];

	return inject_code_peek(pid, addr, insn, sizeof(insn)) == 0 &&
	       memcmp(insn, inject_arch_insn, sizeof(insn)) == 0;
}

#endif /* INJECT_ARCH_SUPPORTED */
