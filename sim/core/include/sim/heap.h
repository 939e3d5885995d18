/* Binary min-heaps of plain records, one implementation instantiated per element type.
 *
 * SIM_HEAP_DEFINE(name, type, less) defines `name` (the heap: v, n, cap) and static inline
 * name_push / name_pop / name_replace_top / name_build / name_reserve / name_free, with LESS
 * inlined (the engine's event queues are its hottest code; a comparison through a function
 * pointer costs measurably).  Every push that may grow reports an allocation failure.
 *
 * The order in which equal keys leave the heap is a pure function of the sequence of
 * operations (sift-up on push, sift-down of the last element on pop), so a run that pushes
 * and pops the same records in the same order pops them in the same order: traces depend on
 * it.  Give LESS a total order where ties matter.
 *
 * Not here: priorities that change in place (no decrease-key), thread safety.
 */
#ifndef SIM_HEAP_H
#define SIM_HEAP_H

#include <stdint.h>
#include <stdlib.h>

#define SIM_HEAP_DEFINE(name, type, less)                                                       \
    typedef struct name {                                                                      \
        type *v;                                                                               \
        uint32_t n, cap;                                                                       \
    } name;                                                                                    \
                                                                                               \
    /* Room for at least CAP records; 0 or -1 (out of memory, heap unchanged). */               \
    static inline int name##_reserve(name *h, uint32_t cap)                                    \
    {                                                                                          \
        if (cap <= h->cap) return 0;                                                           \
        type *v = realloc(h->v, (size_t)cap * sizeof *v);                                      \
        if (!v) return -1;                                                                     \
        h->v = v;                                                                              \
        h->cap = cap;                                                                          \
        return 0;                                                                              \
    }                                                                                          \
                                                                                               \
    static inline void name##_free(name *h)                                                    \
    {                                                                                          \
        free(h->v);                                                                            \
        h->v = NULL;                                                                           \
        h->n = h->cap = 0;                                                                     \
    }                                                                                          \
                                                                                               \
    static inline void name##_down(name *h, uint32_t k)                                        \
    {                                                                                          \
        type x = h->v[k];                                                                      \
        for (;;) {                                                                             \
            uint32_t c = 2 * k + 1;                                                            \
            if (c >= h->n) break;                                                              \
            if (c + 1 < h->n && less(h->v[c + 1], h->v[c])) c++;                               \
            if (!less(h->v[c], x)) break;                                                      \
            h->v[k] = h->v[c];                                                                 \
            k = c;                                                                             \
        }                                                                                      \
        h->v[k] = x;                                                                           \
    }                                                                                          \
                                                                                               \
    /* Order records appended to v[0..n) directly (set-up: O(n)). */                           \
    static inline void name##_build(name *h)                                                   \
    {                                                                                          \
        for (uint32_t k = h->n / 2; k-- > 0;) name##_down(h, k);                               \
    }                                                                                          \
                                                                                               \
    /* 0, or -1 when growing failed (X not added). */                                          \
    static inline int name##_push(name *h, type x)                                             \
    {                                                                                          \
        if (h->n == h->cap && name##_reserve(h, h->cap ? h->cap * 2 : 16) != 0) return -1;     \
        uint32_t k = h->n++;                                                                   \
        while (k > 0) {                                                                        \
            uint32_t parent = (k - 1) / 2;                                                     \
            if (!less(x, h->v[parent])) break;                                                 \
            h->v[k] = h->v[parent];                                                            \
            k = parent;                                                                        \
        }                                                                                      \
        h->v[k] = x;                                                                           \
        return 0;                                                                              \
    }                                                                                          \
                                                                                               \
    /* The smallest record, removed.  The heap must not be empty. */                           \
    static inline type name##_pop(name *h)                                                     \
    {                                                                                          \
        type top = h->v[0];                                                                    \
        h->v[0] = h->v[--h->n];                                                                \
        if (h->n) name##_down(h, 0);                                                           \
        return top;                                                                            \
    }                                                                                          \
                                                                                               \
    /* Replace the smallest record by X (cheaper than pop + push). */                          \
    static inline void name##_replace_top(name *h, type x)                                     \
    {                                                                                          \
        h->v[0] = x;                                                                           \
        name##_down(h, 0);                                                                     \
    }

#endif
