/* names.h - the words of the event vocabulary: what each decoded value is called in the JSON
 * and text outputs. One place, so every output and every command spells them alike.
 */
#ifndef ZR_NAMES_H
#define ZR_NAMES_H

#include <stddef.h>

#include "event.h"

/* A task state letter of /proc: "running" "sleeping" "disk_sleep" "stopped" "traced" "zombie"
 * "dead" "idle" "parked" "waking" "wakekill", else "unknown". */
const char *names_state(char state);

/* TRACE_SIGNAL_* (signal_generate's result): "delivered" "ignored" "already_pending"
 * "overflow_fail" "lose_info", else "unknown". */
const char *names_signal_result(int result);

/* The same for people ("queue full"...); NULL for delivered (the norm) and unknown values. */
const char *names_signal_result_words(int result);

/* "reaped" "no_child" "would_block" "stopped" "continued" "peeked" "error". */
const char *names_wait_result(enum zr_wait_result r);

/* "wait4" "waitid". */
const char *names_wait_syscall(enum zr_wait_sys s);

/* Wait option bits for people: "WNOHANG|WUNTRACED", unnamed bits as "0x..."; "" for none. */
void names_wait_options(int options, char *buf, size_t len);

/* "wait4" "waitid" "autoreap" "self", else "unknown". */
const char *names_reap_how(enum zr_reap_how h);

/* How a zombie's age is known: "trace" "sched" "start_bound"; NULL when unknown. */
const char *names_age_source(enum zr_age_source s);

/* "parent" "subreaper" "pidns_init" "thread" "kernel"; NULL out of range. The pointer is what
 * zr_ref.role holds. */
const char *names_role(enum zr_role r);

#endif /* ZR_NAMES_H */
