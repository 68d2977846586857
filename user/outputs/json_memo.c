/* json_memo.c - JSON fragments remembered by key, for the JSON sink (sink_json.c): a process's
 * members rendered once and copied on its later events.
 */
#include <string.h>

#include "json_memo.h"

_Static_assert((JSON_MEMO_SLOTS & (JSON_MEMO_SLOTS - 1)) == 0 && JSON_MEMO_SLOTS == 1u << 6,
	       "json_memo_hash keeps the top 6 bits");

const char *json_memo_find(const struct json_memo *m, unsigned hash, const void *key,
			   size_t key_len, size_t *text_len)
{
	const struct json_memo_slot *s = &m->slot[hash % JSON_MEMO_SLOTS];

	if (!key_len || s->key_len != key_len || memcmp(s->key, key, key_len) != 0)
		return NULL;
	*text_len = s->text_len;
	return s->text;
}

void json_memo_keep(struct json_memo *m, unsigned hash, const void *key, size_t key_len,
		    const char *text, size_t text_len)
{
	struct json_memo_slot *s = &m->slot[hash % JSON_MEMO_SLOTS];

	if (!key_len || key_len > sizeof(s->key) || text_len > sizeof(s->text))
		return;
	memcpy(s->key, key, key_len);
	memcpy(s->text, text, text_len);
	s->key_len = key_len;
	s->text_len = text_len;
}
