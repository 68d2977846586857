/* event.h - struct zr_ev: one event as the sinks print it, decoded from a ring record or derived
 * by the lifecycle (reap, lost, start, stop). Everything after decode works on this only.
 */
#ifndef ZR_USER_EVENT_H
#define ZR_USER_EVENT_H

#include <stdbool.h>
#include <stdint.h>

#define ZR_COMM_BUF 17 /* 16 bytes of comm + NUL */

enum zr_kind {
	ZR_EV_START,
	ZR_EV_STOP,
	ZR_EV_FORK,
	ZR_EV_EXEC,
	ZR_EV_EXIT,
	ZR_EV_WAIT,
	ZR_EV_REAP,
	ZR_EV_ORPHAN,
	ZR_EV_ZOMBIE,
	ZR_EV_SIGNAL,
	ZR_EV_SUBREAPER,
	ZR_EV_SNAPSHOT,
	ZR_EV_LOST,
	ZR_EV_ACTION,
	ZR_EV_SUMMARY,
	ZR_EV__COUNT
};

/* Another process named inside an event: parent, reaper, sender... */
struct zr_ref {
	uint32_t pid; /* 0: absent */
	uint64_t start_ns;
	char comm[ZR_COMM_BUF];
	const char *role; /* NULL, or names_role(): "parent" "subreaper" "pidns_init"... */
};

/* Exit status, decoded once from the raw kernel value (status.c). */
struct zr_exit_status {
	bool is_known;
	int exit_code; /* valid when !is_signaled */
	int signal;    /* valid when is_signaled */
	bool is_signaled;
	bool core_dumped;
	bool oom_killed;
};

enum zr_wait_result {
	ZR_WAIT_REAPED,
	ZR_WAIT_NO_CHILD,
	ZR_WAIT_WOULD_BLOCK,
	ZR_WAIT_STOPPED,
	ZR_WAIT_CONTINUED,
	ZR_WAIT_PEEKED, /* WNOWAIT: an exit seen but left in place */
	ZR_WAIT_ERROR,
};

/* The wait syscall, decoded from the ABI's number (the same values as its zr_wait_syscall). */
enum zr_wait_sys {
	ZR_SYS_WAIT4,
	ZR_SYS_WAITID,
};

/* How a reaper came to hold the dead child; names_role() gives the string zr_ref.role holds. */
enum zr_role {
	ZR_ROLE_PARENT,
	ZR_ROLE_SUBREAPER,
	ZR_ROLE_PIDNS_INIT,
	ZR_ROLE_THREAD,
	ZR_ROLE_KERNEL,
	ZR_ROLE__COUNT
};

enum zr_reap_how {
	ZR_HOW_WAIT4,
	ZR_HOW_WAITID,
	ZR_HOW_AUTOREAP,
	ZR_HOW_SELF,
};

/* How a zombie's age (zombie_ns) is known. */
enum zr_age_source {
	ZR_AGE_UNKNOWN,	    /* not at all (zombie_ns null) */
	ZR_AGE_TRACE,	    /* the tracer saw it exit */
	ZR_AGE_SCHED,	    /* procfs: the scheduler clock when it last ran (zombie_read.c) */
	ZR_AGE_START_BOUND, /* procfs: at most the time since it started (an upper bound) */
};

/* The age is the time since the exit, not just a bound on it. */
static inline bool zr_age_is_exact(enum zr_age_source s)
{
	return s == ZR_AGE_TRACE || s == ZR_AGE_SCHED;
}

/* What a zombie's parent is doing, for the zombie event's parent{} and reason. */
struct zr_parent_info {
	const char *state;   /* names_state(), "unknown" when unreadable */
	const char *sigchld; /* "default" "handler" "ignored", NULL when unknown */
	bool sigchld_blocked;
	uint64_t last_wait_ns; /* ktime of its last wait seen by the tracer, 0: none */
	uint32_t zombies_held;
};

