/* detect.c - the reason a zombie stays unreaped, from the most to the least specific cause:
 * the process is not fully dead, the parent cannot run, cannot hear SIGCHLD, waits for
 * something else, or simply does not wait.
 */
#include <stdio.h>
#include <string.h>

#include "detect.h"
#include "escape.h"
#include "procsrc.h"
#include "names.h"

#define SIGCHLD_BIT (1ULL << (17 - 1))

char detect_parent_from(uint32_t ppid, const struct procfs_stat *st, const struct procfs_status *ss,
			struct zr_parent_info *pi, bool *is_init, struct zr_ref *ref)
{
	pi->state = "unknown";
	pi->sigchld = NULL;
	pi->sigchld_blocked = false;
	*is_init = ppid == 1;
	ref->pid = ppid;
	ref->comm[0] = '\0';
	if (!ppid || !st)
		return 0;
	memcpy(ref->comm, st->comm, ZR_COMM_BUF);
	ref->start_ns = procfs_ticks_to_ns(st->start_ticks);
	pi->state = names_state(st->state);
	if (ss) {
		pi->sigchld = (ss->sig_ign & SIGCHLD_BIT)   ? "ignored"
			      : (ss->sig_cgt & SIGCHLD_BIT) ? "handler"
							    : "default";
		pi->sigchld_blocked = ss->sig_blk & SIGCHLD_BIT;
		if (ss->ns_pid == 1)
			*is_init = true;
	}
	return st->state;
}

char detect_parent_procfs(const struct procsrc *src, uint32_t ppid, struct zr_parent_info *pi,
			  bool *is_init, struct zr_ref *ref)
{
	struct procfs_stat st;
	struct procfs_status ss;
	bool has_stat = ppid && procsrc_stat(src, ppid, &st) == 0;

	return detect_parent_from(ppid, has_stat ? &st : NULL,
				  has_stat && procsrc_status(src, ppid, &ss) == 0 ? &ss : NULL, pi,
				  is_init, ref);
}

static void fmt_secs(char *buf, size_t len, uint64_t ns)
{
	snprintf(buf, len, "%.1f s", (double)ns / 1e9);
}

/* The zombie is not fully dead, or its parent cannot act on it: gone, stopped, traced or
 * exiting itself. Returns false when none of these holds. */
static bool reason_cannot_act(const struct detect_case *c, const char *comm, const char *held,
			      const char **code, char *buf, size_t len)
{
	if (c->threads_running > 0) {
		*code = "threads_running";
		snprintf(buf, len,
			 "leader %u exited but %d thread%s still run%s; it is reaped after the "
			 "last one exits",
			 c->pid, c->threads_running, c->threads_running == 1 ? "" : "s",
			 c->threads_running == 1 ? "s" : "");
	} else if (!c->parent_state) {
		*code = "parent_gone";
		snprintf(buf, len,
			 "parent %u is gone; the zombie waits for the process that adopts it",
			 c->ppid);
	} else if (c->parent_state == 'T') {
		*code = "parent_stopped";
		snprintf(buf, len,
			 "parent %u (%s) is stopped; it cannot reap until it gets SIGCONT%s",
			 c->ppid, comm, held);
	} else if (c->parent_state == 't') {
		*code = "parent_traced";
		snprintf(buf, len, "parent %u (%s) is stopped by a tracer%s", c->ppid, comm, held);
	} else if (c->parent_state == 'Z' || c->parent_state == 'X') {
		*code = "parent_exiting";
		snprintf(buf, len,
			 "parent %u (%s) is exiting itself; its children go to their new parent",
			 c->ppid, comm);
	} else {
		return false;
	}
	return true;
}

/* The parent could reap and does not: what its waits (when traced) or its SIGCHLD disposition
 * say. who names it, age is how long the zombie has been dead, held how many it holds. */
static void reason_not_reaping(const struct detect_case *c, const char *who, const char *age,
			       const char *held, const char **code, char *buf, size_t len)
{
	const struct zr_parent_info *pi = c->pinfo;
	const char *sep = c->is_age_known ? " " : "", *ago = c->is_age_known ? " ago" : "";

	if (!c->is_age_known)
		age = "";
	if (pi->sigchld_blocked && !c->waited_since_exit) {
		*code = "sigchld_blocked";
		snprintf(buf, len,
			 "%s blocks SIGCHLD and has not called wait since the child exited%s%s%s",
			 who, sep, age, ago);
	} else if (c->has_wait_history && pi->last_wait_ns && c->last_wait_target > 0 &&
		   (uint32_t)c->last_wait_target != c->pid) {
		*code = "parent_waits_other";
		snprintf(buf, len, "%s waits only for pid %d, not for this child%s", who,
			 c->last_wait_target, held);
	} else if (c->has_wait_history && !pi->last_wait_ns) {
		*code = "parent_never_waits";
		snprintf(buf, len, "%s has never called wait since tracing started%s", who, held);
	} else if (c->has_wait_history && c->waited_since_exit) {
		*code = "parent_not_reaping";
		snprintf(buf, len,
			 "%s has called wait since the child exited without reaping it (a WNOWAIT "
			 "peek, a wait for other children, or a clone child without __WALL)%s",
			 who, held);
	} else if (c->has_wait_history) {
		*code = "parent_not_waiting";
		snprintf(buf, len, "%s has not called wait since the child exited%s%s%s%s", who,
			 sep, age, ago, held);
	} else if (pi->sigchld && !strcmp(pi->sigchld, "handler")) {
		*code = "handler_not_reaping";
		snprintf(buf, len, "%s has a SIGCHLD handler that does not reap this child%s", who,
			 held);
	} else {
		*code = "parent_not_waiting";
		snprintf(buf, len, "%s has not reaped it (SIGCHLD %s)%s", who,
			 pi->sigchld ? pi->sigchld : "unknown", held);
	}
}

void detect_reason(const struct detect_case *c, const char **code, char *buf, size_t len)
{
	char who[160], comm[80], age[32], held[64] = "";

	escape_str(ESCAPE_TEXT, c->parent_comm ? c->parent_comm : "", ZR_COMM_BUF - 1, comm,
		   sizeof(comm));
	snprintf(who, sizeof(who), "parent %u (%s)%s", c->ppid, comm,
		 c->parent_is_init ? " is PID 1 of its pid namespace and" : "");
	fmt_secs(age, sizeof(age), c->zombie_ns);
	if (c->pinfo->zombies_held > 1)
		snprintf(held, sizeof(held), "; it holds %u zombies", c->pinfo->zombies_held);
	if (!reason_cannot_act(c, comm, held, code, buf, len))
		reason_not_reaping(c, who, age, held, code, buf, len);
}
