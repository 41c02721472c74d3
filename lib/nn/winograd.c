#include "nn/winograd.h"

#include "core/alloc.h"
#include "core/target_clones.h"
#include "core/workers.h"
#include "nn/small_gemm.h"

#include <cblas.h>
#include <string.h>

/* Interpolation points (besides ∞) per F(m, r). Chosen by measuring a 256-channel layer in float
 * against float64 direct convolution (relative max error): {0, ±1, 2, −½} gives 1.6e-6 for
 * F(3, 4) where the textbook {0, ±1, ±2} gives 4.9e-6, and {0, ±1, ±2, ½} 5.2e-6 for F(4, 4);
 * mixing 2 and ½ keeps both the kernel transform's powers and the input transform's inverse
 * small. */
typedef struct point_set {
    int m, r;
    double points[S2FI_WINOGRAD_MAX_TILE - 1];
} point_set;

static const point_set point_sets[] = {
    {4, 2, {0.0, 1.0, -1.0, 0.5}}, /* 1.5e-6 on 2048 channels; {0, ±1, 2}: 1.7e-5 */
    {2, 4, {0.0, 1.0, -1.0, 0.5}},
    {3, 4, {0.0, 1.0, -1.0, 2.0, -0.5}},
    {4, 4, {0.0, 1.0, -1.0, 2.0, -2.0, 0.5}},
    {4, 3, {0.0, 1.0, -1.0, 0.5, -2.0}}, /* 2.5e-6 on 256 channels; {0, ±1, ±2}: 6.6e-6 */
};

int s2fi_winograd_tile_for_kernel(int r)
{
    /* F(4, 4): 49 multiplies per 16 outputs instead of 256 (5.2× fewer). Measured on the paper
     * voice encoder (one core, AVX2 OpenBLAS): 1.81 s direct, 1.11 s with F(2, 4), 0.87 s with
     * F(3, 4), 0.76 s with F(4, 4); its layer errors stay below 1e-5 relative. */
    /* F(4, 2) serves the stride-2 4×4 layers after their polyphase split (nn/conv2d.c): 25
     * multiplies per 16 outputs instead of 64. F(4, 3) serves face-api's 3×3 convolutions: 36
     * instead of 144; 1.6–1.9× faster per block than im2col + sgemm on its 35×35 and 17×17 maps. */
    return r == 4 || r == 3 || r == 2 ? 4 : 0;
}

static const point_set *find_points(int m, int r)
{
    for (size_t i = 0; i < sizeof point_sets / sizeof point_sets[0]; ++i)
        if (point_sets[i].m == m && point_sets[i].r == r)
            return &point_sets[i];
    return NULL;
}

/* Inverts the n×n matrix `a` (destroyed) into `inv` by Gauss–Jordan with partial pivoting.
 * The evaluation matrices here are small and well conditioned by construction. */
static int invert(double *a, double *inv, int n)
{
    for (int i = 0; i < n; ++i)
        for (int j = 0; j < n; ++j)
            inv[i * n + j] = i == j;
    for (int col = 0; col < n; ++col) {
        int pivot = col;
        for (int row = col + 1; row < n; ++row)
            if (__builtin_fabs(a[row * n + col]) > __builtin_fabs(a[pivot * n + col]))
                pivot = row;
        if (a[pivot * n + col] == 0.0)
            return -1;
        for (int j = 0; j < n; ++j) {
            double t = a[col * n + j];
            a[col * n + j] = a[pivot * n + j];
            a[pivot * n + j] = t;
            t = inv[col * n + j];
            inv[col * n + j] = inv[pivot * n + j];
            inv[pivot * n + j] = t;
        }
        const double d = a[col * n + col];
        for (int j = 0; j < n; ++j) {
            a[col * n + j] /= d;
            inv[col * n + j] /= d;
        }
        for (int row = 0; row < n; ++row) {
            if (row == col)
                continue;
            const double f = a[row * n + col];
            for (int j = 0; j < n; ++j) {
                a[row * n + j] -= f * a[col * n + j];
                inv[row * n + j] -= f * inv[col * n + j];
            }
        }
    }
    return 0;
}

/* Row j < n−1 of an evaluation matrix holds the powers of point j; the last row is the point at
 * ∞, which picks a polynomial's leading coefficient. `cols` is the polynomial's length. */
