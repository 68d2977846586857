/* opts.h - command lines read from a table: one row per option says its names, how its value
 * is read, where it goes and what a bad value is told. getopt_long does the scanning; a
 * command keeps only its table and the checks that span several options.
 */
#ifndef ZR_OPTS_H
#define ZR_OPTS_H

#include <stdbool.h>
#include <stddef.h>

/* Keys of long-only options start here (a short option's key is its letter). */
#define OPT_LONG_ONLY 256
/* The most rows one command line may have. */
#define OPTS_MAX 40

enum opt_kind {
	OPT_FLAG,     /* dst bool *: set */
	OPT_COUNT,    /* dst int *: one more each time, up to max (0: no cap) */
	OPT_TEXT,     /* dst const char **: the value; refused when empty and bad is set */
	OPT_DURATION, /* dst uint64_t * (ns): a positive duration ("500ms", "2m") */
	OPT_AGE,      /* dst uint64_t * (ns): a duration or zero */
	OPT_ULONG,    /* dst unsigned long *: decimal digits, at most max */
	OPT_PID,      /* dst uint32_t *: a positive pid */
	OPT_CALL,     /* call(dst, key, value, err, len): 0, or -1 with its message in err (left
		       * empty: the row's bad message) */
	OPT_STOP,     /* dst int *: set to key, and reading stops (--help, --version) */
};

struct opt {
	const char *name; /* long name without "--"; NULL: short only */
	int key;	  /* the short letter, or OPT_LONG_ONLY + n */
	enum opt_kind kind;
	void *dst;
	/* The usage error for a bad value, after "LABEL: "; "%s" stands for the value, quoted
	 * safe for a terminal ("'%s' is not a positive duration (e.g. 500ms, 5s)"). */
	const char *bad;
	const char *label; /* how errors name the option; NULL: "--name" */
	unsigned long max;
	int (*call)(void *dst, int key, const char *value, char *err, size_t len);
};

struct opts_conf {
	const char *hint;     /* added to unknown-option errors: "try: zreaper reap --help" */
	bool stop_at_operand; /* the first operand ends the options (run's CMD keeps its own) */
	bool operands;	      /* operands are allowed; else "unexpected argument" */
	bool short_only;      /* no long options (tini's command line) */
};

/* Reads argv's options into the rows' destinations. Returns the index of the first operand
 * (argc when there is none), or -1 with a one-line message in err. An OPT_STOP row returns at
 * once. Uses getopt_long, so it resets and moves optind. */
int opts_parse(const struct opt *rows, size_t n, const struct opts_conf *c, int argc, char **argv,
	       char *err, size_t len);

/* "LABEL: " and bad with its "%s" replaced by value made safe to print: the usage error every
 * row gives. Also for a command's own checks and callbacks. */
void opts_bad_value(const char *label, const char *bad, const char *value, char *err, size_t len);

#endif /* ZR_OPTS_H */
