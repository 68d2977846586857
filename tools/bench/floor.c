/* floor.c - loader of the counter-only floor (floor.bpf.o) for `make bench`: attaches every
 * program, prints "ready", waits for SIGINT/SIGTERM/SIGHUP, then prints one "<slot> <count>"
 * line per tracepoint and "total <n>". Usage: floor FLOOR_BPF_O
 */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>

/* Same order as enum floor_slot in floor.bpf.c. */
static const char *const slot_names[] = {
	"fork",		 "exec",	 "exit",	   "free",
	"signal",	 "enter_execve", "enter_execveat", "exit_execve",
	"exit_execveat", "exit_prctl",	 "exit_wait4",	   "exit_waitid",
};

#define NSLOTS (sizeof(slot_names) / sizeof(slot_names[0]))

static int print_counts(struct bpf_object *obj)
{
	struct bpf_map *map = bpf_object__find_map_by_name(obj, "counts");
	int ncpu = libbpf_num_possible_cpus();
	unsigned long long total = 0;
	unsigned long long *vals;

	if (!map || ncpu <= 0)
		return -ENOENT;
	vals = calloc((size_t)ncpu, sizeof(*vals));
	if (!vals)
		return -ENOMEM;
	for (unsigned int slot = 0; slot < NSLOTS; slot++) {
		unsigned long long sum = 0;

		if (bpf_map_lookup_elem(bpf_map__fd(map), &slot, vals) < 0)
			continue;
		for (int c = 0; c < ncpu; c++)
			sum += vals[c];
		total += sum;
		printf("%s %llu\n", slot_names[slot], sum);
	}
	printf("total %llu\n", total);
	free(vals);
	return fflush(stdout) == 0 ? 0 : -EIO;
}

int main(int argc, char **argv)
{
	struct bpf_object *obj;
	struct bpf_program *prog;
	sigset_t set;
	int sig, err = 1;

	if (argc != 2) {
		fprintf(stderr, "usage: floor FLOOR_BPF_O\n");
		return 2;
	}
	/* Block the stop signals before anything can fire them; sigwait takes them. */
	sigemptyset(&set);
	sigaddset(&set, SIGINT);
	sigaddset(&set, SIGTERM);
	sigaddset(&set, SIGHUP);
	sigprocmask(SIG_BLOCK, &set, NULL);

	obj = bpf_object__open_file(argv[1], NULL);
	if (!obj) {
		fprintf(stderr, "floor: open %s: %s\n", argv[1], strerror(errno));
		return 1;
	}
	if (bpf_object__load(obj) < 0) {
		fprintf(stderr, "floor: load %s: %s\n", argv[1], strerror(errno));
		goto out_close;
	}
	bpf_object__for_each_program(prog, obj)
	{
		/* The link lives as long as the process: the kernel detaches it at exit. */
		if (!bpf_program__attach(prog)) {
			fprintf(stderr, "floor: attach %s: %s\n", bpf_program__name(prog),
				strerror(errno));
			goto out_close;
		}
	}
	printf("ready\n");
	fflush(stdout);
	if (sigwait(&set, &sig) != 0)
		goto out_close;
	err = print_counts(obj) < 0;
out_close:
	bpf_object__close(obj);
	return err;
}
