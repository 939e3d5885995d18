/* LD_PRELOAD shim for the signals test (test_signals.sh): a SIGINT raised as SimGrid's
 * initialisation returns, when SimGrid has put a SIGINT handler of its own in place and
 * metersim has not yet put its own back.  SimGrid's would exit 1 without a word; metersim's
 * must take it and say that the run stopped during set-up. */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <signal.h>

void simgrid_init(int *argc, char **argv);

void simgrid_init(int *argc, char **argv)
{
    void (*real)(int *, char **) = (void (*)(int *, char **))dlsym(RTLD_NEXT, "simgrid_init");
    real(argc, argv);
    raise(SIGINT);
}