static void evaluation_matrix(const double *points, int n, int cols, double *out)
{
    for (int j = 0; j < n; ++j)
        for (int k = 0; k < cols; ++k) {
            if (j == n - 1) {
                out[j * cols + k] = k == cols - 1;
                continue;
            }
            double p = 1.0;
            for (int e = 0; e < k; ++e)
                p *= points[j];
            out[j * cols + k] = p;
        }
}

int s2fi_winograd_init(s2fi_winograd *w, int m, int r, int in_channels, int out_channels,
                       const float *torch_weight)
{
    memset(w, 0, sizeof *w);
    const point_set *ps = find_points(m, r);
    const int n = m + r - 1;
    if (!ps || n > S2FI_WINOGRAD_MAX_TILE || in_channels <= 0 || out_channels <= 0)
        return -1;
    double full[S2FI_WINOGRAD_MAX_TILE * S2FI_WINOGRAD_MAX_TILE];
    double full_inv[S2FI_WINOGRAD_MAX_TILE * S2FI_WINOGRAD_MAX_TILE];
    double a[S2FI_WINOGRAD_MAX_TILE * S2FI_WINOGRAD_MAX_TILE]; /* n × m */
    double g[S2FI_WINOGRAD_MAX_TILE * S2FI_WINOGRAD_MAX_TILE]; /* n × r */
    evaluation_matrix(ps->points, n, n, full);
    evaluation_matrix(ps->points, n, m, a);
    evaluation_matrix(ps->points, n, r, g);
    if (invert(full, full_inv, n) != 0)
        return -1;
    w->m = m;
    w->r = r;
    w->n = n;
    w->in_channels = in_channels;
    w->out_channels = out_channels;
    for (int i = 0; i < m; ++i)
        for (int j = 0; j < n; ++j)
            w->at[i * n + j] = (float)a[j * m + i];
    for (int i = 0; i < n; ++i)
        for (int j = 0; j < n; ++j)
            w->bt[i * n + j] = (float)full_inv[j * n + i];

    const size_t ic_count = (size_t)in_channels, oc_count = (size_t)out_channels;
    w->u = s2fi_aligned_alloc((size_t)n * (size_t)n * ic_count * oc_count * sizeof(float));
    if (!w->u)
        return -1;
    /* U = G k Gᵀ per (oc, ic), in double so the only rounding is the final store. */
    for (size_t oc = 0; oc < oc_count; ++oc)
        for (size_t ic = 0; ic < ic_count; ++ic) {
            const float *k = torch_weight + (oc * ic_count + ic) * (size_t)(r * r);
            double gk[S2FI_WINOGRAD_MAX_TILE * S2FI_WINOGRAD_MAX_TILE]; /* n × r */
            for (int i = 0; i < n; ++i)
                for (int x = 0; x < r; ++x) {
                    double s = 0.0;
                    for (int y = 0; y < r; ++y)
                        s += g[i * r + y] * k[y * r + x];
                    gk[i * r + x] = s;
                }
            for (int i = 0; i < n; ++i)
                for (int j = 0; j < n; ++j) {
                    double s = 0.0;
                    for (int x = 0; x < r; ++x)
                        s += gk[i * r + x] * g[j * r + x];
                    w->u[((size_t)(i * n + j) * ic_count + ic) * oc_count + oc] = (float)s;
                }
        }
    return 0;
}

void s2fi_winograd_release(s2fi_winograd *w)
{
    s2fi_free(w->u);
    w->u = NULL;
}

void s2fi_winograd_scale_outputs(s2fi_winograd *w, const float *scale)
{
    const size_t rows = (size_t)w->n * (size_t)w->n * (size_t)w->in_channels;
    const size_t oc_count = (size_t)w->out_channels;
    for (size_t k = 0; k < rows; ++k)
        for (size_t oc = 0; oc < oc_count; ++oc)
            w->u[k * oc_count + oc] *= scale[oc];
}

static size_t tile_count(const s2fi_winograd *w, s2fi_shape out)
{
    return (size_t)((out.height + w->m - 1) / w->m) * (size_t)((out.width + w->m - 1) / w->m);
}

