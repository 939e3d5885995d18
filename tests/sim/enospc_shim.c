/* LD_PRELOAD shim for the disk-full test (test_disk_full.sh): a disk that fills up.  Files
 * whose name ends in ".partial" may grow by METERSIM_ENOSPC_AFTER bytes in all; past that, a
 * write or fallocate that needs new space fails with ENOSPC (a write is cut short at the
 * limit first, as write(2) does), while writes over space the file already has (in place, or
 * reserved with fallocate) go through, as on a real file system.  Anything else (the terminal,
 * pipes, other files) is left alone. */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <unistd.h>

#define MAX_FD 1024

static long long budget = -1;      /* bytes the files may still grow by; -1: not read yet */
static long long alloc_end[MAX_FD]; /* per descriptor: end of the space the file has; 0 unknown */

static int is_partial(int fd)
{
    char link[64], path[4096];
    if (fd < 0 || fd >= MAX_FD) return 0;
    snprintf(link, sizeof link, "/proc/self/fd/%d", fd);
    ssize_t n = readlink(link, path, sizeof path - 1);
    if (n < 8) return 0;
    path[n] = '\0';
    return strcmp(path + n - 8, ".partial") == 0;
}

/* Space up to END for FD: how many of the N bytes ending at END may be written (N when the
 * space is there or can be had, fewer at the limit), or -1 with ENOSPC. */
static long long take(int fd, long long end, long long n)
{
    if (budget < 0) {
        const char *e = getenv("METERSIM_ENOSPC_AFTER");
        budget = e ? atoll(e) : 0;
    }
    if (alloc_end[fd] == 0) {
        struct stat st;
        alloc_end[fd] = fstat(fd, &st) == 0 ? (long long)st.st_size : 0;
    }
    long long grow = end - alloc_end[fd];
    if (grow <= 0) return n;
    if (grow <= budget) {
        budget -= grow;
        alloc_end[fd] = end;
        return n;
    }
    long long fits = n - (grow - budget); /* bytes of the write that land in space */
    alloc_end[fd] += budget;
    budget = 0;
    if (fits <= 0) {
        errno = ENOSPC;
        return -1;
    }
    return fits;
}

ssize_t pwrite(int fd, const void *buf, size_t n, off_t off)
{
    static ssize_t (*real)(int, const void *, size_t, off_t);
    if (!real) real = (ssize_t(*)(int, const void *, size_t, off_t))dlsym(RTLD_NEXT, "pwrite");
    long long k = is_partial(fd) ? take(fd, (long long)off + (long long)n, (long long)n) : (long long)n;
    return k < 0 ? -1 : real(fd, buf, (size_t)k, off);
}

ssize_t pwrite64(int fd, const void *buf, size_t n, off_t off)
{
    return pwrite(fd, buf, n, off);
}

ssize_t write(int fd, const void *buf, size_t n)
{
    static ssize_t (*real)(int, const void *, size_t);
    if (!real) real = (ssize_t(*)(int, const void *, size_t))dlsym(RTLD_NEXT, "write");
    long long k = (long long)n;
    if (is_partial(fd)) {
        off_t at = lseek(fd, 0, SEEK_CUR);
        k = take(fd, (long long)at + (long long)n, (long long)n);
    }
    return k < 0 ? -1 : real(fd, buf, (size_t)k);
}

int fallocate(int fd, int mode, off_t off, off_t len)
{
    static int (*real)(int, int, off_t, off_t);
    if (!real) real = (int (*)(int, int, off_t, off_t))dlsym(RTLD_NEXT, "fallocate");
    if (is_partial(fd)) {
        long long end = (long long)off + (long long)len;
        long long grow = end - alloc_end[fd];
        if (budget >= 0 && alloc_end[fd] && grow > budget) { /* all or nothing */
            errno = ENOSPC;
            return -1;
        }
        if (take(fd, end, (long long)len) < (long long)len) {
            errno = ENOSPC;
            return -1;
        }
    }
    return real(fd, mode, off, len);
}

int fallocate64(int fd, int mode, off_t off, off_t len)
{
    return fallocate(fd, mode, off, len);
}
