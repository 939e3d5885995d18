/* Sorting records that arrive as runs already in order, one implementation instantiated per
 * element type.
 *
 * SIM_RUNSORT_DEFINE(name, type, less) defines static inline name(v, n, tmp): sorts V[0..N)
 * by LESS (inlined), with TMP room for N records, and allocates nothing.  It is a natural
 * merge sort: each pass finds the runs already in order and merges them two by two, so
 * records made of R ordered runs cost about N log2(R) moves and input already in order one
 * pass of comparisons.  The runner's windows are such input: every area records its events
 * and sends its messages mostly in time order, and the window's records are the areas' lists
 * one after another.  glibc's qsort spent most of its time there on comparisons through a
 * pointer and on a temporary buffer it allocates at every call.
 *
 * The sort is stable (a run's records keep their order; of equal records, the earlier run's
 * go first), but the runner gives LESS a total order over every field, so that the result
 * does not depend on the order the records came in.
 */
#ifndef SIM_RUNSORT_H
#define SIM_RUNSORT_H

#include <stddef.h>
#include <string.h>

#define SIM_RUNSORT_DEFINE(name, type, less)                                                       \
    /* The end of the run in order that starts at I. */                                            \
    static inline size_t name##_run_end(const type *v, size_t i, size_t n)                         \
    {                                                                                              \
        size_t e = i + 1;                                                                          \
        while (e < n && !less(v[e], v[e - 1]))                                                     \
            e++;                                                                                   \
        return e;                                                                                  \
    }                                                                                              \
                                                                                                   \
    static inline void name(type *v, size_t n, type *tmp)                                          \
    {                                                                                              \
        type *src = v, *dst = tmp;                                                                 \
        if (n < 2) return;                                                                         \
        for (;;) { /* a pass: the runs of SRC merged two by two into DST */                        \
            for (size_t i = 0; i < n;) {                                                           \
                size_t m = name##_run_end(src, i, n);                                              \
                if (m == n) {                                                                      \
                    if (i == 0) { /* one run: SRC is in order */                                   \
                        if (src != v) memcpy(v, src, n * sizeof *v);                               \
                        return;                                                                    \
                    }                                                                              \
                    memcpy(dst + i, src + i, (n - i) * sizeof *src); /* no partner */              \
                    break;                                                                         \
                }                                                                                  \
                size_t e = name##_run_end(src, m, n), a = i, b = m, k = i;                         \
                while (a < m && b < e)                                                             \
                    dst[k++] = less(src[b], src[a]) ? src[b++] : src[a++];                         \
                while (a < m)                                                                      \
                    dst[k++] = src[a++];                                                           \
                while (b < e)                                                                      \
                    dst[k++] = src[b++];                                                           \
                if (i == 0 && e == n) { /* the last two runs: DST is in order */                   \
                    if (dst != v) memcpy(v, dst, n * sizeof *v);                                   \
                    return;                                                                        \
                }                                                                                  \
                i = e;                                                                             \
            }                                                                                      \
            type *s = src;                                                                         \
            src = dst;                                                                             \
            dst = s;                                                                               \
        }                                                                                          \
    }

#endif