/* Per-tile scratch: the gathered input tile and one half-transformed tile. */
static size_t scratch_floats(const s2fi_winograd *w)
{
    const size_t widest = (size_t)(w->in_channels > w->out_channels ? w->in_channels : w->out_channels);
    return 2 * (size_t)w->n * (size_t)w->n * widest;
}

/* Tiles per block: as many as `budget_floats` holds, but at least MIN_BLOCK_TILES (or all of
 * them): the block is the M of the n² GEMMs, and wide layers (512 channels, 2048 after a
 * polyphase split) would otherwise get blocks of a few dozen tiles, too short for the GEMM
 * kernel and for OpenBLAS threads. The paper voice encoder's stride-2 layer ran 134 ms with
 * 32-tile blocks and 89 ms with 128-tile blocks (one core); the narrow layers keep their
 * cache-sized blocks. */
#define MIN_BLOCK_TILES 128

/* The per-thread scratch is not part of the block budget: the same budget gives the same
 * blocks, hence the same GEMMs, on any number of threads. */
static size_t tiles_per_block(const s2fi_winograd *w, s2fi_shape out, size_t budget_floats)
{
    const size_t per_tile = (size_t)w->n * (size_t)w->n * (size_t)(w->in_channels + w->out_channels);
    const size_t scratch = scratch_floats(w);
    size_t tiles = budget_floats > scratch ? (budget_floats - scratch) / per_tile : 1;
    const size_t total = tile_count(w, out);
    if (tiles < MIN_BLOCK_TILES)
        tiles = MIN_BLOCK_TILES;
    return tiles < total ? tiles : total;
}

size_t s2fi_winograd_workspace_floats(const s2fi_winograd *w, s2fi_shape out, size_t budget_floats,
                                      size_t threads)
{
    if (threads < 1)
        threads = 1;
    const size_t per_tile = (size_t)w->n * (size_t)w->n * (size_t)(w->in_channels + w->out_channels);
    return tiles_per_block(w, out, budget_floats) * per_tile + threads * scratch_floats(w);
}

/* The transforms are channel loops the compiler vectorises; the library's baseline is SSE2, so
 * GCC builds AVX2 and AVX-512 clones too and picks one at load time (core/target_clones.h). */
#define VECTOR_CLONES S2FI_TARGET_CLONES("avx512f", "avx2,fma", "default")

/* dst[c] = Σ_k coef[k] · src_k[c] over the nonzero coefficients (the transforms are sparse:
 * about half of Bᵀ's entries are 0). The terms are summed in registers, one expression per term
 * count, so each source is read once and dst written once, instead of dst being re-read for every
 * term: about 8 % less transform time on the paper encoder (the transforms are bound by their
 * stores into the n² GEMM operands, not by arithmetic). Terms are added in k order. */
#define TERM(k) c[k] * s[k][i]
#define COMBINE_LOOP(expr)                  \
    for (size_t i = 0; i < channels; ++i)   \
        dst[i] = expr;                      \
    return

VECTOR_CLONES static void combine(float *restrict dst, const float *coef, const float *src,
                                  size_t src_stride, int count, size_t channels)
{
    float c[S2FI_WINOGRAD_MAX_TILE];
    const float *restrict s[S2FI_WINOGRAD_MAX_TILE];
    int terms = 0;
    for (int k = 0; k < count; ++k)
        if (coef[k] != 0.0f) {
            c[terms] = coef[k];
            s[terms++] = src + (size_t)k * src_stride;
        }
    switch (terms) {
    case 0: memset(dst, 0, channels * sizeof(float)); return;
    case 1: COMBINE_LOOP(TERM(0));
    case 2: COMBINE_LOOP(TERM(0) + TERM(1));
    case 3: COMBINE_LOOP(TERM(0) + TERM(1) + TERM(2));
    case 4: COMBINE_LOOP(TERM(0) + TERM(1) + TERM(2) + TERM(3));
    case 5: COMBINE_LOOP(TERM(0) + TERM(1) + TERM(2) + TERM(3) + TERM(4));
    case 6: COMBINE_LOOP(TERM(0) + TERM(1) + TERM(2) + TERM(3) + TERM(4) + TERM(5));
    case 7: COMBINE_LOOP(TERM(0) + TERM(1) + TERM(2) + TERM(3) + TERM(4) + TERM(5) + TERM(6));
    default:
        COMBINE_LOOP(TERM(0) + TERM(1) + TERM(2) + TERM(3) + TERM(4) + TERM(5) + TERM(6) + TERM(7));
    }
}
#undef COMBINE_LOOP
#undef TERM

