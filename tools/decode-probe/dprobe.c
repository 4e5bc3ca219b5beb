// Decode-loop probe against node-llama-cpp's prebuilt libllama/libggml.
// usage: dprobe MODEL BINDIR REPS MODES   (MODES e.g. "a1,a,b,c")
//  a1: main thread, threads=1, no threadpool
//  a : main thread, threads=2, no threadpool
//  b : persistent worker pthread sleeping on a condvar, woken by main per token (libuv-like), threads=2
//  c : like b + persistent ggml threadpool attached (ggml_threadpool_new + llama_attach_threadpool)
//  am: like a + persistent threadpool attached (main thread)
#define _GNU_SOURCE
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <sys/resource.h>
#include "llama.h"
#include "ggml-backend.h"
#include "ggml-cpu.h"

static void quiet(enum ggml_log_level l, const char *t, void *u) { (void)l; (void)t; (void)u; }
static double now_ms(void) { struct timespec ts; clock_gettime(CLOCK_MONOTONIC, &ts); return ts.tv_sec * 1e3 + ts.tv_nsec / 1e6; }
static int cmpd(const void *a, const void *b) { double x = *(double *)a, y = *(double *)b; return x < y ? -1 : x > y; }
static void main_ctxsw(long *vol, long *invol) {
    FILE *f = fopen("/proc/thread-self/status", "r"); char line[256];
    while (fgets(line, sizeof line, f)) {
        if (!strncmp(line, "voluntary_ctxt_switches:", 24)) *vol = atol(line + 24);
        if (!strncmp(line, "nonvoluntary_ctxt_switches:", 27)) *invol = atol(line + 27);
    }
    fclose(f);
}

static long long sys_busy_jiffies(void) {
    FILE *f = fopen("/proc/stat", "r"); long long u,n,s,i,w,irq,sirq,st; fscanf(f, "cpu %lld %lld %lld %lld %lld %lld %lld %lld", &u,&n,&s,&i,&w,&irq,&sirq,&st); fclose(f);
    return u+n+s+irq+sirq+st;
}
#define NTOK 128
static struct llama_context *g_ctx;
static int g_pos;
static llama_token g_tok;

static void decode_one(void) {
    llama_token t = g_tok;
    struct llama_batch b = llama_batch_get_one(&t, 1);
    if (llama_decode(g_ctx, b) != 0) { fprintf(stderr, "decode failed\n"); exit(1); }
    g_pos++;
}

// worker (libuv-like)
static pthread_mutex_t mu = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t cv_work = PTHREAD_COND_INITIALIZER, cv_done = PTHREAD_COND_INITIALIZER;
static int have_work = 0, work_done = 0, quit = 0;
static void *worker(void *arg) {
    (void)arg;
    pthread_mutex_lock(&mu);
    for (;;) {
        while (!have_work && !quit) pthread_cond_wait(&cv_work, &mu);
        if (quit) break;
        have_work = 0;
        pthread_mutex_unlock(&mu);
        decode_one();
        pthread_mutex_lock(&mu);
        work_done = 1;
        pthread_cond_signal(&cv_done);
    }
    pthread_mutex_unlock(&mu);
    return NULL;
}
static void submit_and_wait(void) {
    pthread_mutex_lock(&mu);
    have_work = 1; work_done = 0;
    pthread_cond_signal(&cv_work);
    while (!work_done) pthread_cond_wait(&cv_done, &mu);
    pthread_mutex_unlock(&mu);
}

