/* Reports made from a finished benchmark run: one JSON document (machine, date, threads, every
 * row with all its numbers) and an SVG roofline chart (log-log intensity vs GFLOP/s). */
#include "harness.h"

#include <math.h>
#include <string.h>
#include <time.h>

#include "peers.h"

static void json_str(FILE *f, const char *s)
{
    fputc('"', f);
    for (; *s; s++) {
        unsigned char ch = (unsigned char)*s;
        if (ch == '"' || ch == '\\')
            fprintf(f, "\\%c", ch);
        else if (ch < 0x20)
            fprintf(f, "\\u%04x", ch);
        else
            fputc(ch, f);
    }
    fputc('"', f);
}

/* JSON has no NaN or Inf: unknown numbers are null. */
static void json_num(FILE *f, double v)
{
    if (isfinite(v))
        fprintf(f, "%.10g", v);
    else
        fputs("null", f);
}

static void json_key_num(FILE *f, const char *k, double v, int comma)
{
    fprintf(f, "\"%s\": ", k);
    json_num(f, v);
    if (comma)
        fputs(", ", f);
}

static void json_key_str(FILE *f, const char *k, const char *v, int comma)
{
    fprintf(f, "\"%s\": ", k);
    json_str(f, v);
    if (comma)
        fputs(", ", f);
}

static const char *limit_name(gk_bench_limit l)
{
    switch (l) {
    case GK_LIMIT_COMPUTE: return "compute";
    case GK_LIMIT_DRAM: return "dram";
    case GK_LIMIT_L1: return "l1";
    case GK_LIMIT_L2: return "l2";
    case GK_LIMIT_ROOFLINE: return "roofline";
    }
    return "?";
}

int gk_bench_write_json(const gk_bench_ctx *ctx, FILE *f)
{
    const struct gk_device_profile *p = ctx->prof;
    char date[32];
    time_t t = time(NULL);
    struct tm tm;
    gmtime_r(&t, &tm);
    strftime(date, sizeof date, "%Y-%m-%dT%H:%M:%SZ", &tm);

    fputs("{", f);
    json_key_str(f, "tool", "gk bench", 1);
    json_key_str(f, "version", gk_version(), 1);
    json_key_str(f, "suite", ctx->suite, 1);
    json_key_str(f, "date", date, 1);
    json_key_num(f, "threads", ctx->threads, 1);
    json_key_str(f, "isa", gk_isa_name(gk_get_isa()), 1);
    fprintf(f, "\"quick\": %s, \"peers\": [", ctx->quick ? "true" : "false");
    for (int i = 0; gk_peer_get(i); i++) {
        if (i)
            fputs(", ", f);
        json_str(f, gk_peer_get(i)->label);
    }
    fputs("],\n \"machine\": {", f);
    json_key_str(f, "vendor", p->vendor, 1);
    json_key_str(f, "brand", p->brand, 1);
    json_key_num(f, "family", p->family, 1);
    json_key_num(f, "model", p->model, 1);
    json_key_num(f, "stepping", p->stepping, 1);
    json_key_str(f, "isa_max", gk_isa_name(p->isa_max), 1);
    json_key_num(f, "cores", p->cores, 1);
    json_key_num(f, "l1d_bytes", (double)p->l1d.size, 1);
    json_key_num(f, "l2_bytes", (double)p->l2.size, 1);
    json_key_num(f, "l3_bytes", (double)p->l3.size, 1);
    json_key_num(f, "measured", p->measured, 1);
    json_key_num(f, "peak_gflops_per_core", p->peak_gflops, 1);
    json_key_num(f, "bw_l1_gbs_per_core", p->bw_l1_gbs, 1);
    json_key_num(f, "bw_l2_gbs_per_core", p->bw_l2_gbs, 1);
    json_key_num(f, "bw_dram_gbs_1t", p->bw_dram_gbs_1t, 1);
    json_key_num(f, "bw_dram_gbs_all", p->bw_dram_gbs_all, 0);
    fputs("},\n \"rows\": [", f);
    for (size_t i = 0; i < ctx->nrows; i++) {
        const gk_bench_row *r = &ctx->rows[i];
        fputs(i ? ",\n  {" : "\n  {", f);
        json_key_str(f, "suite", r->suite, 1);
        json_key_str(f, "op", r->op, 1);
        json_key_str(f, "shape", r->shape, 1);
        json_key_str(f, "impl", r->impl, 1);
        fprintf(f, "\"ok\": %s, ", r->ok ? "true" : "false");
        if (!r->ok)
            json_key_str(f, "error", r->error, 1);
        json_key_num(f, "flops", r->flops, 1);
        json_key_num(f, "bytes", r->bytes, 1);
        json_key_str(f, "limit", limit_name(r->limit), 1);
        json_key_num(f, "limit_s", r->limit_s > 0 ? r->limit_s : NAN, 1);
        json_key_num(f, "reps", r->reps, 1);
        json_key_num(f, "calls_per_rep", (double)r->batch, 1);
        json_key_num(f, "rounds", r->rounds ? r->rounds : 1, 1);
        double med = r->ok ? r->median_s : NAN;
        json_key_num(f, "median_s", med, 1);
        json_key_num(f, "best_s", r->ok ? r->best_s : NAN, 1);
        json_key_num(f, "gflops", r->flops > 0 ? r->flops / med * 1e-9 : NAN, 1);
        json_key_num(f, "gbs", r->bytes > 0 ? r->bytes / med * 1e-9 : NAN, 1);
        json_key_num(f, "pct_limit", r->limit_s > 0 ? 100.0 * r->limit_s / med : NAN, 1);
        json_key_num(f, "ratio_gk_over_peer", r->ratio > 0 ? r->ratio : NAN, 0);
        fputs("}", f);
    }
    fputs("\n ]}\n", f);
    fflush(f);
    if (ferror(f)) {
        fprintf(stderr, "gk bench: writing the JSON document failed\n");
        return 1;
    }
    return 0;
}

