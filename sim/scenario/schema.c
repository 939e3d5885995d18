#include "schema.h"

#include <stdio.h>
#include <string.h>

int sim_key_find(const char *path)
{
    for (size_t i = 0; i < sim_scenario_nkeys; i++)
        if (strcmp(sim_scenario_keys[i].path, path) == 0) return (int)i;
    return -1;
}

/* PATH is a mapping of the schema ("wan", "wan.uplink"). */
bool sim_key_is_group(const char *path)
{
    size_t n = strlen(path);
    for (size_t i = 0; i < sim_scenario_nkeys; i++)
        if (strncmp(sim_scenario_keys[i].path, path, n) == 0 && sim_scenario_keys[i].path[n] == '.')
            return true;
    return false;
}

/* Names directly under PREFIX ("" for the top level), comma separated, in table order. */
void sim_key_children(const char *prefix, char *buf, size_t len)
{
    size_t pn = strlen(prefix), o = 0;
    buf[0] = '\0';
    for (size_t i = 0; i < sim_scenario_nkeys; i++) {
        const char *p = sim_scenario_keys[i].path;
        if (pn && (strncmp(p, prefix, pn) != 0 || p[pn] != '.')) continue;
        const char *name = pn ? p + pn + 1 : p;
        size_t nl = strcspn(name, ".");
        bool seen = false;
        for (size_t j = 0; j < i && !seen; j++) {
            const char *q = sim_scenario_keys[j].path;
            if (pn && (strncmp(q, prefix, pn) != 0 || q[pn] != '.')) continue;
            const char *qn = pn ? q + pn + 1 : q;
            seen = strcspn(qn, ".") == nl && strncmp(qn, name, nl) == 0;
        }
        if (seen) continue;
        int w = snprintf(buf + o, len - o, "%s%.*s", o ? ", " : "", (int)nl, name);
        if (w < 0 || (size_t)w >= len - o) return;
        o += (size_t)w;
    }
}
