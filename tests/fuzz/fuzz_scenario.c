/* Fuzz target: the scenario loader (sim/scenario.h) on any bytes as a scenario file.
 *
 * The input is written to scenario.yaml in a directory of this process's own, beside a valid
 * base.yaml that an `extends: base.yaml` in the input reaches, and loaded twice: without
 * --set, and with the input's last line as one --set when it holds a '=' (a YAML comment's
 * "# " taken off: "# load.spread=25 %").  Errors are the
 * expected outcome; a crash, a sanitizer report, a leak or a hang is a bug.  A load that
 * succeeds must give a resolved text that loads again to the same resolved text (the text a
 * trace stores is a scenario of its own).
 */
#include "fuzz_files.h"
#include "scenario.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static char dir[512], main_path[600], again_path[600], base_path[600];

static const char base_yaml[] = "name: base\n"
                                "duration: \"1 d\"\n"
                                "households: 10\n"
                                "topology:\n"
                                "  regions: 1\n";

static void remove_dir(void)
{
    unlink(main_path);
    unlink(again_path);
    unlink(base_path);
    rmdir(dir);
}

static void setup(void)
{
    fuzz_make_dir(dir, sizeof dir, "fuzz_scenario");
    snprintf(main_path, sizeof main_path, "%s/scenario.yaml", dir);
    snprintf(again_path, sizeof again_path, "%s/resolved.yaml", dir);
    snprintf(base_path, sizeof base_path, "%s/base.yaml", dir);
    fuzz_write_file(base_path, base_yaml, sizeof base_yaml - 1);
    atexit(remove_dir);
}

/* A path outside the directory that could block or never end (/dev/tty, a FIFO in /proc). */
static int names_special_file(const uint8_t *data, size_t size)
{
    static const char *const bad[] = {"/dev", "/proc", "/sys"};
    for (size_t b = 0; b < sizeof bad / sizeof bad[0]; b++) {
        size_t n = strlen(bad[b]);
        for (size_t i = 0; i + n <= size; i++)
            if (memcmp(data + i, bad[b], n) == 0) return 1;
    }
    return 0;
}

/* TEXT after its first line, "# resolved by metersim from PATH", which names the file. */
static const char *past_header(const char *text)
{
    const char *nl = strchr(text, '\n');
    return strncmp(text, "# resolved by", 13) == 0 && nl ? nl + 1 : text;
}

/* A successful load's resolved text must load again to itself (but for the file it names). */
static void check_resolved(const sim_scenario *sc)
{
    fuzz_write_file(again_path, sc->resolved_yaml, strlen(sc->resolved_yaml));
    sim_scenario *again = NULL;
    char err[4096];
    if (sim_scenario_load(again_path, NULL, 0, &again, err, sizeof err) != 0) {
        fprintf(stderr, "resolved text does not load:\n%s\n--- resolved text:\n%s\n", err,
                sc->resolved_yaml);
        __builtin_trap();
    }
    if (strcmp(past_header(again->resolved_yaml), past_header(sc->resolved_yaml)) != 0) {
        fprintf(stderr, "resolved text changes when loaded:\n%s\n--- loaded again:\n%s\n",
                sc->resolved_yaml, again->resolved_yaml);
        __builtin_trap();
    }
    sim_scenario_destroy(again);
    unlink(again_path); /* not there for the next input's extends */
}

static void load(const char *const *sets, size_t nsets)
{
    sim_scenario *sc = NULL;
    char err[4096];
    int rc = sim_scenario_load(main_path, sets, nsets, &sc, err, sizeof err);
    if (rc == 0) {
        if (!sc || !sc->resolved_yaml) __builtin_trap();
        check_resolved(sc);
    } else if (sc || err[0] == '\0') {
        __builtin_trap(); /* a failure says why and gives nothing */
    }
    sim_scenario_destroy(sc);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (!dir[0]) setup();
    if (size > 64 * 1024 || names_special_file(data, size)) return 0;
    fuzz_write_file(main_path, data, size);
    load(NULL, 0);

    /* The last line as a --set "key.path=value", less a leading "# ". */
    size_t at = size;
    while (at > 0 && data[at - 1] != '\n')
        at--;
    while (at < size && (data[at] == '#' || data[at] == ' ')) /* a comment to the file */
        at++;
    if (at < size && memchr(data + at, '=', size - at) && !memchr(data + at, '\0', size - at)) {
        char *set = malloc(size - at + 1);
        if (!set) return 0;
        memcpy(set, data + at, size - at);
        set[size - at] = '\0';
        const char *sets[1] = {set};
        load(sets, 1);
        free(set);
    }
    return 0;
}