static void xml_text(FILE *f, const char *s)
{
    for (; *s; s++) {
        if (*s == '&')
            fputs("&amp;", f);
        else if (*s == '<')
            fputs("&lt;", f);
        else if (*s == '>')
            fputs("&gt;", f);
        else
            fputc(*s, f);
    }
}

typedef struct {
    double lx0, lx1, ly0, ly1; /* decades shown */
    double left, top, w, h;    /* plot area in pixels */
} axes;

static double px(const axes *a, double x)
{
    return a->left + (log10(x) - a->lx0) / (a->lx1 - a->lx0) * a->w;
}

static double py(const axes *a, double y)
{
    return a->top + a->h - (log10(y) - a->ly0) / (a->ly1 - a->ly0) * a->h;
}

static int plottable(const gk_bench_row *r)
{
    return r->ok && r->flops > 0 && r->bytes > 0 && r->median_s > 0;
}

static const char *const palette[] = {"#d62728", "#1f77b4", "#2ca02c", "#ff7f0e",
                                      "#9467bd", "#8c564b", "#e377c2", "#17becf"};
enum { NPAL = sizeof palette / sizeof palette[0], MAX_IMPLS = 32 };

int gk_bench_write_svg(const gk_bench_ctx *ctx, const char *path)
{
    FILE *f = fopen(path, "w");
    if (!f) {
        fprintf(stderr, "gk bench: cannot write %s\n", path);
        return 1;
    }
    double peak = gk_bench_peak_gflops(ctx), bw = gk_bench_dram_gbs(ctx);
    double xmin = INFINITY, xmax = 0, ymin = INFINITY, ymax = 0;
    const char *impls[MAX_IMPLS];
    int nimpl = 0, skipped = 0;
    for (size_t i = 0; i < ctx->nrows; i++) {
        const gk_bench_row *r = &ctx->rows[i];
        if (!plottable(r)) {
            skipped++;
            continue;
        }
        double ai = r->flops / r->bytes, g = r->flops / r->median_s * 1e-9;
        xmin = fmin(xmin, ai);
        xmax = fmax(xmax, ai);
        ymin = fmin(ymin, g);
        ymax = fmax(ymax, g);
        int k = 0;
        while (k < nimpl && strcmp(impls[k], r->impl))
            k++;
        if (k == nimpl && nimpl < MAX_IMPLS)
            impls[nimpl++] = r->impl;
    }
    if (peak > 0 && bw > 0) {
        double ridge = peak / bw;
        xmin = fmin(xmin, ridge / 10);
        xmax = fmax(xmax, ridge * 10);
        ymax = fmax(ymax, peak);
        ymin = fmin(ymin, bw * xmin);
    }
    if (!(xmax > 0)) { /* nothing to plot and no profile: a fixed frame */
        xmin = 0.1, xmax = 100, ymin = 1, ymax = 100;
    }
    axes a = {floor(log10(xmin)), ceil(log10(xmax)), floor(log10(ymin)), ceil(log10(ymax * 1.5)),
              80, 50, 640, 440};
    if (a.lx1 <= a.lx0)
        a.lx1 = a.lx0 + 1;
    if (a.ly1 <= a.ly0)
        a.ly1 = a.ly0 + 1;

    fprintf(f, "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"960\" height=\"560\" "
               "font-family=\"sans-serif\" font-size=\"11\">\n<rect width=\"960\" height=\"560\" fill=\"white\"/>\n");
    fprintf(f, "<text x=\"80\" y=\"24\" font-size=\"14\">gk bench %s: ", ctx->suite);
    xml_text(f, ctx->prof->brand);
    fprintf(f, ", %d thread%s, isa %s</text>\n", ctx->threads, ctx->threads == 1 ? "" : "s",
            gk_isa_name(gk_get_isa()));
    fprintf(f, "<rect x=\"%.0f\" y=\"%.0f\" width=\"%.0f\" height=\"%.0f\" fill=\"none\" stroke=\"black\"/>\n",
            a.left, a.top, a.w, a.h);
    for (double d = a.lx0; d <= a.lx1; d++) {
        double x = px(&a, pow(10, d));
        fprintf(f, "<line x1=\"%.1f\" y1=\"%.0f\" x2=\"%.1f\" y2=\"%.0f\" stroke=\"#ddd\"/>"
                   "<text x=\"%.1f\" y=\"%.0f\" text-anchor=\"middle\">%g</text>\n",
                x, a.top, x, a.top + a.h, x, a.top + a.h + 16, pow(10, d));
    }
    for (double d = a.ly0; d <= a.ly1; d++) {
        double y = py(&a, pow(10, d));
        fprintf(f, "<line x1=\"%.0f\" y1=\"%.1f\" x2=\"%.0f\" y2=\"%.1f\" stroke=\"#ddd\"/>"
                   "<text x=\"%.0f\" y=\"%.1f\" text-anchor=\"end\">%g</text>\n",
                a.left, y, a.left + a.w, y, a.left - 6, y + 4, pow(10, d));
    }
    fprintf(f, "<text x=\"%.0f\" y=\"%.0f\" text-anchor=\"middle\">arithmetic intensity (FLOP/byte)</text>\n",
            a.left + a.w / 2, a.top + a.h + 36);
    fprintf(f, "<text transform=\"translate(24,%.0f) rotate(-90)\" text-anchor=\"middle\">GFLOP/s</text>\n",
            a.top + a.h / 2);

    if (peak > 0 && bw > 0) {
        double x0 = pow(10, a.lx0), x1 = pow(10, a.lx1), ridge = peak / bw;
        /* Clip the bandwidth slope to the plot area: it may enter below the bottom edge. */
        double xs = fmax(x0, pow(10, a.ly0) / bw);
        fprintf(f, "<polyline fill=\"none\" stroke=\"#444\" stroke-width=\"2\" points=\"%.1f,%.1f %.1f,%.1f %.1f,%.1f\"/>\n",
                px(&a, xs), py(&a, xs * bw), px(&a, ridge), py(&a, peak), px(&a, x1), py(&a, peak));
        fprintf(f, "<text x=\"%.1f\" y=\"%.1f\" text-anchor=\"end\">peak %.1f GFLOP/s</text>\n",
                px(&a, x1) - 4, py(&a, peak) - 6, peak);
        fprintf(f, "<text x=\"%.1f\" y=\"%.1f\">DRAM %.1f GB/s</text>\n", px(&a, ridge) + 6,
                py(&a, peak) + 16, bw);
    } else {
        fprintf(f, "<text x=\"%.0f\" y=\"%.0f\">no measured limits in the DeviceProfile: roofline not drawn</text>\n",
                a.left + 10, a.top + 20);
    }

    for (size_t i = 0; i < ctx->nrows; i++) {
        const gk_bench_row *r = &ctx->rows[i];
        if (!plottable(r))
            continue;
        int k = 0;
        while (k < nimpl && strcmp(impls[k], r->impl))
            k++;
        double x = px(&a, r->flops / r->bytes), y = py(&a, r->flops / r->median_s * 1e-9);
        fprintf(f, "<circle cx=\"%.1f\" cy=\"%.1f\" r=\"4\" fill=\"%s\"><title>", x, y, palette[k % NPAL]);
        xml_text(f, r->impl);
        fputs(": ", f);
        xml_text(f, r->op);
        fputc(' ', f);
        xml_text(f, r->shape);
        fputs("</title></circle>", f);
        /* Label once per case (at gk's point or the first row shown) to keep the chart legible. */
        if (i == 0 || strcmp(ctx->rows[i - 1].shape, r->shape) || strcmp(ctx->rows[i - 1].op, r->op)) {
            fprintf(f, "<text x=\"%.1f\" y=\"%.1f\" font-size=\"9\" fill=\"#333\">", x + 6, y - 4);
            xml_text(f, r->op);
            fputc(' ', f);
            xml_text(f, r->shape);
            fputs("</text>", f);
        }
        fputc('\n', f);
    }
    for (int k = 0; k < nimpl; k++) {
        double y = a.top + 14 + 16 * k;
        fprintf(f, "<circle cx=\"736\" cy=\"%.0f\" r=\"4\" fill=\"%s\"/><text x=\"746\" y=\"%.0f\">", y,
                palette[k % NPAL], y + 4);
        xml_text(f, impls[k]);
        fputs("</text>\n", f);
    }
    if (skipped)
        fprintf(f, "<text x=\"736\" y=\"%.0f\" fill=\"#666\">%d row%s without FLOPs or failed: not plotted</text>\n",
                a.top + 14 + 16 * nimpl + 8, skipped, skipped == 1 ? "" : "s");
    fputs("</svg>\n", f);
    int bad = ferror(f);
    if (fclose(f) || bad) {
        fprintf(stderr, "gk bench: writing %s failed\n", path);
        return 1;
    }
    return 0;
}
