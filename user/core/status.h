/* status.h - raw kernel exit status -> exit_code / signal / core_dumped; signal names. */
#ifndef ZR_STATUS_H
#define ZR_STATUS_H

#include <stdbool.h>
#include <stddef.h>

#include "event.h"

/* Decodes a wait-style status (exit code << 8 | 0x80 core | signal). */
struct zr_exit_status status_decode(int raw);

/* "SIGKILL"; for a number with no name "SIGRT5"-style or "SIG64"; never NULL. */
const char *status_signal_name(int sig);

/* Parses "KILL", "SIGKILL", "sigkill" or "9"; returns the number or -1. */
int status_signal_parse(const char *s);

/* People's words: "exit 3", "killed by SIGKILL", "SIGSEGV (core dumped)". */
void status_describe(const struct zr_exit_status *st, char *buf, size_t len);

/* errno name ("ENOENT"), or "E<n>" when unknown; buf used only then. */
const char *status_errno_name(int err, char *buf, size_t len);

#endif /* ZR_STATUS_H */
