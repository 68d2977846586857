/* reap_policy.c - `reap`'s policy decisions: the action list, --only/--except on the parent, the
 * protected list and the rate cap. Pure: no procfs, no clocks, no output.
 */
#include <errno.h>
#include <fnmatch.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "reap_policy.h"

#define NS_PER_MIN 60000000000ULL

static const char *const action_names[RP__COUNT] = {
	[RP_NUDGE] = "nudge",
	[RP_INJECT] = "inject",
	[RP_KILL_PARENT] = "kill-parent",
};

/* Init systems, remote access and container runtimes: killing or stopping them, even for a
 * moment, hurts far more than a zombie. fnmatch patterns on comm. */
static const char *const protected_comms[] = {
	"systemd", "init", "sshd",    "containerd", "containerd-shim*",
	"runc",	   "crun", "dockerd", "conmon",
};

static const char *const key_names[] = {
	[RP_KEY_PID] = "pid",
	[RP_KEY_UID] = "uid",
	[RP_KEY_COMM] = "comm",
	[RP_KEY_CGROUP] = "cgroup",
};

void reap_policy_init(struct reap_policy *p)
{
	memset(p, 0, sizeof(*p));
	p->actions[0] = RP_NUDGE;
	p->n_actions = 1;
	p->older_ns = 30 * 1000000000ULL;
	p->step_ns = 2 * 1000000000ULL;
	p->max_per_min = 60;
}

const char *reap_policy_action_name(enum rp_action a)
{
	return (unsigned)a < RP__COUNT ? action_names[a] : "unknown";
}

int reap_policy_parse_actions(struct reap_policy *p, const char *list, char *bad_buf,
			      size_t bad_len)
{
	enum rp_action got[RP__COUNT] = { RP_NUDGE };
	const char *s = list;
	int n = 0;

	for (;;) {
		size_t len = strcspn(s, ",");
		int a, found = -1;

		for (a = 0; a < RP__COUNT; a++)
			if (len == strlen(action_names[a]) && !strncmp(s, action_names[a], len))
				found = a;
		for (a = 0; found >= 0 && a < n; a++)
			if (got[a] == (enum rp_action)found)
				found = -1; /* a repeat is as wrong as a typo */
		if (found < 0 || n >= RP__COUNT) {
			snprintf(bad_buf, bad_len, "%.*s", (int)len, s);
			return -EINVAL;
		}
		got[n++] = (enum rp_action)found;
		if (!s[len])
			break;
		s += len + 1;
	}
	memcpy(p->actions, got, sizeof(got[0]) * (size_t)n);
	p->n_actions = n;
	return 0;
}

static int parse_u32(const char *s, uint32_t *v)
{
	unsigned long long n;
	char *end;

	if (*s < '0' || *s > '9')
		return -EINVAL;
	errno = 0;
	n = strtoull(s, &end, 10);
	if (errno || *end || n > 0x7fffffffULL)
		return -EINVAL;
	*v = (uint32_t)n;
	return 0;
}

int reap_policy_add_match(struct reap_policy *p, bool is_only, const char *kv,
			  int (*resolve_uid)(const char *s, uint32_t *uid))
{
	struct rp_match *m = is_only ? &p->only[p->n_only] : &p->except[p->n_except];
	const char *eq = strchr(kv, '='), *val;
	size_t klen;
	int k, rc;

	if ((is_only ? p->n_only : p->n_except) >= RP_MATCH_MAX)
		return -E2BIG;
	if (!eq || eq == kv || !eq[1])
		return -EINVAL;
	val = eq + 1;
	klen = (size_t)(eq - kv);
	memset(m, 0, sizeof(*m));
	for (k = 0; k < (int)(sizeof(key_names) / sizeof(key_names[0])); k++)
		if (klen == strlen(key_names[k]) && !strncmp(kv, key_names[k], klen))
			break;
	if (k == (int)(sizeof(key_names) / sizeof(key_names[0])) || strlen(val) >= RP_VALUE_MAX)
		return -EINVAL;
	m->key = (enum rp_key)k;
	switch (m->key) {
	case RP_KEY_PID:
		if (parse_u32(val, &m->num) || !m->num)
			return -EINVAL;
		break;
	case RP_KEY_UID:
		if (parse_u32(val, &m->num)) {
			if (!resolve_uid)
				return -EINVAL;
			rc = resolve_uid(val, &m->num);
			if (rc)
				return rc;
		}
		break;
	case RP_KEY_CGROUP:
		if (val[0] != '/')
			return -EINVAL;
		break;
	case RP_KEY_COMM:
	default:
		break;
	}
	snprintf(m->text, sizeof(m->text), "%s", val);
	snprintf(m->label, sizeof(m->label), "%s=%s", key_names[k], val);
	if (is_only)
		p->n_only++;
	else
		p->n_except++;
	return 0;
}

