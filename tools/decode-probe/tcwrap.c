// LD_PRELOAD: records, for every pthread_create, creator CPU, child's first CPU and create->first-run latency.
#define _GNU_SOURCE
#include <dlfcn.h>
#include <pthread.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <stdatomic.h>
#include <time.h>
#define MAXR 200000
struct rec { long long tc, ts; int ccpu, scpu; };
static struct rec recs[MAXR];
static atomic_int nrec;
struct arg { void *(*fn)(void *); void *a; int idx; };
static long long nowns(void) { struct timespec t; clock_gettime(CLOCK_MONOTONIC, &t); return t.tv_sec * 1000000000LL + t.tv_nsec; }
static void *tramp(void *p) {
    struct arg *x = p; void *(*fn)(void *) = x->fn; void *a = x->a; int i = x->idx; free(x);
    if (i < MAXR) { recs[i].ts = nowns(); recs[i].scpu = sched_getcpu(); }
    return fn(a);
}
int pthread_create(pthread_t *t, const pthread_attr_t *at, void *(*fn)(void *), void *a) {
    static int (*real)(pthread_t *, const pthread_attr_t *, void *(*)(void *), void *);
    if (!real) real = dlsym(RTLD_NEXT, "pthread_create");
    struct arg *x = malloc(sizeof *x); x->fn = fn; x->a = a; x->idx = atomic_fetch_add(&nrec, 1);
    if (x->idx < MAXR) { recs[x->idx].tc = nowns(); recs[x->idx].ccpu = sched_getcpu(); recs[x->idx].ts = 0; }
    return real(t, at, tramp, x);
}
static int cmpll(const void *a, const void *b) { long long x = *(long long *)a, y = *(long long *)b; return x < y ? -1 : x > y; }
__attribute__((destructor)) static void dump(void) {
    int n = nrec < MAXR ? nrec : MAXR; if (n < 20) return;
    long long *ls = malloc(n * sizeof *ls), *ld = malloc(n * sizeof *ld); int ns = 0, nd = 0;
    for (int i = 0; i < n; i++) { if (!recs[i].ts) continue; long long l = recs[i].ts - recs[i].tc; if (recs[i].ccpu == recs[i].scpu) ls[ns++] = l; else ld[nd++] = l; }
    qsort(ls, ns, sizeof *ls, cmpll); qsort(ld, nd, sizeof *ld, cmpll);
    fprintf(stderr, "TCWRAP threads=%d child-started-on-creator's-CPU=%d (%.0f%%) other-CPU=%d | start latency ms same-CPU p50=%.3f p90=%.3f max=%.2f | other-CPU p50=%.3f p90=%.3f max=%.2f\n",
        n, ns, 100.0 * ns / (ns + nd), nd,
        ns ? ls[ns / 2] / 1e6 : 0, ns ? ls[ns * 9 / 10] / 1e6 : 0, ns ? ls[ns - 1] / 1e6 : 0,
        nd ? ld[nd / 2] / 1e6 : 0, nd ? ld[nd * 9 / 10] / 1e6 : 0, nd ? ld[nd - 1] / 1e6 : 0);
}
