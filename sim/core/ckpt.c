#include "sim/ckpt.h"

#include <errno.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <zlib.h>

#define CKPT_BUF (1u << 20)
#define CKPT_TAG_LEN 16

struct sim_ckpt {
    FILE *f;
    bool loading;
    uint64_t off;
    uint32_t crc;
    unsigned char *buf; /* saving: bytes not yet written */
    size_t used;
    char err[256];
};

sim_ckpt *sim_ckpt_open(FILE *f, bool loading)
{
    sim_ckpt *c = calloc(1, sizeof *c);
    if (!c) return NULL;
    c->f = f;
    c->loading = loading;
    c->crc = (uint32_t)crc32(0L, Z_NULL, 0);
    if (!loading && !(c->buf = malloc(CKPT_BUF))) {
        free(c);
        return NULL;
    }
    return c;
}

static void io_failed(sim_ckpt *c, const char *what)
{
    if (c->err[0]) return;
    if (feof(c->f))
        snprintf(c->err, sizeof c->err, "%s at byte %llu: the file ends early", what,
                 (unsigned long long)c->off);
    else
        snprintf(c->err, sizeof c->err, "%s at byte %llu: %s", what, (unsigned long long)c->off,
                 strerror(errno ? errno : EIO));
}

static void drain(sim_ckpt *c)
{
    if (c->used && !c->err[0] && fwrite(c->buf, 1, c->used, c->f) != c->used)
        io_failed(c, "writing");
    c->used = 0;
}

int sim_ckpt_close(sim_ckpt *c)
{
    if (!c) return 0;
    if (!c->loading) drain(c);
    int rc = c->err[0] ? -1 : 0;
    free(c->buf);
    free(c);
    return rc;
}

bool sim_ckpt_loading(const sim_ckpt *c)
{
    return c->loading;
}

const char *sim_ckpt_err(const sim_ckpt *c)
{
    return c->err[0] ? c->err : NULL;
}

uint64_t sim_ckpt_offset(const sim_ckpt *c)
{
    return c->off;
}

uint32_t sim_ckpt_crc(const sim_ckpt *c)
{
    return c->crc;
}

void sim_ckpt_fail(sim_ckpt *c, const char *fmt, ...)
{
    if (c->err[0]) return;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(c->err, sizeof c->err, fmt, ap);
    va_end(ap);
}

static void crc_add(sim_ckpt *c, const void *p, size_t n)
{
    const unsigned char *b = p;
    while (n) {
        uInt k = n > (1u << 30) ? (1u << 30) : (uInt)n;
        c->crc = (uint32_t)crc32(c->crc, b, k);
        b += k;
        n -= k;
    }
}

void sim_ckpt_bytes(sim_ckpt *c, void *p, size_t n)
{
    if (c->err[0] || !n) return;
    if (c->loading) {
        if (fread(p, 1, n, c->f) != n) {
            io_failed(c, "reading");
            return;
        }
    } else if (n >= CKPT_BUF) {
        drain(c);
        if (!c->err[0] && fwrite(p, 1, n, c->f) != n) io_failed(c, "writing");
    } else {
        if (c->used + n > CKPT_BUF) drain(c);
        memcpy(c->buf + c->used, p, n);
        c->used += n;
    }
    if (c->err[0]) return;
    crc_add(c, p, n);
    c->off += n;
}

void sim_ckpt_tag(sim_ckpt *c, const char *tag)
{
    char want[CKPT_TAG_LEN] = {0}, got[CKPT_TAG_LEN];
    strncpy(want, tag, sizeof want - 1);
    memcpy(got, want, sizeof got);
    uint64_t at = c->off;
    sim_ckpt_bytes(c, got, sizeof got);
    if (!c->err[0] && memcmp(got, want, sizeof got) != 0) {
        got[sizeof got - 1] = 0;
        for (size_t k = 0; got[k]; k++)
            if (got[k] < 32 || got[k] > 126) got[k] = '?';
        sim_ckpt_fail(c, "at byte %llu: expected section '%s', found '%s'", (unsigned long long)at,
                      want, got);
    }
}

void sim_ckpt_same(sim_ckpt *c, uint64_t n, const char *what)
{
    uint64_t v = n;
    SIM_CKPT(c, v);
    if (!c->err[0] && v != n)
        sim_ckpt_fail(c, "%s: the checkpoint has %llu, this run's set-up %llu", what,
                      (unsigned long long)v, (unsigned long long)n);
}

void sim_ckpt_array(sim_ckpt *c, void **p, size_t *n, size_t *cap, size_t size, size_t max)
{
    uint64_t len = *n;
    SIM_CKPT(c, len);
    if (c->err[0]) return;
    if (c->loading) {
        if (len > max || (size && len > SIZE_MAX / size)) {
            sim_ckpt_fail(c, "at byte %llu: %llu records, more than the %zu this state can hold",
                          (unsigned long long)c->off, (unsigned long long)len, max);
            return;
        }
        free(*p);
        *p = NULL;
        *n = 0;
        if (cap) *cap = 0;
        if (len) {
            if (!(*p = malloc((size_t)len * size))) {
                sim_ckpt_fail(c, "out of memory loading %llu records", (unsigned long long)len);
                return;
            }
            *n = (size_t)len;
            if (cap) *cap = (size_t)len;
        }
    }
    if (len) sim_ckpt_bytes(c, *p, (size_t)len * size);
}

void sim_ckpt_part(sim_ckpt *c, void *p, uint32_t *n, size_t size, uint32_t max)
{
    uint32_t len = *n;
    SIM_CKPT(c, len);
    if (c->err[0]) return;
    if (len > max) {
        sim_ckpt_fail(c, "at byte %llu: %u records, more than the %u room is made for",
                      (unsigned long long)c->off, len, max);
        return;
    }
    *n = len;
    sim_ckpt_bytes(c, p, (size_t)len * size);
}

void sim_ckpt_vec(sim_ckpt *c, sim_vec *v)
{
    sim_ckpt_same(c, v->size, "record size");
    sim_ckpt_array(c, &v->v, &v->n, &v->cap, v->size, SIZE_MAX / 2);
}