/* Copies the n×n input tile whose top-left input pixel is (y0, x0) into `tile` [n][n][C], zero
 * outside the image. Each tile row is one contiguous NHWC run when it lies inside. */
static void gather_tile(const float *in, s2fi_shape s, int y0, int x0, int n, float *tile)
{
    const size_t channels = (size_t)s.channels;
    for (int i = 0; i < n; ++i) {
        float *dst = tile + (size_t)i * (size_t)n * channels;
        const int y = y0 + i;
        if (y < 0 || y >= s.height) {
            memset(dst, 0, (size_t)n * channels * sizeof(float));
            continue;
        }
        const float *row = in + (size_t)y * (size_t)s.width * channels;
        int lo = x0 < 0 ? -x0 : 0;
        int hi = x0 + n > s.width ? s.width - x0 : n;
        if (hi < lo)
            hi = lo;
        if (lo > 0)
            memset(dst, 0, (size_t)lo * channels * sizeof(float));
        if (hi > lo)
            memcpy(dst + (size_t)lo * channels, row + (size_t)(x0 + lo) * channels,
                   (size_t)(hi - lo) * channels * sizeof(float));
        if (hi < n)
            memset(dst + (size_t)hi * channels, 0, (size_t)(n - hi) * channels * sizeof(float));
    }
}

/* V_(i,j)[t] = (Bᵀ d B)[i][j] for one tile, written into the n² GEMM operands at row t. */
static void transform_input(const s2fi_winograd *w, const float *tile, float *half, float *v,
                            size_t block_tiles, size_t t)
{
    const int n = w->n;
    const size_t c = (size_t)w->in_channels;
    for (int i = 0; i < n; ++i) /* half[i][j] = Σ_k Bᵀ[i][k] d[k][j] */
        for (int j = 0; j < n; ++j)
            combine(half + ((size_t)i * n + j) * c, &w->bt[i * n], tile + (size_t)j * c,
                    (size_t)n * c, n, c);
    for (int i = 0; i < n; ++i) /* V[i][j] = Σ_k half[i][k] Bᵀ[j][k] */
        for (int j = 0; j < n; ++j)
            combine(v + ((size_t)(i * n + j) * block_tiles + t) * c, &w->bt[j * n],
                    half + (size_t)i * n * c, c, n, c);
}

/* Y = Aᵀ M A for one tile, stored into the output pixels inside the image, epilogue applied. */
static void transform_output(const s2fi_winograd *w, const float *mm, size_t block_tiles, size_t t,
                             float *half, float *out, s2fi_shape out_shape, int oy0, int ox0,
                             const s2fi_epilogue *post)
{
    const int n = w->n, m = w->m;
    const size_t c = (size_t)w->out_channels;
    const size_t plane = block_tiles * c; /* distance between M_(k,j) and M_(k+1,j) is n planes */
    for (int i = 0; i < m; ++i) /* half[i][j] = Σ_k Aᵀ[i][k] M[k][j] */
        for (int j = 0; j < n; ++j)
            combine(half + ((size_t)i * n + j) * c, &w->at[i * n], mm + ((size_t)j * block_tiles + t) * c,
                    (size_t)n * plane, n, c);
    const int cols = out_shape.width - ox0 < m ? out_shape.width - ox0 : m;
    for (int i = 0; i < m && oy0 + i < out_shape.height; ++i) {
        float *row = out + ((size_t)(oy0 + i) * (size_t)out_shape.width + (size_t)ox0) * c;
        for (int j = 0; j < cols; ++j) /* Y[i][j] = Σ_k half[i][k] Aᵀ[j][k] */
            combine(row + (size_t)j * c, &w->at[j * n], half + (size_t)i * n * c, c, n, c);
        s2fi_epilogue_apply(post, row, (size_t)cols, (int)c);
    }
}

/* One block of tiles, split among workers: the transforms are a quarter of a layer's time on
 * one core, so they must scale with the GEMMs' OpenBLAS threads. */