int main(int argc, char **argv) {
    const char *model_path = argv[1], *bindir = argv[2];
    int reps = atoi(argv[3]);
    const char *modes = argv[4];
    llama_log_set(quiet, NULL);
    if (bindir && strcmp(bindir, "-")) ggml_backend_load_all_from_path(bindir); else ggml_backend_load_all();
    llama_backend_init();
    void (*noop)(enum ggml_log_level, const char *, void *) = NULL; (void)noop;
    struct llama_model_params mp = llama_model_default_params();
    mp.n_gpu_layers = 0;
    struct llama_model *model = llama_model_load_from_file(model_path, mp);
    if (!model) { fprintf(stderr, "load failed\n"); return 1; }
    ggml_backend_reg_t cpu_reg = ggml_backend_reg_by_name("CPU");
    typedef struct ggml_threadpool *(*tp_new_t)(struct ggml_threadpool_params *);
    typedef void (*tp_free_t)(struct ggml_threadpool *);
    tp_new_t tp_new = (tp_new_t)ggml_backend_reg_get_proc_address(cpu_reg, "ggml_threadpool_new");
    tp_free_t tp_free = (tp_free_t)ggml_backend_reg_get_proc_address(cpu_reg, "ggml_threadpool_free");

    for (int r = 0; r < reps; r++) {
        char buf[64]; strncpy(buf, modes, sizeof buf - 1); buf[63] = 0;
        for (char *m = strtok(buf, ","); m; m = strtok(NULL, ",")) {
            int threads = strcmp(m, "a1") == 0 ? 1 : 2;
            int use_worker = m[0] == 'b' || m[0] == 'c';
            int use_tp = m[0] == 'c' || strcmp(m, "am") == 0;
            struct llama_context_params cp = llama_context_default_params();
            cp.n_ctx = 512; cp.n_batch = 512; cp.n_threads = threads; cp.n_threads_batch = threads;
            g_ctx = llama_init_from_model(model, cp);
            struct ggml_threadpool *tp = NULL;
            if (use_tp) { struct ggml_threadpool_params tpp = ggml_threadpool_params_default(threads); tp = tp_new(&tpp); llama_attach_threadpool(g_ctx, tp, NULL); }
            pthread_t th;
            if (use_worker) { quit = 0; pthread_create(&th, NULL, worker, NULL); }
            // warm-up: 4 tokens
            g_pos = 0;
            for (int i = 0; i < 4; i++) { g_tok = 1 + i; if (use_worker) submit_and_wait(); else decode_one(); }
            double times[NTOK]; long v0, iv0, v1, iv1; struct rusage ru0, ru1;
            long long j0 = sys_busy_jiffies(); main_ctxsw(&v0, &iv0); getrusage(RUSAGE_SELF, &ru0);
            double t0 = now_ms();
            for (int i = 0; i < NTOK; i++) {
                double s = now_ms();
                g_tok = 100 + (i % 50);
                if (use_worker) submit_and_wait(); else decode_one();
                times[i] = now_ms() - s;
            }
            double wall = now_ms() - t0;
            getrusage(RUSAGE_SELF, &ru1); main_ctxsw(&v1, &iv1); long long j1 = sys_busy_jiffies();
            double cpu = (ru1.ru_utime.tv_sec - ru0.ru_utime.tv_sec) * 1e3 + (ru1.ru_utime.tv_usec - ru0.ru_utime.tv_usec) / 1e3
                       + (ru1.ru_stime.tv_sec - ru0.ru_stime.tv_sec) * 1e3 + (ru1.ru_stime.tv_usec - ru0.ru_stime.tv_usec) / 1e3;
            qsort(times, NTOK, sizeof(double), cmpd);
            printf("rep=%d mode=%-3s threads=%d tok/s=%6.0f p50=%.3f p90=%.3f max=%.2f busy=%.2f proc_invol=%ld proc_vol=%ld main_invol=%ld others=%.2f\n",
                   r, m, threads, NTOK / wall * 1e3, times[64], times[115], times[127], cpu / wall,
                   ru1.ru_nivcsw - ru0.ru_nivcsw, ru1.ru_nvcsw - ru0.ru_nvcsw, iv1 - iv0, (j1 - j0) * 10.0 / wall - cpu / wall);
            fflush(stdout);
            if (use_worker) { pthread_mutex_lock(&mu); quit = 1; pthread_cond_signal(&cv_work); pthread_mutex_unlock(&mu); pthread_join(th, NULL); }
            if (tp) { llama_detach_threadpool(g_ctx); }
            llama_free(g_ctx);
            if (tp) tp_free(tp);
        }
    }
    llama_model_free(model);
    return 0;
}
