/* pidset.c - open-addressing hash set of non-zero pids with backward-shift deletion. */
#include <errno.h>
#include <stdlib.h>

#include "pidset.h"

struct zr_pidset {
	uint32_t *slot; /* 0 = empty */
	uint32_t mask;
	uint32_t count;
};

static uint32_t home(const struct zr_pidset *s, uint32_t pid)
{
	return (pid * 2654435761u) & s->mask;
}

struct zr_pidset *pidset_new(void)
{
	struct zr_pidset *s = calloc(1, sizeof(*s));

	if (!s)
		return NULL;
	s->mask = 63;
	s->slot = calloc(s->mask + 1, sizeof(*s->slot));
	if (!s->slot) {
		free(s);
		return NULL;
	}
	return s;
}

void pidset_free(struct zr_pidset *s)
{
	if (!s)
		return;
	free(s->slot);
	free(s);
}

bool pidset_has(const struct zr_pidset *s, uint32_t pid)
{
	uint32_t i;

	if (!s || !pid)
		return false;
	for (i = home(s, pid); s->slot[i]; i = (i + 1) & s->mask)
		if (s->slot[i] == pid)
			return true;
	return false;
}

static void put(struct zr_pidset *s, uint32_t pid)
{
	uint32_t i;

	for (i = home(s, pid); s->slot[i]; i = (i + 1) & s->mask)
		if (s->slot[i] == pid)
			return;
	s->slot[i] = pid;
	s->count++;
}

int pidset_add(struct zr_pidset *s, uint32_t pid)
{
	if (!pid)
		return 0;
	if ((s->count + 1) * 2 > s->mask + 1) {
		struct zr_pidset big = { .mask = s->mask * 2 + 1 };
		uint32_t i;

		big.slot = calloc(big.mask + 1, sizeof(*big.slot));
		if (!big.slot)
			return -ENOMEM;
		for (i = 0; i <= s->mask; i++)
			if (s->slot[i])
				put(&big, s->slot[i]);
		free(s->slot);
		*s = big;
	}
	put(s, pid);
	return 0;
}

void pidset_del(struct zr_pidset *s, uint32_t pid)
{
	uint32_t i, j, h;

	if (!pid)
		return;
	for (i = home(s, pid); s->slot[i] != pid; i = (i + 1) & s->mask)
		if (!s->slot[i])
			return;
	s->slot[i] = 0;
	s->count--;
	/* Shift later members of the probe run back so lookups still find them. */
	for (j = (i + 1) & s->mask; s->slot[j]; j = (j + 1) & s->mask) {
		h = home(s, s->slot[j]);
		if (((j - h) & s->mask) >= ((j - i) & s->mask)) {
			s->slot[i] = s->slot[j];
			s->slot[j] = 0;
			i = j;
		}
	}
}