typedef struct block_job {
    const s2fi_winograd *w;
    const float *in;
    s2fi_shape in_shape, out_shape;
    int pad_top, pad_left, tiles_w;
    float *v, *mm, *scratch, *out;
    const s2fi_epilogue *post;
    size_t first, count, block;
} block_job;

/* A few tiles per worker at least, or the thread start costs more than it saves. */
#define MIN_TILES_PER_WORKER 8

/* Tiles [begin, end) of the block, on `worker`'s scratch. */
static void transform_inputs_range(const block_job *j, size_t worker, size_t begin, size_t end)
{
    const int m = j->w->m, n = j->w->n;
    float *tile = j->scratch + worker * scratch_floats(j->w);
    float *half = tile + scratch_floats(j->w) / 2;
    for (size_t t = begin; t < end; ++t) {
        const int ty = (int)((j->first + t) / (size_t)j->tiles_w), tx = (int)((j->first + t) % (size_t)j->tiles_w);
        gather_tile(j->in, j->in_shape, ty * m - j->pad_top, tx * m - j->pad_left, n, tile);
        transform_input(j->w, tile, half, j->v, j->block, t);
    }
}

static void transform_outputs_range(const block_job *j, size_t worker, size_t begin, size_t end)
{
    const int m = j->w->m;
    float *half = j->scratch + worker * scratch_floats(j->w);
    for (size_t t = begin; t < end; ++t) {
        const int ty = (int)((j->first + t) / (size_t)j->tiles_w), tx = (int)((j->first + t) % (size_t)j->tiles_w);
        transform_output(j->w, j->mm, j->block, t, half, j->out, j->out_shape, ty * m, tx * m, j->post);
    }
}

static void transform_inputs(void *context, size_t worker, size_t workers)
{
    size_t begin, end;
    s2fi_worker_range(((const block_job *)context)->count, worker, workers, &begin, &end);
    transform_inputs_range(context, worker, begin, end);
}

static void transform_outputs(void *context, size_t worker, size_t workers)
{
    size_t begin, end;
    s2fi_worker_range(((const block_job *)context)->count, worker, workers, &begin, &end);
    transform_outputs_range(context, worker, begin, end);
}

/* The n² products run on the library's own kernel (nn/small_gemm.h), the positions split among
 * the workers, instead of cblas_sgemm:
 * - always where the CPU has AVX-512: its 8 × 32 register block outruns OpenBLAS 0.3.21, whose
 *   DYNAMIC_ARCH build runs its Haswell (AVX2) kernel there (measured per layer on the paper
 *   voice encoder, one core, Zen 5: conv 7 121 → 65 ms, all nine 571 → 469 ms; docs/performance.md);
 * - elsewhere for small products only — a position's transformed kernels within
 *   OWN_GEMM_MAX_WEIGHTS floats (64 KB, in L2 with room for the tiles): cblas_sgemm repacks both
 *   operands on every call, and at these sizes (face-api's ResNet: 32–128 channels,
 *   M·N·K ≤ 2^18) OpenBLAS runs each call on one thread, so a layer's threads could not help.
 *   (Measured with the AVX-512 clone of the portable kernel; its AVX2 build is not measured.) */
#define OWN_GEMM_MAX_WEIGHTS (128 * 128)

static bool uses_own_gemm(const s2fi_winograd *w)
{
    return w->out_channels % S2FI_SMALL_GEMM_CHANNELS == 0 &&
           (s2fi_small_gemm_wide() ||
            (size_t)w->in_channels * (size_t)w->out_channels <= OWN_GEMM_MAX_WEIGHTS);
}

/* The products of positions [p_begin, p_end) for tiles [t_begin, t_end) of the block. */
static void multiply_range(const block_job *j, size_t p_begin, size_t p_end, size_t t_begin,
                           size_t t_end)
{
    const size_t ic = (size_t)j->w->in_channels, oc = (size_t)j->w->out_channels;
    const s2fi_epilogue none = {0};
    for (size_t p = p_begin; p < p_end; ++p)
        s2fi_small_gemm_epilogue(j->v + (p * j->block + t_begin) * ic, t_end - t_begin, ic,
                                 j->w->u + p * ic * oc, oc, &none,
                                 j->mm + (p * j->block + t_begin) * oc);
}

