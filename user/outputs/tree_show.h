/* tree_show.h - drawing a process tree (as `zreaper tree` does) from any /proc source. */
#ifndef ZR_TREE_SHOW_H
#define ZR_TREE_SHOW_H

#include <stdbool.h>
#include <stdint.h>

struct procsrc;

/* Prints the tree (or the subtree under root_pid, when not 0) as text or JSON on stdout, as of
 * now_ns (CLOCK_BOOTTIME: the zombies' ages). Returns ZR_EXIT_OK, or ZR_EXIT_RUNTIME after
 * printing why. */
int tree_show(const struct procsrc *src, uint32_t root_pid, uint64_t now_ns, bool json);

#endif /* ZR_TREE_SHOW_H */
