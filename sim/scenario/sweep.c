/* Sweep points (sweep.h): values, overrides and output names. */
#include "sweep.h"

#include <stdio.h>
#include <string.h>

const char *sim_sweep_value(const sim_sweep *sw, size_t p, size_t k)
{
    size_t i = p;
    if (sw->form == SIM_SWEEP_GRID) {
        /* mixed radix, the last key the lowest digit */
        for (size_t j = sw->n_keys; --j > k;)
            i /= sw->axis[j].n;
        i %= sw->axis[k].n;
    }
    return sw->axis[k].values[i];
}

int sim_sweep_set(const sim_sweep *sw, size_t p, size_t k, char *buf, size_t len)
{
    int n = snprintf(buf, len, "%s=%s", sw->axis[k].key, sim_sweep_value(sw, p, k));
    return n >= 0 && (size_t)n < len ? 0 : -1;
}

/* Key K as a file name shows it: its last component, unless another key ends the same way. */
static const char *key_name(const sim_sweep *sw, size_t k)
{
    const char *key = sw->axis[k].key, *dot = strrchr(key, '.');
    const char *leaf = dot ? dot + 1 : key;
    for (size_t j = 0; j < sw->n_keys; j++) {
        const char *o = sw->axis[j].key, *od = strrchr(o, '.');
        if (j != k && strcmp(od ? od + 1 : o, leaf) == 0) return key;
    }
    return leaf;
}

/* VALUE reduced to the characters a file name keeps everywhere. */
static void value_tag(const char *value, char *tag, size_t len)
{
    size_t n = 0;
    for (const char *p = value; *p && n + 1 < len; p++)
        if ((*p >= 'A' && *p <= 'Z') || (*p >= 'a' && *p <= 'z') || (*p >= '0' && *p <= '9') ||
            *p == '.' || *p == '_' || *p == '-')
            tag[n++] = *p;
    tag[n] = '\0';
}

int sim_sweep_path(const sim_sweep *sw, size_t p, const char *out, char *buf, size_t len)
{
    const char *dot = strrchr(out, '.'), *slash = strrchr(out, '/');
    if (!dot || (slash && dot < slash)) dot = out + strlen(out);
    int n = snprintf(buf, len, "%.*s-", (int)(dot - out), out);
    for (size_t k = 0; k < sw->n_keys && n >= 0 && (size_t)n < len; k++) {
        char tag[sizeof sw->axis[0].values[0]];
        value_tag(sim_sweep_value(sw, p, k), tag, sizeof tag);
        int w = sw->form == SIM_SWEEP_ONE ? snprintf(buf + n, len - (size_t)n, "%s", tag)
                                          : snprintf(buf + n, len - (size_t)n, "%s%s=%s",
                                                     k ? "," : "", key_name(sw, k), tag);
        n = w < 0 ? -1 : n + w;
    }
    if (n >= 0 && (size_t)n < len) n += snprintf(buf + n, len - (size_t)n, "%s", dot);
    return n >= 0 && (size_t)n < len ? 0 : -1;
}