static void multiply_positions(void *context, size_t worker, size_t workers)
{
    const block_job *j = context;
    size_t begin, end;
    s2fi_worker_range((size_t)j->w->n * (size_t)j->w->n, worker, workers, &begin, &end);
    multiply_range(j, begin, end, 0, j->count);
}

/* A layer whose transformed weights fit in L2 (face-api's 35×35×32 and 17×17×64 layers:
 * 147 and 590 KB) is split by tiles end to end instead: each worker transforms its own tiles,
 * multiplies them at every position and transforms them back, so its data never leaves its
 * core, and only the read-only weights are shared. Split phase by phase, those layers ran 1.3–
 * 1.8× slower on two threads than on one (the tiles crossed between the cores' caches at each
 * phase), so they ran on one. Each output is computed as on one thread, bit for bit. */
#define END_TO_END_MAX_WEIGHT_BYTES ((double)(1 << 20))
#define END_TO_END_MIN_TILES 12

static void tiles_end_to_end(void *context, size_t worker, size_t workers)
{
    const block_job *j = context;
    size_t begin, end;
    s2fi_worker_range(j->count, worker, workers, &begin, &end);
    transform_inputs_range(j, worker, begin, end);
    multiply_range(j, 0, (size_t)j->w->n * (size_t)j->w->n, begin, end);
    transform_outputs_range(j, worker, begin, end);
}

void s2fi_winograd_forward(const s2fi_winograd *w, const float *in, s2fi_shape in_shape,
                           int pad_top, int pad_left, float *out, s2fi_shape out_shape,
                           const s2fi_epilogue *post, float *workspace, size_t workspace_floats,
                           size_t threads, s2fi_pool *pool)
{
    /* Never more threads than the workspace has scratch for (a caller that sized it for fewer). */
    while (threads > 1 && workspace_floats < threads * scratch_floats(w))
        --threads;
    if (threads < 1)
        threads = 1;
    const size_t total = tile_count(w, out_shape);
    /* The caller sized the workspace for `threads`; the block is what it was sized with. */
    const size_t block = tiles_per_block(w, out_shape, workspace_floats - (threads - 1) * scratch_floats(w));
    const size_t ic = (size_t)w->in_channels, oc = (size_t)w->out_channels;
    const size_t positions = (size_t)w->n * (size_t)w->n;
    block_job job = {.w = w, .in = in, .in_shape = in_shape, .out_shape = out_shape,
                     .pad_top = pad_top, .pad_left = pad_left,
                     .tiles_w = (out_shape.width + w->m - 1) / w->m, .out = out, .post = post,
                     .block = block};
    job.v = workspace;
    job.mm = job.v + positions * block * ic;
    job.scratch = job.mm + positions * block * oc;

    const double weight_bytes = 4.0 * (double)positions * (double)ic * (double)oc;
    const bool end_to_end = uses_own_gemm(w) && weight_bytes <= END_TO_END_MAX_WEIGHT_BYTES;
    for (job.first = 0; job.first < total; job.first += block) {
        job.count = total - job.first < block ? total - job.first : block;
        if (end_to_end) {
            s2fi_run_workers(pool, s2fi_useful_workers(threads, job.count, END_TO_END_MIN_TILES),
                             tiles_end_to_end, &job);
            continue;
        }
        if (!s2fi_worth_splitting(weight_bytes, 2.0 * (double)job.count * (double)positions *
                                                    (double)ic * (double)oc))
            threads = 1;
        const size_t workers = s2fi_useful_workers(threads, job.count, MIN_TILES_PER_WORKER);
        s2fi_run_workers(pool, workers, transform_inputs, &job);
        if (uses_own_gemm(w)) {
            s2fi_run_workers(pool, threads < positions ? threads : positions, multiply_positions, &job);
        } else {
            s2fi_pool_park(pool); /* OpenBLAS's threads run the products */
            for (size_t p = 0; p < positions; ++p)
                cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, (int)job.count, (int)oc,
                            (int)ic, 1.0f, job.v + p * block * ic, (int)ic, w->u + p * ic * oc,
                            (int)oc, 0.0f, job.mm + p * block * oc, (int)oc);
        }
        s2fi_run_workers(pool, workers, transform_outputs, &job);
    }
}