struct zr_ev {
	enum zr_kind kind;
	uint64_t ktime_ns; /* CLOCK_BOOTTIME */

	/* subject */
	uint32_t pid, tid, ppid, uid, gid;
	uint32_t ns_pid, ns_tid, pidns; /* pidns 0: the initial namespace, fields omitted */
	uint64_t start_ns;		/* subject's start, ns since boot */
	uint64_t cgroup_id;
	const char *container_id; /* "containerd://<id>"..., NULL: not in a container (attrib.c) */
	const char *pod_uid;	  /* NULL: not in a Kubernetes pod */
	char comm[ZR_COMM_BUF];
	bool is_thread;
	bool is_release;   /* internal: the kernel freed the task (never printed) */
	bool is_unmatched; /* internal: the kernel's pid/cgroup filters did not pass the subject */
	uint8_t ns_level;  /* depth of the subject's pid namespace, 0 = initial */

	struct zr_ref parent; /* fork: the forker */

	union {
		struct {
			int error; /* 0 or positive errno */
			uint32_t old_pid;
			char old_comm[ZR_COMM_BUF];
			const char *filename; /* points into the record; NUL-terminated */
			const char *args;     /* argc NUL-terminated strings back to back */
			unsigned argc;
			bool argv_truncated;
		} exec;
		struct {
			struct zr_exit_status st;
			bool group_dead;
			uint64_t lifetime_ns;
			uint32_t ns_nr[4];   /* internal: tgid per pid-namespace level */
			uint32_t ns_inum[4]; /* internal: the namespace at each level */
		} exit;
		struct {
			enum zr_wait_sys syscall;
			int target;
			int options;	    /* raw bits as passed, for printing only */
			bool reports_stops; /* WUNTRACED or WCONTINUED asked for */
			bool args_unknown;  /* began before the trace (kernels before 5.15) */
			enum zr_wait_result result;
			uint32_t reaped_pid; /* initial-namespace pid, 0 when none */
			int error;	     /* positive errno when result is error/no_child */
			struct zr_exit_status st;
		} wait;
		struct {
			struct zr_ref reaper;
			enum zr_reap_how how;
			uint64_t zombie_ns;
			uint64_t lifetime_ns;
			struct zr_exit_status st;
		} reap;
		struct {
			int sig;
			int code;
			int result; /* TRACE_SIGNAL_* */
			struct zr_ref sender;
		} signal;
		struct {
			bool is_set; /* requested value */
			bool is_now; /* flag after the call */
			int error;   /* positive errno, 0 ok */
		} subreaper;
		struct {
			uint64_t count;
			const char *source; /* "ringbuf" */
		} lost;
		struct {
			uint64_t zombie_ns;
			enum zr_age_source age_source; /* how zombie_ns is known */
			struct zr_exit_status st;
			struct zr_parent_info pinfo; /* parent{} beside ev->parent */
			const char *reason_code;
			char reason[256];
		} zombie;
		struct {
			struct zr_ref old_parent,
			    new_parent; /* new_parent.role says how it adopted */
		} orphan;
		struct {
			char state; /* ps letter */
		} snapshot;
		struct {
			const char *action; /* "nudge" "inject" "kill-parent"; NULL: none yet */
			bool dry_run;
			const char *outcome; /* "reaped" "no_effect" "refused" "failed" "planned" */
			const char *policy;  /* the rule that decided ("default", "pid=42"...) */
			char reason[256];    /* for no_effect, refused, failed; else empty */
		} action;
		struct {
			const struct summary *stats; /* summary.h renders it; NULL: empty */
			uint64_t lost;		     /* events the kernel dropped in the run */
			uint64_t evicted;	     /* processes the full table forgot */
		} summary;
		struct {
			uint64_t events; /* stop: lines printed before it */
			uint64_t lost;
			uint64_t tracked; /* processes in the table at the end */
		} stop;
	} u;
};

#endif /* ZR_USER_EVENT_H */
