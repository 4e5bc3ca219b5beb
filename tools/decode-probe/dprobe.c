// Decode-loop probe against node-llama-cpp's prebuilt libllama/libggml.
// usage: dprobe MODEL BINDIR REPS MODES   (MODES e.g. "a1,a,b,c", "p1:1,p4:1,p1:2,p4:2" or "s4:2,s4p:2,s4/3p:2,s4:2:bb")
//  BINDIR: directory to load dynamic ggml backends from ("-": ggml's default search,
//          "none": load nothing, for builds with the CPU backend linked in, GGML_BACKEND_DL=OFF)
//  any mode may end in ":T" to set the thread count (default 1 for a1, 2 otherwise)
//  a1: main thread, threads=1, no threadpool
//  a : main thread, threads=2, no threadpool
//  b : persistent worker pthread sleeping on a condvar, woken by main per token (libuv-like), threads=2
//  c : like b + persistent ggml threadpool attached (ggml_threadpool_new + llama_attach_threadpool)
//  am: like a + persistent threadpool attached (main thread)
//  pN: a libuv-like pool of N worker threads sharing one job queue (one mutex, one condvar the idle
//      workers wait on); main hands each token's decode to the pool and sleeps on a condvar until done
//  pNs: like pN, then a second hand-off per token for "sampling" (copy the last logits row into a
//      buffer of n_vocab floats, argmax), as node-llama-cpp's decode worker + sample worker do
//  pNi: like pN, decode and the same sampling inside one hand-off
//  a trailing 'x' on a pool mode (p1x, p1sx, ...) makes main spin on an atomic instead of sleeping
//  sN : N sequences decoded together from the main thread, context made as node-llama-cpp makes it
//       (n_ctx = 512*N, n_batch = n_ubatch = 512, n_seq_max = N, kv_unified/swa_full off, flash attention
//       off, perf on): one N*64-token prompt batch, then 32 steps of N tokens (seq 0..N-1, logits on each),
//       each step llama_decode + llama_synchronize as node-llama-cpp's decode worker does
//  sNp: like sN, every decode handed to one pool worker (node with UV_THREADPOOL_SIZE=1)
//  sN/K (s4/3, s4/3p): the same N*32 tokens in the same order (step-major, then sequence), decoded K per
//       llama_decode, as node-llama-cpp's batching ends up doing when not every sequence is queued in time
//  a ":bb" suffix (s4:2:bb) makes the context as llama-batched-bench does (common_context_params_to_llama)
#define _GNU_SOURCE
#include <pthread.h>
#include <stdatomic.h>
#include <stdint.h>
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
    FILE *f = fopen("/proc/stat", "r"); long long u,n,s,i,w,irq,sirq,st; if (fscanf(f, "cpu %lld %lld %lld %lld %lld %lld %lld %lld", &u,&n,&s,&i,&w,&irq,&sirq,&st) != 8) u = n = s = irq = sirq = st = 0;
    fclose(f);
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

// sampling as in node-llama-cpp's sample worker, reduced to greedy: copy the logits row, argmax
static float *g_logits_buf;
static int g_n_vocab;
static volatile int g_sink;
static void sample_one(void) {
    const float *row = llama_get_logits_ith(g_ctx, -1);
    if (!row) { fprintf(stderr, "no logits\n"); exit(1); }
    memcpy(g_logits_buf, row, sizeof(float) * (size_t)g_n_vocab);
    int best = 0;
    for (int i = 1; i < g_n_vocab; i++) if (g_logits_buf[i] > g_logits_buf[best]) best = i;
    g_sink = best;
}

