/* log.h - the only place that writes diagnostics: stderr, "zreaper: ..." one line each. */
#ifndef ZR_LOG_H
#define ZR_LOG_H

enum log_level {
	LOG_ERROR,
	LOG_WARN,
	LOG_INFO,
	LOG_DEBUG,
};

extern int log_verbosity; /* messages above it are dropped; LOG_WARN by default */

void log_msg(enum log_level lvl, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* Flushes stdout at the end of a one-shot command. A failed write (a full disk, a closed
 * file) gets one line and fail_rc, so no output is lost silently; otherwise rc is returned. */
int log_finish_stdout(int rc, int fail_rc);

#define zr_err(...)                                                                                \
	do {                                                                                       \
		log_msg(LOG_ERROR, __VA_ARGS__);                                                   \
	} while (0)
#define zr_warn(...)                                                                               \
	do {                                                                                       \
		log_msg(LOG_WARN, __VA_ARGS__);                                                    \
	} while (0)
#define zr_info(...)                                                                               \
	do {                                                                                       \
		log_msg(LOG_INFO, __VA_ARGS__);                                                    \
	} while (0)
#define zr_debug(...)                                                                              \
	do {                                                                                       \
		log_msg(LOG_DEBUG, __VA_ARGS__);                                                   \
	} while (0)

#endif /* ZR_LOG_H */