bool reap_policy_cgroup_under(const char *cgroup, const char *path)
{
	size_t n = strlen(path);

	while (n > 1 && path[n - 1] == '/')
		n--;
	if (n == 1 && path[0] == '/')
		return cgroup[0] == '/';
	return !strncmp(cgroup, path, n) && (cgroup[n] == '\0' || cgroup[n] == '/');
}

static bool match_one(const struct rp_match *m, const struct rp_parent *par)
{
	switch (m->key) {
	case RP_KEY_PID:
		return par->pid == m->num;
	case RP_KEY_UID:
		return par->uid == m->num;
	case RP_KEY_COMM:
		return par->comm && !fnmatch(m->text, par->comm, 0);
	case RP_KEY_CGROUP:
		return par->cgroup && reap_policy_cgroup_under(par->cgroup, m->text);
	default:
		return false;
	}
}

bool reap_policy_is_protected_comm(const char *comm)
{
	size_t i;

	for (i = 0; i < sizeof(protected_comms) / sizeof(protected_comms[0]); i++)
		if (!fnmatch(protected_comms[i], comm, 0))
			return true;
	return false;
}

const char *reap_policy_protected_list(void)
{
	return "the host's PID 1, kernel threads, and by comm: systemd, init, sshd, containerd, "
	       "containerd-shim*, runc, crun, dockerd, conmon";
}

/* --only: for each key used, one of its values must match (values OR, keys AND). *first gets
 * the first matching entry. */
static bool only_matches(const struct reap_policy *p, const struct rp_parent *par,
			 const struct rp_match **first)
{
	int k, i;

	*first = NULL;
	for (k = RP_KEY_PID; k <= RP_KEY_CGROUP; k++) {
		bool used = false, hit = false;

		for (i = 0; i < p->n_only; i++) {
			if (p->only[i].key != (enum rp_key)k)
				continue;
			used = true;
			if (match_one(&p->only[i], par)) {
				hit = true;
				if (!*first)
					*first = &p->only[i];
			}
		}
		if (used && !hit)
			return false;
	}
	return true;
}

static bool named_by_pid(const struct reap_policy *p, const struct rp_parent *par)
{
	int i;

	for (i = 0; i < p->n_only; i++)
		if (p->only[i].key == RP_KEY_PID && p->only[i].num == par->pid)
			return true;
	return false;
}

enum rp_verdict reap_policy_select(const struct reap_policy *p, const struct rp_parent *par,
				   const char **rule, char *why, size_t len)
{
	const struct rp_match *first;
	int i;

	why[0] = '\0';
	/* A kernel thread cannot be nudged into waiting or injected: never, whatever the flags. */
	if (par->is_kthread) {
		*rule = "protected:kthread";
		snprintf(why, len, "parent %u is a kernel thread (protected)", par->pid);
		return RP_PROTECTED;
	}
	if (!only_matches(p, par, &first)) {
		*rule = "only";
		snprintf(why, len, "parent %u is outside every --only selection", par->pid);
		return RP_NOT_SELECTED;
	}
	for (i = 0; i < p->n_except; i++) {
		if (match_one(&p->except[i], par)) {
			*rule = "except";
			snprintf(why, len, "parent %u matches --except %s", par->pid,
				 p->except[i].label);
			return RP_NOT_SELECTED;
		}
	}
	if (!named_by_pid(p, par)) {
		if (par->is_host_init) {
			*rule = "protected:host_init";
			snprintf(why, len,
				 "parent %u is the host's PID 1 (protected; name it with --only "
				 "pid=%u to act on it)",
				 par->pid, par->pid);
			return RP_PROTECTED;
		}
		if (par->comm && reap_policy_is_protected_comm(par->comm)) {
			*rule = "protected:comm";
			snprintf(
			    why, len,
			    "parent %u's command is on the protected list (name it with --only "
			    "pid=%u to act on it)",
			    par->pid, par->pid);
			return RP_PROTECTED;
		}
	}
	*rule = first ? first->label : "default";
	return RP_SELECTED;
}

void reap_policy_rate_init(struct rp_rate *r, unsigned per_min)
{
	r->per_min = per_min;
	r->tat_ns = 0;
}

/* GCRA: each action pushes the theoretical arrival time on by 60 s / n; one is allowed while
 * that time is at most 60 s - 60 s / n ahead of now, i.e. n at once, then n per minute. */
bool reap_policy_rate_take(struct rp_rate *r, uint64_t now_ns)
{
	uint64_t t, tat;

	if (!r->per_min)
		return true;
	if (reap_policy_rate_wait(r, now_ns))
		return false;
	t = NS_PER_MIN / r->per_min;
	tat = r->tat_ns > now_ns ? r->tat_ns : now_ns;
	r->tat_ns = tat + t;
	return true;
}

uint64_t reap_policy_rate_wait(const struct rp_rate *r, uint64_t now_ns)
{
	uint64_t t, burst;

	if (!r->per_min)
		return 0;
	t = NS_PER_MIN / r->per_min;
	burst = NS_PER_MIN - t;
	if (r->tat_ns <= now_ns + burst)
		return 0;
	return r->tat_ns - (now_ns + burst);
}
