/* The command line contract: commands, help, version, exit codes, error messages. */
#include <criterion/criterion.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include <hdf5.h>

/* Run BIN ARGS with stdout+stderr captured; exit status, output in OUT. */
static int cli(char *out, size_t n, const char *fmt, ...)
{
    char args[2048], cmd[4096];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(args, sizeof args, fmt, ap);
    va_end(ap);
    snprintf(cmd, sizeof cmd, "cd '%s' && '%s' %s 2>&1", getenv("METERSIM_SOURCE_DIR"),
             getenv("METERSIM_BIN"), args);
    FILE *p = popen(cmd, "r");
    cr_assert_not_null(p);
    size_t len = fread(out, 1, n - 1, p);
    out[len] = '\0';
    int st = pclose(p);
    return WIFEXITED(st) ? WEXITSTATUS(st) : -1;
}

static char buf[65536];

Test(cli, version_and_help_exit_zero)
{
    cr_expect_eq(cli(buf, sizeof buf, "--version"), 0);
    cr_expect(strncmp(buf, "metersim ", 9) == 0, "%s", buf);
    cr_expect_eq(cli(buf, sizeof buf, "--help"), 0);
    cr_expect(strstr(buf, "run SCENARIO.yaml") != NULL);
    static const char *cmds[] = {"run", "validate", "info"};
    for (int i = 0; i < 3; i++) {
        cr_expect_eq(cli(buf, sizeof buf, "%s --help", cmds[i]), 0, "%s --help", cmds[i]);
        cr_expect(strstr(buf, "usage: metersim") != NULL);
    }
}

Test(cli, usage_errors_exit_two_with_a_message)
{
    cr_expect_eq(cli(buf, sizeof buf, ""), 2);
    cr_expect_eq(cli(buf, sizeof buf, "frobnicate"), 2);
    cr_expect(strstr(buf, "unknown command \"frobnicate\"") != NULL, "%s", buf);
    cr_expect_eq(cli(buf, sizeof buf, "run"), 2);
    cr_expect(strstr(buf, "missing SCENARIO.yaml") != NULL, "%s", buf);
    cr_expect_eq(cli(buf, sizeof buf, "run scenarios/default.yaml --bogus"), 2);
    cr_expect(strstr(buf, "unknown option \"--bogus\"") != NULL, "%s", buf);
    cr_expect_eq(cli(buf, sizeof buf, "run scenarios/default.yaml --seed -3"), 2);
    cr_expect(strstr(buf, "--seed") != NULL, "%s", buf);
    cr_expect_eq(cli(buf, sizeof buf, "run scenarios/default.yaml --set"), 2);
}

Test(cli, scenario_errors_exit_two_with_position)
{
    cr_expect_eq(cli(buf, sizeof buf, "run tests/no/such.yaml"), 2);
    cr_expect(strstr(buf, "tests/no/such.yaml") != NULL, "%s", buf);
    cr_expect_eq(cli(buf, sizeof buf, "validate scenarios/default.yaml --set households=many"), 2);
    cr_expect(strstr(buf, "--set:1:") != NULL && strstr(buf, "households") != NULL, "%s", buf);
}

Test(cli, validate_prints_the_resolved_scenario)
{
    cr_expect_eq(cli(buf, sizeof buf, "validate scenarios/default.yaml --set wan.read_window=\"2 h\""), 0);
    cr_expect(strstr(buf, "read_window: 2 h") != NULL, "%s", buf);
    cr_expect(strstr(buf, "households:") != NULL);
}

Test(cli, info_rejects_files_that_are_not_traces)
{
    cr_expect_eq(cli(buf, sizeof buf, "info scenarios/default.yaml"), 2);
    cr_expect(strstr(buf, "not an HDF5 file") != NULL, "%s", buf);
    cr_expect_eq(cli(buf, sizeof buf, "info /nonexistent.h5"), 2);
    cr_expect(strstr(buf, "cannot open") != NULL, "%s", buf);
    cr_expect_eq(cli(buf, sizeof buf, "info"), 2);
}

Test(cli, info_rejects_an_hdf5_file_without_metersim_metadata)
{
    char path[] = "/tmp/metersim-cli-XXXXXX";
    int fd = mkstemp(path);
    cr_assert_geq(fd, 0);
    close(fd);
    hid_t f = H5Fcreate(path, H5F_ACC_TRUNC, H5P_DEFAULT, H5P_DEFAULT);
    cr_assert_geq(f, 0);
    hsize_t d = 3;
    hid_t sp = H5Screate_simple(1, &d, NULL);
    hid_t ds = H5Dcreate2(f, "/x", H5T_NATIVE_INT, sp, H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT);
    H5Dclose(ds);
    H5Sclose(sp);
    H5Fclose(f);
    cr_expect_eq(cli(buf, sizeof buf, "info %s", path), 2);
    cr_expect(strstr(buf, "not a metersim trace") != NULL, "%s", buf);
    unlink(path);
}
