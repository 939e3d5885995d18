#include "suggest.h"

#include "schema.h"

#include <stdint.h>
#include <stdio.h>
#include <string.h>

/* Optimal string alignment distance: Levenshtein plus adjacent transpositions, the
 * commonest typing slip ("wna" for "wan"). */
static size_t edit_distance(const char *a, const char *b)
{
    size_t na = strlen(a), nb = strlen(b);
    if (na > 64 || nb > 64) return SIZE_MAX;
    size_t dist[65][65];
    for (size_t i = 0; i <= na; i++)
        dist[i][0] = i;
    for (size_t j = 0; j <= nb; j++)
        dist[0][j] = j;
    for (size_t i = 1; i <= na; i++) {
        for (size_t j = 1; j <= nb; j++) {
            size_t best = dist[i - 1][j - 1] + (a[i - 1] != b[j - 1]);
            if (dist[i - 1][j] + 1 < best) best = dist[i - 1][j] + 1;
            if (dist[i][j - 1] + 1 < best) best = dist[i][j - 1] + 1;
            if (i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1] &&
                dist[i - 2][j - 2] + 1 < best)
                best = dist[i - 2][j - 2] + 1;
            dist[i][j] = best;
        }
    }
    return dist[na][nb];
}

static size_t tolerance(const char *s)
{
    size_t n = strlen(s);
    return n <= 3 ? 1 : n <= 6 ? 2 : 3;
}

static void consider(const char *cand, size_t d, size_t limit, size_t *best_d, char *best,
                     size_t len)
{
    if (d <= limit && d < *best_d) {
        *best_d = d;
        snprintf(best, len, "%s", cand);
    }
}

/* Nearest valid key to KEY found under PREFIX: a sibling, any full path near the path
 * written, or any key whose last name matches (a leaf written at the wrong level). */
static bool suggest(const sim_schema *s, const char *prefix, const char *key, char *best,
                    size_t len)
{
    char path[SIM_KEY_MAX * 2];
    snprintf(path, sizeof path, "%s%s%s", prefix, *prefix ? "." : "", key);
    size_t best_d = SIZE_MAX, pn = strlen(prefix);
    for (size_t i = 0; i < s->n; i++) {
        const char *p = s->keys[i].path;
        if (*prefix && s->keys[i].ct == C_NONE) continue;
        /* Every prefix of P that is a key: "wan", "wan.uplink", "wan.uplink.bandwidth". */
        for (const char *e = p; e;) {
            e = strchr(e + 1, '.');
            char cand[SIM_KEY_MAX];
            size_t cn = e ? (size_t)(e - p) : strlen(p);
            if (cn >= sizeof cand) break;
            memcpy(cand, p, cn);
            cand[cn] = '\0';
            const char *last = strrchr(cand, '.');
            last = last ? last + 1 : cand;
            bool sibling =
                (pn == 0 && !strchr(cand, '.')) || (pn && strncmp(cand, prefix, pn) == 0 &&
                                                    cand[pn] == '.' && !strchr(cand + pn + 1, '.'));
            if (sibling)
                consider(cand, edit_distance(key, last), tolerance(key), &best_d, best, len);
        }
    }
    for (size_t i = 0; i < s->n; i++) {
        const char *p = s->keys[i].path;
        if (s->keys[i].ct == C_NONE) continue;
        const char *last = strrchr(p, '.');
        last = last ? last + 1 : p;
        consider(p, edit_distance(path, p), tolerance(path), &best_d, best, len);
        /* A name found at another level is a weaker hint: allow one slip fewer. */
        consider(p, edit_distance(key, last), tolerance(key) - (tolerance(key) > 1), &best_d, best,
                 len);
    }
    return best_d != SIZE_MAX;
}

void sim_unknown_key(sim_diag *dg, const sim_ydoc *d, int line, int col, const sim_schema *s,
                     const char *at, const char *prefix, const char *key, size_t keylen)
{
    char shown[80], rel[SIM_KEY_MAX + 80], path[2 * SIM_KEY_MAX + 80], best[SIM_KEY_MAX];
    sim_show(key, keylen, shown, sizeof shown);
    sim_key_join(rel, sizeof rel, prefix, shown);
    sim_key_join(path, sizeof path, at, rel);
    if (strlen(key) == keylen && keylen < SIM_KEY_MAX &&
        suggest(s, prefix, key, best, sizeof best)) {
        char full[2 * SIM_KEY_MAX];
        sim_key_join(full, sizeof full, at, best);
        sim_diag_at(dg, d, line, col, path, "unknown key; did you mean \"%s\"?", full);
    } else {
        char list[400];
        sim_key_children(s, prefix, list, sizeof list);
        sim_diag_at(dg, d, line, col, path, "unknown key; expected one of: %s", list);
    }
}
