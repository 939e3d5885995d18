/* Replays the fuzz corpus (tests/meter/supply/corpus) through the fuzz target under the
 * normal build (ASan/UBSan with METERSIM_SANITIZE): every entry must run clean. */
#include <criterion/criterion.h>
#include <dirent.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

Test(command_corpus, every_corpus_entry_runs_through_the_parser_and_the_meter)
{
    DIR *d = opendir(CORPUS_DIR);
    cr_assert_not_null(d, "%s", CORPUS_DIR);
    struct dirent *de;
    unsigned files = 0;
    while ((de = readdir(d)) != NULL) {
        if (de->d_name[0] == '.') continue;
        char path[1024];
        snprintf(path, sizeof path, "%s/%s", CORPUS_DIR, de->d_name);
        FILE *fp = fopen(path, "rb");
        cr_assert_not_null(fp, "%s", path);
        static uint8_t buf[1 << 16];
        size_t n = fread(buf, 1, sizeof buf, fp);
        fclose(fp);
        cr_expect_eq(LLVMFuzzerTestOneInput(buf, n), 0, "%s", path);
        files++;
    }
    closedir(d);
    cr_expect_geq(files, 8u, "corpus has its seeds");
}
