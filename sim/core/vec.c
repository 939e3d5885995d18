#include "sim/vec.h"

#include <stdlib.h>
#include <string.h>

int sim_vec_reserve(sim_vec *v, size_t cap)
{
    if (cap <= v->cap) return 0;
    if (v->size && cap > (size_t)-1 / v->size) return -1;
    void *p = realloc(v->v, cap * v->size);
    if (!p) return -1;
    v->v = p;
    v->cap = cap;
    return 0;
}

int sim_vec_grow(sim_vec *v)
{
    return v->n < v->cap ? 0 : sim_vec_reserve(v, v->cap ? v->cap * 2 : 64);
}

int sim_vec_push(sim_vec *v, const void *x)
{
    if (sim_vec_grow(v)) return -1;
    memcpy((char *)v->v + v->n * v->size, x, v->size);
    v->n++;
    return 0;
}

void *sim_vec_push_zero(sim_vec *v)
{
    if (sim_vec_grow(v)) return NULL;
    void *p = (char *)v->v + v->n * v->size;
    memset(p, 0, v->size);
    v->n++;
    return p;
}

void sim_vec_drop_front(sim_vec *v, size_t k)
{
    if (k >= v->n) {
        v->n = 0;
        return;
    }
    memmove(v->v, (char *)v->v + k * v->size, (v->n - k) * v->size);
    v->n -= k;
}

void sim_vec_free(sim_vec *v)
{
    free(v->v);
    v->v = NULL;
    v->n = v->cap = 0;
}
