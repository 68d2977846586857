/* reap_policy.h - `reap`'s policy: which actions, on which parents, how fast. Pure functions
 * over what cmd_reap.c read from procfs: parsing, selection, the protected list, the rate cap.
 */
#ifndef ZR_REAP_POLICY_H
#define ZR_REAP_POLICY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

enum rp_action {
	RP_NUDGE,	/* SIGCHLD to the parent */
	RP_INJECT,	/* ptrace-injected waitid in the parent */
	RP_KILL_PARENT, /* SIGTERM, then SIGKILL, to the parent */
	RP__COUNT
};

enum rp_key {
	RP_KEY_PID,
	RP_KEY_UID,
	RP_KEY_COMM,
	RP_KEY_CGROUP,
};

#define RP_MATCH_MAX 32
#define RP_VALUE_MAX 256

/* One --only/--except KEY=VALUE. */
struct rp_match {
	enum rp_key key;
	uint32_t num;		 /* pid, uid */
	char text[RP_VALUE_MAX]; /* comm (fnmatch pattern), cgroup path; the value as given */
	char label[RP_VALUE_MAX + 8];
};

struct reap_policy {
	enum rp_action actions[RP__COUNT];
	int n_actions;
	struct rp_match only[RP_MATCH_MAX], except[RP_MATCH_MAX];
	int n_only, n_except;
	uint64_t older_ns, step_ns;
	unsigned max_per_min; /* 0: no cap */
	bool dry_run;
};

/* The parent as the policy sees it. */
struct rp_parent {
	uint32_t pid;	    /* as zreaper sees it */
	uint32_t uid;	    /* real uid */
	const char *comm;   /* raw comm */
	const char *cgroup; /* cgroup v2 path ("/system.slice/x"), NULL when unknown */
	bool is_host_init;  /* PID 1 of zreaper's (the host's) pid namespace */
	bool is_kthread;    /* PF_KTHREAD, or a child of kthreadd */
};

enum rp_verdict {
	RP_SELECTED,
	RP_NOT_SELECTED, /* outside every --only, or inside an --except */
	RP_PROTECTED,	 /* protected list, and not named by --only pid=N */
};

/* Sets the defaults: actions nudge, older than 30 s, step 2 s, 60 actions per minute. */
void reap_policy_init(struct reap_policy *p);

/* "nudge,inject,kill-parent" in any order, no repeats. Returns 0, or -EINVAL with *bad
 * pointing at the offending name in list (a copy in bad_buf). */
int reap_policy_parse_actions(struct reap_policy *p, const char *list, char *bad_buf,
			      size_t bad_len);

/* KEY=VALUE for --only (is_only) or --except. uid accepts a name via resolve_uid (may be NULL:
 * numbers only). Returns 0, -EINVAL (malformed, unknown key), -ENOENT (no such user) or
 * -E2BIG (too many). */
int reap_policy_add_match(struct reap_policy *p, bool is_only, const char *kv,
			  int (*resolve_uid)(const char *s, uint32_t *uid));

/* "nudge", "inject", "kill-parent". */
const char *reap_policy_action_name(enum rp_action a);

/* The comm is on the protected list (init systems, sshd, container runtimes and shims). */
bool reap_policy_is_protected_comm(const char *comm);

/* The protected list as one line for --help. */
const char *reap_policy_protected_list(void);

/* Decides whether the policy acts on this parent's zombies. *rule names what decided, for the
 * event's `policy` field (static or inside p); why (len bytes) gets a sentence for refusals. */
enum rp_verdict reap_policy_select(const struct reap_policy *p, const struct rp_parent *par,
				   const char **rule, char *why, size_t len);

/* A rate cap of n actions per minute (GCRA: at most n in any 60 s, bursts allowed). */
struct rp_rate {
	unsigned per_min; /* 0: unlimited */
	uint64_t tat_ns;  /* theoretical arrival time of the next action */
};

void reap_policy_rate_init(struct rp_rate *r, unsigned per_min);

/* Takes one action slot at now_ns; returns false (nothing taken) when over the cap. */
bool reap_policy_rate_take(struct rp_rate *r, uint64_t now_ns);

/* When the next slot frees, in ns from now_ns (0: one is free now). */
uint64_t reap_policy_rate_wait(const struct rp_rate *r, uint64_t now_ns);

/* True when cgroup (a v2 path) is path or below it. */
bool reap_policy_cgroup_under(const char *cgroup, const char *path);

#endif /* ZR_REAP_POLICY_H */
