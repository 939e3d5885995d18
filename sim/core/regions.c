#include "sim/regions.h"

#include <stdbool.h>
#include <stdio.h>

/* Which licence area falls in which DCC region is our reading, *unconfirmed* per area.  The
 * DCC's North (Arqiva long-range radio) is "Scotland and the north of England"; Central and
 * South are Telefonica cellular (DCC, 2019; Arqiva, 2015).  Here: Scotland, North West,
 * North East and Yorkshire North (about 9.1M customers with topology.c's shares, close to
 * Arqiva's "10 million homes"); Wales, the Midlands and Eastern Central; London and the south
 * of England South. */
static const struct {
    const char *name;
    sim_dcc_region dcc;
} regions[SIM_REGIONS] = {
    {"North Scotland", SIM_DCC_NORTH},
    {"South Scotland", SIM_DCC_NORTH},
    {"North West", SIM_DCC_NORTH},
    {"North East", SIM_DCC_NORTH},
    {"Yorkshire", SIM_DCC_NORTH},
    {"Merseyside and North Wales", SIM_DCC_CENTRAL},
    {"East Midlands", SIM_DCC_CENTRAL},
    {"West Midlands", SIM_DCC_CENTRAL},
    {"South Wales", SIM_DCC_CENTRAL},
    {"South West", SIM_DCC_SOUTH},
    {"Eastern", SIM_DCC_CENTRAL},
    {"London", SIM_DCC_SOUTH},
    {"South East", SIM_DCC_SOUTH},
    {"Southern", SIM_DCC_SOUTH},
};

const char *sim_region_name(unsigned r)
{
    return r < SIM_REGIONS ? regions[r].name : "?";
}

sim_dcc_region sim_region_dcc(unsigned r)
{
    return r < SIM_REGIONS ? regions[r].dcc : SIM_DCC_REGIONS;
}

const char *sim_dcc_region_name(unsigned d)
{
    static const char *const names[SIM_DCC_REGIONS] = {"North", "Central", "South"};
    return d < SIM_DCC_REGIONS ? names[d] : "?";
}

/* Whether the LEN bytes at S spell NAME, ignoring case and taking a run of spaces as one. */
static int same_name(const char *s, size_t len, const char *name)
{
    size_t i = 0;
    for (; *name; name++) {
        if (i == len) return 0;
        char a = s[i], b = *name;
        if (a >= 'A' && a <= 'Z') a = (char)(a - 'A' + 'a');
        if (b >= 'A' && b <= 'Z') b = (char)(b - 'A' + 'a');
        if (a != b) return 0;
        i++;
        if (b == ' ')
            while (i < len && s[i] == ' ')
                i++;
    }
    return i == len;
}

/* The areas one item (LEN bytes at S, trimmed) names; 0 when it names none. */
static uint32_t item_mask(const char *s, size_t len)
{
    if (same_name(s, len, "all")) return (1u << SIM_REGIONS) - 1u;
    unsigned long n = 0;
    size_t i = 0;
    while (i < len && s[i] >= '0' && s[i] <= '9' && n < 100)
        n = n * 10 + (unsigned long)(s[i++] - '0');
    if (i == len) return n >= 1 && n <= SIM_REGIONS ? 1u << (n - 1) : 0;
    /* "DCC", blanks, a DCC region */
    size_t d = 3;
    while (d < len && s[d] == ' ')
        d++;
    bool dcc = d > 3 && d < len && same_name(s, 3, "dcc");
    uint32_t m = 0;
    for (unsigned r = 0; r < SIM_REGIONS; r++) {
        if (same_name(s, len, regions[r].name)) return 1u << r;
        if (dcc && same_name(s + d, len - d, sim_dcc_region_name(regions[r].dcc))) m |= 1u << r;
    }
    return m;
}

int sim_region_list(const char *text, uint32_t *mask, char *why, size_t whylen)
{
    *mask = 0;
    const char *p = text;
    for (;;) {
        while (*p == ' ')
            p++;
        const char *e = p;
        while (*e && *e != ',')
            e++;
        size_t len = (size_t)(e - p);
        while (len > 0 && p[len - 1] == ' ')
            len--;
        /* a comma after the last item is allowed, as it always was */
        if (!len && !*e && *mask) return 0;
        uint32_t m = len ? item_mask(p, len) : 0;
        if (!m) {
            snprintf(why, whylen,
                     len ? "\"%.*s\" is not a DNO licence area: expected \"all\", numbers 1..14, "
                           "names such as \"London\" or DCC regions such as \"DCC North\""
                         : "an empty item%.*s: expected \"all\", numbers 1..14 or names, separated by commas",
                     (int)len, p);
            return -1;
        }
        *mask |= m;
        if (!*e) return 0;
        p = e + 1;
    }
}
