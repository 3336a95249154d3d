/* Helpers shared by the ops tests (see ops_test.h). */
#include "ops_test.h"

#include <math.h>
#include <string.h>

const int64_t ops_sizes[] = {0, 1, 7, 8, 9, 15, 16, 17, 33, 1000, 4097};
const int ops_nsizes = (int)(sizeof ops_sizes / sizeof ops_sizes[0]);

int ops_close(float got, float want, double tol)
{
    if (isnan(want) || isnan(got))
        return isnan(want) && isnan(got);
    if (isinf(want) || isinf(got))
        return got == want;
    return fabs((double)got - (double)want) <= tol;
}

int ops_untouched(const gk_guarded *g)
{
    const unsigned char *p = (const unsigned char *)g->p;
    for (int64_t i = 0; i < g->n * (int64_t)sizeof(float); i++)
        if (p[i] != 0xFF)
            return 0;
    return gk_guarded_intact(g);
}

void ops_put_specials(float *x, int64_t n, int64_t at)
{
    static const float sp[5] = {0.0f, -0.0f, INFINITY, -INFINITY, NAN};
    for (int64_t i = 0; i < 5 && at + i < n; i++)
        x[at + i] = sp[i];
}
