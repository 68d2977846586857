/* json_memo.h - JSON fragments remembered by key: the members that describe a process are the
 * same on each of its events (a fork, its exit, the SIGCHLD, the wait, the reap), so the JSON
 * sink renders them once and copies them after. Direct-mapped: a slot holds the last fragment
 * whose hash chose it; a key that differs in any byte is a miss, so a hit is always exact.
 */
#ifndef ZR_JSON_MEMO_H
#define ZR_JSON_MEMO_H

#include <stddef.h>
#include <stdint.h>

#define JSON_MEMO_SLOTS 64  /* a power of two */
#define JSON_MEMO_KEY	96  /* bytes of key at most */
#define JSON_MEMO_TEXT	320 /* bytes of text at most: longer fragments are not kept */

struct json_memo_slot {
	size_t key_len, text_len; /* key_len 0: empty */
	unsigned char key[JSON_MEMO_KEY];
	char text[JSON_MEMO_TEXT];
};

struct json_memo {
	struct json_memo_slot slot[JSON_MEMO_SLOTS];
};

/* The slot a 32-bit id (a pid) chooses: multiplicative hashing, the high bits. */
static inline unsigned json_memo_hash(uint32_t id)
{
	return (id * 2654435761u) >> 26; /* 32 - log2(JSON_MEMO_SLOTS) */
}

/* The text kept for key in slot hash, its length in *text_len; NULL when the slot holds
 * another key. The key's every byte counts: callers zero its padding. */
const char *json_memo_find(const struct json_memo *m, unsigned hash, const void *key,
			   size_t key_len, size_t *text_len);

/* Keeps text for key in slot hash, in place of what was there; does nothing when the key or
 * the text is too long to keep. */
void json_memo_keep(struct json_memo *m, unsigned hash, const void *key, size_t key_len,
		    const char *text, size_t text_len);

#endif /* ZR_JSON_MEMO_H */
