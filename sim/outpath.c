/* Output paths: the checks made before a run writes anything (outpath.h). */
#include "outpath.h"

#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define PARTIAL_SUFFIX ".partial"

/* PATH is the same file as one the run reads: its name in WHAT, else 0. */
static int same_file(const struct stat *st, const char *input, char *what, size_t whatlen)
{
    struct stat in;
    if (!input[0] || stat(input, &in) != 0) return 0;
    if (in.st_dev != st->st_dev || in.st_ino != st->st_ino) return 0;
    snprintf(what, whatlen, "%s", input);
    return 1;
}

/* Image NAME as the firmware loader finds it (firmware.c: a bare name is in the current
 * directory); builtin images are the build's own and not checked. */
static int image_path(const char *name, char *out, size_t len)
{
    if (!name[0] || strncmp(name, "builtin:", 8) == 0) return -1;
    int w = snprintf(out, len, "%s%s", strchr(name, '/') ? "" : "./", name);
    return w > 0 && (size_t)w < len ? 0 : -1;
}

/* ST is a file the run of SC reads: 1 with its name in WHAT. */
static int is_input(const struct stat *st, const sim_scenario *sc, char *what, size_t whatlen)
{
    if (same_file(st, sc->source_path, what, whatlen)) return 1;
    for (const char *f = sc->files_read; f && *f; f += strlen(f) + 1)
        if (same_file(st, f, what, whatlen)) return 1;
    if (same_file(st, sc->weather.csv, what, whatlen)) return 1;
    char img[600];
    if (image_path(sc->meter.firmware, img, sizeof img) == 0 && same_file(st, img, what, whatlen))
        return 1;
    for (uint32_t k = 0; k < sc->fleet.n_populations; k++)
        if (image_path(sc->fleet.populations[k].firmware, img, sizeof img) == 0 &&
            same_file(st, img, what, whatlen))
            return 1;
    for (uint32_t k = 0; k < sc->n_campaigns; k++)
        if (image_path(sc->firmware_campaigns[k].firmware, img, sizeof img) == 0 &&
            same_file(st, img, what, whatlen))
            return 1;
    return 0;
}

/* The directory part of OUT ("." for a bare name) into DIR. */
static void dir_of(const char *out, char *dir, size_t len)
{
    const char *slash = strrchr(out, '/');
    if (!slash)
        snprintf(dir, len, ".");
    else if (slash == out)
        snprintf(dir, len, "/");
    else
        snprintf(dir, len, "%.*s", (int)(slash - out), out);
}

/* "output "OUT": WHY", a long OUT shown by its first 60 bytes. */
static int refuse(char *err, size_t errlen, const char *out, const char *why)
{
    bool cut = strlen(out) > 80;
    snprintf(err, errlen, "output \"%.*s%s\": %s", cut ? 60 : 80, out, cut ? "..." : "", why);
    return -1;
}

int sim_out_check(const char *out, const sim_scenario *sc, bool force, char *err, size_t errlen)
{
    char why[2400];
    size_t n = strlen(out);
    if (n == 0) return refuse(err, errlen, out, "an empty file name");
    if (n > SIM_OUT_PATH_MAX) {
        snprintf(why, sizeof why, "the path is %zu bytes long, more than %d", n, SIM_OUT_PATH_MAX);
        return refuse(err, errlen, out, why);
    }
    const char *base = strrchr(out, '/');
    base = base ? base + 1 : out;
    if (!*base || strcmp(base, ".") == 0 || strcmp(base, "..") == 0)
        return refuse(err, errlen, out, "names a directory, not a file");
    if (strlen(base) + sizeof PARTIAL_SUFFIX - 1 > NAME_MAX) {
        snprintf(why, sizeof why, "the file name is longer than %zu bytes (with %s)",
                 (size_t)NAME_MAX - (sizeof PARTIAL_SUFFIX - 1), PARTIAL_SUFFIX);
        return refuse(err, errlen, out, why);
    }
    char dir[SIM_OUT_PATH_MAX + 1];
    dir_of(out, dir, sizeof dir);
    struct stat st;
    if (stat(dir, &st) != 0) {
        snprintf(why, sizeof why, "directory %s: %s", dir, strerror(errno));
        return refuse(err, errlen, out, why);
    }
    if (!S_ISDIR(st.st_mode)) {
        snprintf(why, sizeof why, "%s is not a directory", dir);
        return refuse(err, errlen, out, why);
    }
    if (access(dir, W_OK | X_OK) != 0) {
        snprintf(why, sizeof why, "directory %s is not writable: %s", dir, strerror(errno));
        return refuse(err, errlen, out, why);
    }
    char what[1100];
    if (stat(out, &st) == 0) {
        if (S_ISDIR(st.st_mode)) return refuse(err, errlen, out, "is a directory");
        if (!S_ISREG(st.st_mode))
            return refuse(err, errlen, out, "is not a regular file (a device, pipe or socket)");
        if (is_input(&st, sc, what, sizeof what)) {
            snprintf(why, sizeof why, "is %s, which the run reads", what);
            return refuse(err, errlen, out, why);
        }
        if (!force) return refuse(err, errlen, out, "exists (give --force to replace it)");
    } else if (errno != ENOENT) {
        snprintf(why, sizeof why, "%s", strerror(errno));
        return refuse(err, errlen, out, why);
    }
    /* OUT.partial is the writer's own: a stale one is replaced (unlinked, never followed), but
     * only when it is a file and not one the run reads. */
    char partial[SIM_OUT_PATH_MAX + sizeof PARTIAL_SUFFIX];
    snprintf(partial, sizeof partial, "%s%s", out, PARTIAL_SUFFIX);
    if (lstat(partial, &st) == 0) {
        if (S_ISDIR(st.st_mode)) {
            snprintf(why, sizeof why, "%s is a directory", partial);
            return refuse(err, errlen, out, why);
        }
        if (!S_ISREG(st.st_mode) && !S_ISLNK(st.st_mode)) {
            snprintf(why, sizeof why, "%s is not a regular file", partial);
            return refuse(err, errlen, out, why);
        }
        if (S_ISREG(st.st_mode) && is_input(&st, sc, what, sizeof what)) {
            snprintf(why, sizeof why, "%s is %s, which the run reads", partial, what);
            return refuse(err, errlen, out, why);
        }
    }
    return 0;
}
