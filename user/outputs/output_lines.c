/* output_lines.c - the sink (sink_json.c, sink_text.c) behind the output interface: displayed
 * events become lines; the --output file is rotated between whole lines.
 */
#include <string.h>

#include "output_lines.h"

static int lines_observe(struct output *o, const struct zr_ev *ev, bool displayed)
{
	struct output_lines *l = o->ctx;
	int err;

	if (!displayed || l->err)
		return l->err;
	if (l->file) {
		/* Before the line, so the last file is never left empty. */
		err = outfile_rotate_if_full(l->file);
		l->sink.out = l->file->f; /* a rotation reopened it */
		if (err < 0)
			return l->err = err;
	}
	err = l->sink.ops->emit(&l->sink, ev);
	if (err < 0)
		l->err = err;
	return err;
}

static int lines_flush(struct output *o)
{
	struct output_lines *l = o->ctx;
	int err;

	if (l->err)
		return l->err;
	err = l->sink.ops->flush(&l->sink); /* no write when nothing is buffered */
	if (err < 0)
		l->err = err;
	return err;
}

static void lines_close(struct output *o)
{
	struct output_lines *l = o->ctx;

	if (l->sink.ops)
		l->sink.ops->close(&l->sink);
	l->sink.ops = NULL;
}

static const struct output_ops lines_ops = {
	.observe = lines_observe,
	.flush = lines_flush,
	.close = lines_close,
};

void output_lines_init(struct output_lines *l, const struct output_lines_conf *c)
{
	FILE *f = c->file ? c->file->f : c->f;

	memset(l, 0, sizeof(*l));
	l->out = (struct output){ &lines_ops, l };
	l->file = c->file;
	if (c->json)
		sink_json_init(&l->sink, f, c->info);
	else
		sink_text_init(&l->sink, f, c->info);
	/* Flushed per batch (pipeline_flush), which keeps every event prompt on a pipe. Lines
	 * gather in the sink until then, but for a file rotated by size: its size is read
	 * before each line, so each line must be in it by then. */
	l->sink.flush_each = false;
	l->sink.is_batched = !(c->file && c->file->max_bytes);
	l->sink.color = c->color;
	l->sink.boot_to_real_ns = c->boot_to_real_ns;
}
