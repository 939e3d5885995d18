/* What the fuzz targets that read files share: a work directory of the process's own (under
 * $TMPDIR, which run_fuzz.sh points into its work directory) and writing an input to a file.
 * A failure here is the harness's, not the code under test's: it aborts with the reason. */
#ifndef METERSIM_FUZZ_FILES_H
#define METERSIM_FUZZ_FILES_H

#include <stdio.h>
#include <stdlib.h>

/* A new directory NAME.XXXXXX under $TMPDIR (or /tmp) into DIR. */
static inline void fuzz_make_dir(char *dir, size_t len, const char *name)
{
    const char *tmp = getenv("TMPDIR");
    snprintf(dir, len, "%s/%s.XXXXXX", tmp && *tmp ? tmp : "/tmp", name);
    if (!mkdtemp(dir)) {
        perror("mkdtemp");
        abort();
    }
}

/* PATH holds exactly the SIZE bytes at DATA. */
static inline void fuzz_write_file(const char *path, const void *data, size_t size)
{
    FILE *f = fopen(path, "wb");
    if (!f || fwrite(data, 1, size, f) != size || fclose(f) != 0) {
        perror(path);
        abort();
    }
}

#endif