// libuv-like pool: N workers wait on one condvar for a shared queue (depth 1 suffices: main waits)
#define MAXPOOL 16
enum { JOB_DECODE = 1, JOB_SAMPLE = 2 };
static pthread_mutex_t pmu = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t pcv_work = PTHREAD_COND_INITIALIZER, pcv_done = PTHREAD_COND_INITIALIZER;
static int p_job = 0, p_quit = 0, p_last_worker = -1;
static long p_done = 0;
static atomic_long p_done_a;
static void *pool_worker(void *arg) {
    int id = (int)(intptr_t)arg;
    pthread_mutex_lock(&pmu);
    for (;;) {
        while (!p_job && !p_quit) pthread_cond_wait(&pcv_work, &pmu);
        if (!p_job) break;
        int job = p_job; p_job = 0;
        pthread_mutex_unlock(&pmu);
        if (job & JOB_DECODE) decode_one();
        if (job & JOB_SAMPLE) sample_one();
        pthread_mutex_lock(&pmu);
        p_last_worker = id;
        p_done++;
        atomic_store(&p_done_a, p_done);
        pthread_cond_signal(&pcv_done);
    }
    pthread_mutex_unlock(&pmu);
    return NULL;
}
// hand one job to the pool and wait for it; returns the id of the worker that ran it
static int pool_run(int job, int spin) {
    pthread_mutex_lock(&pmu);
    long target = p_done + 1;
    p_job = job;
    pthread_cond_signal(&pcv_work);
    if (spin) {
        pthread_mutex_unlock(&pmu);
        while (atomic_load_explicit(&p_done_a, memory_order_acquire) < target) __builtin_ia32_pause();
        pthread_mutex_lock(&pmu);
    } else {
        while (p_done < target) pthread_cond_wait(&pcv_done, &pmu);
    }
    int w = p_last_worker;
    pthread_mutex_unlock(&pmu);
    return w;
}

