#include "diag.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

bool sim_diag_full(const sim_diag *dg)
{
    return dg->n >= SIM_DIAG_MAX;
}

/* Printable, one-line form of user text inside a message, cut to fit BUF with "...". */
void sim_show(const char *s, size_t n, char *buf, size_t len)
{
    if (len < 8) return;
    size_t o = 0, cut = n < len ? n : len - 4;
    for (size_t i = 0; i < cut; i++) {
        unsigned char c = (unsigned char)s[i];
        buf[o++] = (c >= 0x20 && c != 0x7f) ? (char)c : '?';
    }
    if (cut < n)
        for (int i = 0; i < 3; i++)
            buf[o++] = '.';
    buf[o] = '\0';
}

void sim_diag_add(sim_diag *dg, int order, int line, int col, const char *fmt, ...)
{
    if (sim_diag_full(dg)) return;
    char text[512];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(text, sizeof text, fmt, ap);
    va_end(ap);
    sim_diag_rec *e = &dg->recs[dg->n];
    e->text = strdup(text);
    if (!e->text) return;
    e->order = order;
    e->line = line;
    e->col = col;
    e->seq = dg->seq++;
    dg->n++;
}

/* "FILE:LINE:COL: PATH: message" */
void sim_diag_at(sim_diag *dg, const sim_ydoc *d, int line, int col, const char *path,
                 const char *fmt, ...)
{
    if (sim_diag_full(dg)) return;
    char msg[400];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    sim_diag_add(dg, d->order, line, col, "%s:%d:%d: %s: %s", d->file, line, col, path, msg);
}

static int cmp_err(const void *a, const void *b)
{
    const sim_diag_rec *x = a, *y = b;
    if (x->order != y->order) return x->order < y->order ? -1 : 1;
    if (x->line != y->line) return x->line < y->line ? -1 : 1;
    if (x->col != y->col) return x->col < y->col ? -1 : 1;
    return x->seq < y->seq ? -1 : x->seq > y->seq;
}

void sim_diag_flush(sim_diag *dg, char *err, size_t errlen)
{
    qsort(dg->recs, (size_t)dg->n, sizeof dg->recs[0], cmp_err);
    size_t o = 0;
    if (err && errlen > 0) err[0] = '\0';
    for (int i = 0; i < dg->n; i++) {
        if (err && errlen > 0 && o < errlen) {
            int w = snprintf(err + o, errlen - o, "%s%s", i ? "\n" : "", dg->recs[i].text);
            o += w > 0 ? (size_t)w : 0;
        }
        free(dg->recs[i].text);
    }
}
