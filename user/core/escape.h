/* escape.h - the one escaper for untrusted text (comm, filename, argv): two modes.
 * JSON: '"' '\\' and every byte < 0x20 and 0x7f become JSON escapes; each byte that is not
 *   part of valid UTF-8 becomes one U+FFFD. The result is always valid JSON string content.
 * TEXT (terminal): printable ASCII and valid UTF-8 pass; '\\' becomes "\\\\"; ESC "\e",
 *   "\n" "\t" "\r"; other control bytes, 0x7f and invalid UTF-8 bytes "\xNN".
 */
#ifndef ZR_ESCAPE_H
#define ZR_ESCAPE_H

#include <stddef.h>
#include <stdio.h>

enum escape_mode {
	ESCAPE_JSON,
	ESCAPE_TEXT,
};

/* Escapes len bytes of s (stops early at a NUL) into out, which holds outlen bytes;
 * always NUL-terminates when outlen > 0 and never splits an escape. Returns the length the
 * full escaped text needs (like snprintf), so a caller can detect truncation. */
size_t escape_str(enum escape_mode mode, const char *s, size_t len, char *out, size_t outlen);

/* Writes the escaped text straight to f. Returns 0 or -1 (ferror set). */
int escape_fputs(enum escape_mode mode, const char *s, size_t len, FILE *f);

#endif /* ZR_ESCAPE_H */