// worker (libuv-like): runs the job it was started with (arg: a void (*)(void)) each time work is handed over
static pthread_mutex_t mu = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t cv_work = PTHREAD_COND_INITIALIZER, cv_done = PTHREAD_COND_INITIALIZER;
static int have_work = 0, work_done = 0, quit = 0;
typedef void (*job_fn)(void);
struct job { job_fn run; };
static void *worker(void *arg) {
    job_fn run = ((struct job *)arg)->run;
    pthread_mutex_lock(&mu);
    for (;;) {
        while (!have_work && !quit) pthread_cond_wait(&cv_work, &mu);
        if (quit) break;
        have_work = 0;
        pthread_mutex_unlock(&mu);
        run();
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

// one token: decode (+ sampling) by the chosen route; counts decodes that ran on another pool worker
// than the previous decode (hops) and sampling jobs that ran on another worker than their decode (shops)
static void step(int npool, int pjob_mode, int spin, int use_worker, int *prev_w, int *hops, int *shops) {
    if (npool) {
        int w = pool_run(JOB_DECODE | (pjob_mode == 2 ? JOB_SAMPLE : 0), spin);
        if (*prev_w >= 0 && w != *prev_w) (*hops)++;
        *prev_w = w;
        if (pjob_mode == 1 && pool_run(JOB_SAMPLE, spin) != w) (*shops)++;
    } else if (use_worker) submit_and_wait(); else decode_one();
}

// sN / sNp: N sequences per step
#define SPROMPT 64
#define SSTEPS 32
static struct llama_batch g_sb;
static void sbatch_add(llama_token t, llama_pos pos, llama_seq_id seq, int logits) {
    int i = g_sb.n_tokens++;
    g_sb.token[i] = t; g_sb.pos[i] = pos; g_sb.n_seq_id[i] = 1; g_sb.seq_id[i][0] = seq; g_sb.logits[i] = (int8_t)logits;
}
static void decode_sbatch(void) {
    if (llama_decode(g_ctx, g_sb) != 0) { fprintf(stderr, "batch decode failed\n"); exit(1); }
    llama_synchronize(g_ctx);
}
static void run_seqs(struct llama_model *model, int nseq, int chunk, int on_pool, int bb, int threads, int rep, const char *name) {
    struct llama_context_params cp = llama_context_default_params();
    cp.n_ctx = 512u * (uint32_t)nseq; cp.n_batch = 512; cp.n_ubatch = 512; cp.n_seq_max = (uint32_t)nseq;
    cp.n_threads = threads; cp.n_threads_batch = threads;
    cp.flash_attn_type = LLAMA_FLASH_ATTN_TYPE_DISABLED;
    cp.no_perf = false;
    if (bb) { // common_context_params_to_llama with common_params' defaults
        cp.rope_scaling_type = LLAMA_ROPE_SCALING_TYPE_UNSPECIFIED; cp.rope_freq_base = 0.0f; cp.rope_freq_scale = 0.0f;
        cp.yarn_ext_factor = -1.0f; cp.yarn_attn_factor = -1.0f; cp.yarn_beta_fast = -1.0f; cp.yarn_beta_slow = -1.0f;
        cp.yarn_orig_ctx = 0; cp.pooling_type = LLAMA_POOLING_TYPE_UNSPECIFIED; cp.attention_type = LLAMA_ATTENTION_TYPE_UNSPECIFIED;
        cp.offload_kqv = true; cp.op_offload = true; cp.swa_full = false; cp.kv_unified = false;
        cp.type_k = GGML_TYPE_F16; cp.type_v = GGML_TYPE_F16; cp.n_outputs_max = 0; cp.n_outputs_max_per_seq = 1;
    } else {  // AddonContext's constructor
        cp.swa_full = false; cp.kv_unified = false;
    }
    g_ctx = llama_init_from_model(model, cp);
    if (!g_ctx) { fprintf(stderr, "context failed\n"); exit(1); }
    // node-llama-cpp: llama_batch_init(batch size, 0, 1); batched-bench: llama_batch_init(n_ctx, 0, 1)
    g_sb = llama_batch_init(bb ? (int32_t)cp.n_ctx : 512, 0, 1);
    pthread_t th;
    if (on_pool) { quit = 0; have_work = 0; static struct job sjob = { decode_sbatch }; pthread_create(&th, NULL, worker, &sjob); }
    if (bb) { // batched-bench's warm-up: 16 tokens of seq 0, then clear
        g_sb.n_tokens = 0;
        for (int i = 0; i < 16; i++) sbatch_add(1 + i, i, 0, 0);
        if (on_pool) submit_and_wait(); else decode_sbatch();
        llama_memory_clear(llama_get_memory(g_ctx), false);
    }
    g_sb.n_tokens = 0;
    for (int j = 0; j < nseq; j++) for (int i = 0; i < SPROMPT; i++) sbatch_add(100 + i, i, j, i == SPROMPT - 1);
    if (on_pool) submit_and_wait(); else decode_sbatch();
    llama_perf_context_reset(g_ctx);
    if (chunk < 1 || chunk > nseq) chunk = nseq;
    const int ntok = nseq * SSTEPS, ndec = (ntok + chunk - 1) / chunk;
    double times[64 * SSTEPS]; struct rusage ru0, ru1; long long j0 = sys_busy_jiffies(); getrusage(RUSAGE_SELF, &ru0);
    double t0 = now_ms();
    for (int d = 0; d < ndec; d++) {
        g_sb.n_tokens = 0;
        for (int k = d * chunk; k < ntok && k < (d + 1) * chunk; k++) {
            int i = k / nseq, j = k % nseq;
            sbatch_add(200 + i + 7 * j, SPROMPT + i, j, 1);
        }
        double s = now_ms();
        if (on_pool) submit_and_wait(); else decode_sbatch();
        times[d] = now_ms() - s;
    }
    double wall = now_ms() - t0;
    getrusage(RUSAGE_SELF, &ru1); long long j1 = sys_busy_jiffies();
    double cpu = (ru1.ru_utime.tv_sec - ru0.ru_utime.tv_sec) * 1e3 + (ru1.ru_utime.tv_usec - ru0.ru_utime.tv_usec) / 1e3
               + (ru1.ru_stime.tv_sec - ru0.ru_stime.tv_sec) * 1e3 + (ru1.ru_stime.tv_usec - ru0.ru_stime.tv_usec) / 1e3;
    struct llama_perf_context_data pd = llama_perf_context(g_ctx);
    qsort(times, (size_t)ndec, sizeof(double), cmpd);
    // decodes of more than one token are booked by llama.cpp as prompt eval (t_p_eval, n_p_eval), single
    // tokens as eval; ms/step and perf_ms/step are per N tokens (one token of each sequence)
    printf("rep=%d mode=%-6s ctx=%s threads=%d ndec=%d ms/dec p50=%.3f p90=%.3f max=%.2f ms/step=%.3f tok/s=%.1f perf_ms/step=%.3f perf_n=%d+%d busy=%.2f proc_invol=%ld proc_vol=%ld others=%.2f\n",
           rep, name, bb ? "bb" : "nlc", threads, ndec, times[ndec / 2], times[(ndec * 9) / 10], times[ndec - 1], wall / SSTEPS,
           ntok / wall * 1e3, (pd.t_p_eval_ms + (pd.n_eval > 1 || pd.t_eval_ms > 0 ? pd.t_eval_ms : 0)) / SSTEPS, pd.t_p_eval_ms > 0 ? pd.n_p_eval : 0, pd.t_eval_ms > 0 ? pd.n_eval : 0, cpu / wall,
           ru1.ru_nivcsw - ru0.ru_nivcsw, ru1.ru_nvcsw - ru0.ru_nvcsw, (j1 - j0) * 10.0 / wall - cpu / wall);
    fflush(stdout);
    if (on_pool) { pthread_mutex_lock(&mu); quit = 1; pthread_cond_signal(&cv_work); pthread_mutex_unlock(&mu); pthread_join(th, NULL); }
    llama_batch_free(g_sb);
    llama_free(g_ctx);
}

int main(int argc, char **argv) {
    if (argc < 5) { fprintf(stderr, "usage: dprobe MODEL BINDIR|-|none REPS MODES\n"); return 2; }
    const char *model_path = argv[1], *bindir = argv[2];
    int reps = atoi(argv[3]);
    const char *modes = argv[4];
    llama_log_set(quiet, NULL);
    if (!strcmp(bindir, "none")) { /* CPU backend linked in */ }
    else if (strcmp(bindir, "-")) ggml_backend_load_all_from_path(bindir); else ggml_backend_load_all();
    llama_backend_init();
    void (*noop)(enum ggml_log_level, const char *, void *) = NULL; (void)noop;
    struct llama_model_params mp = llama_model_default_params();
    mp.n_gpu_layers = 0;
    struct llama_model *model = llama_model_load_from_file(model_path, mp);
    if (!model) { fprintf(stderr, "load failed\n"); return 1; }
    g_n_vocab = llama_vocab_n_tokens(llama_model_get_vocab(model));
    g_logits_buf = malloc(sizeof(float) * (size_t)g_n_vocab);
    ggml_backend_reg_t cpu_reg = ggml_backend_reg_by_name("CPU");
    typedef struct ggml_threadpool *(*tp_new_t)(struct ggml_threadpool_params *);
    typedef void (*tp_free_t)(struct ggml_threadpool *);
    tp_new_t tp_new = (tp_new_t)ggml_backend_reg_get_proc_address(cpu_reg, "ggml_threadpool_new");
    tp_free_t tp_free = (tp_free_t)ggml_backend_reg_get_proc_address(cpu_reg, "ggml_threadpool_free");

    for (int r = 0; r < reps; r++) {
        char buf[512]; strncpy(buf, modes, sizeof buf - 1); buf[sizeof buf - 1] = 0;
        char *save = NULL;
        for (char *m = strtok_r(buf, ",", &save); m; m = strtok_r(NULL, ",", &save)) {
            int bb = 0;
            char *bbs = strstr(m, ":bb");
            if (bbs) { bb = 1; *bbs = 0; }
            int threads = strcmp(m, "a1") == 0 ? 1 : 2;
            char *colon = strchr(m, ':');
            if (colon) { *colon = 0; threads = atoi(colon + 1); }
            if (m[0] == 's') {
                char *e; int nseq = (int)strtol(m + 1, &e, 10), chunk = 0;
                if (nseq < 1 || nseq > 64) { fprintf(stderr, "bad sequence count in %s\n", m); return 2; }
                if (*e == '/') chunk = (int)strtol(e + 1, &e, 10);
                run_seqs(model, nseq, chunk, *e == 'p', bb, threads, r, m);
                continue;
            }
            int use_worker = m[0] == 'b' || m[0] == 'c';
            int npool = 0, pjob_mode = 0 /* 0 decode only, 1 separate sample hop, 2 inline sample */, spin = 0;
            if (m[0] == 'p') {
                char *e; npool = (int)strtol(m + 1, &e, 10);
                if (npool < 1 || npool > MAXPOOL) { fprintf(stderr, "bad pool size in %s\n", m); return 2; }
                for (; *e; e++) { if (*e == 's') pjob_mode = 1; else if (*e == 'i') pjob_mode = 2; else if (*e == 'x') spin = 1; }
            }
            int use_tp = m[0] == 'c' || strcmp(m, "am") == 0;
            struct llama_context_params cp = llama_context_default_params();
            cp.n_ctx = 512; cp.n_batch = 512; cp.n_threads = threads; cp.n_threads_batch = threads;
            g_ctx = llama_init_from_model(model, cp);
            struct ggml_threadpool *tp = NULL;
            if (use_tp) { struct ggml_threadpool_params tpp = ggml_threadpool_params_default(threads); tp = tp_new(&tpp); llama_attach_threadpool(g_ctx, tp, NULL); }
            pthread_t th, pth[MAXPOOL];
            if (use_worker) { quit = 0; static struct job djob = { decode_one }; pthread_create(&th, NULL, worker, &djob); }
            if (npool) { p_quit = 0; p_job = 0; for (int k = 0; k < npool; k++) pthread_create(&pth[k], NULL, pool_worker, (void *)(intptr_t)k); }
            int hops = 0, prev_w = -1, shops = 0;
            // warm-up: 4 tokens
            g_pos = 0;
            for (int i = 0; i < 4; i++) { g_tok = 1 + i; step(npool, pjob_mode, spin, use_worker, &prev_w, &hops, &shops); }
            hops = 0; shops = 0;
            double times[NTOK]; long v0, iv0, v1, iv1; struct rusage ru0, ru1;
            long long j0 = sys_busy_jiffies(); main_ctxsw(&v0, &iv0); getrusage(RUSAGE_SELF, &ru0);
            double t0 = now_ms();
            for (int i = 0; i < NTOK; i++) {
                double s = now_ms();
                g_tok = 100 + (i % 50);
                step(npool, pjob_mode, spin, use_worker, &prev_w, &hops, &shops);
                times[i] = now_ms() - s;
            }
            double wall = now_ms() - t0;
            getrusage(RUSAGE_SELF, &ru1); main_ctxsw(&v1, &iv1); long long j1 = sys_busy_jiffies();
            double cpu = (ru1.ru_utime.tv_sec - ru0.ru_utime.tv_sec) * 1e3 + (ru1.ru_utime.tv_usec - ru0.ru_utime.tv_usec) / 1e3
                       + (ru1.ru_stime.tv_sec - ru0.ru_stime.tv_sec) * 1e3 + (ru1.ru_stime.tv_usec - ru0.ru_stime.tv_usec) / 1e3;
            qsort(times, NTOK, sizeof(double), cmpd);
            printf("rep=%d mode=%-4s threads=%d tok/s=%6.1f ms/tok=%.3f p50=%.3f p90=%.3f max=%.2f busy=%.2f proc_invol=%ld proc_vol=%ld main_invol=%ld others=%.2f hops=%d shops=%d\n",
                   r, m, threads, NTOK / wall * 1e3, wall / NTOK, times[64], times[115], times[127], cpu / wall,
                   ru1.ru_nivcsw - ru0.ru_nivcsw, ru1.ru_nvcsw - ru0.ru_nvcsw, iv1 - iv0, (j1 - j0) * 10.0 / wall - cpu / wall, hops, shops);
            fflush(stdout);
            if (use_worker) { pthread_mutex_lock(&mu); quit = 1; pthread_cond_signal(&cv_work); pthread_mutex_unlock(&mu); pthread_join(th, NULL); }
            if (npool) {
                pthread_mutex_lock(&pmu); p_quit = 1; pthread_cond_broadcast(&pcv_work); pthread_mutex_unlock(&pmu);
                for (int k = 0; k < npool; k++) pthread_join(pth[k], NULL);
            }
            if (tp) { llama_detach_threadpool(g_ctx); }
            llama_free(g_ctx);
            if (tp) tp_free(tp);
        }
    }
    llama_model_free(model);
    free(g_logits_buf);
    return 0;
}
