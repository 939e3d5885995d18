/* Areas to MPI ranks (partition.c: sim_partition_ranks): consecutive, every area once, each
 * rank at least one, balanced by work with rank 0's writing allowed for, cuts at region
 * boundaries when they cost little, the same answer every time, and a clear refusal when there
 * are fewer areas than ranks. */
#include "partition.h"

#include <criterion/criterion.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

/* N areas of sizes SIZE(k), in regions of PER_REGION areas each. */
static sim_area_span *spans_of(uint32_t n, uint32_t per_region, uint32_t (*size)(uint32_t))
{
    sim_area_span *s = calloc(n, sizeof *s);
    uint32_t hh = 0;
    for (uint32_t k = 0; k < n; k++) {
        s[k] = (sim_area_span){.hh0 = hh, .n = size(k), .region = (uint16_t)(1 + k / per_region)};
        hh += s[k].n;
    }
    return s;
}

static uint32_t thousand(uint32_t k)
{
    (void)k;
    return 1000;
}

/* long-range radio areas of 14,000 households, then cellular ones of 1,000 */
static uint32_t radio_then_cells(uint32_t k)
{
    return k < 5 ? 14000 : 1000;
}

static double work(const sim_area_span *s, uint32_t a, uint32_t b)
{
    double w = 0;
    for (uint32_t k = a; k < b; k++) w += s[k].n * (1.0 + floor(log2(s[k].n)));
    return w;
}

static void check_cover(const uint32_t *first, uint32_t ranks, uint32_t n)
{
    cr_assert_eq(first[0], 0);
    cr_assert_eq(first[ranks], n);
    for (uint32_t r = 0; r < ranks; r++) cr_assert_lt(first[r], first[r + 1], "rank %u has no area", r);
}

Test(partition_ranks, equal_areas_split_evenly_with_rank_0_lighter_by_its_writing)
{
    sim_area_span *s = spans_of(400, 1000, thousand);
    uint32_t first[5];
    char err[256];
    cr_assert_eq(sim_partition_ranks(s, 400, 4, first, err, sizeof err), 0, "%s", err);
    check_cover(first, 4, 400);
    /* others: (S + W) / 4 each, with W = 3 % of S: 103 areas; rank 0 12 fewer: 91 (within one) */
    for (uint32_t r = 1; r < 3; r++)
        cr_expect(abs((int)(first[r + 1] - first[r]) - 103) <= 1, "rank %u: %u areas", r,
                  first[r + 1] - first[r]);
    cr_expect(abs((int)first[1] - 91) <= 1, "rank 0: %u areas", first[1]);
    free(s);
}

Test(partition_ranks, big_areas_count_for_more_than_their_households)
{
    /* 5 radio areas (70,000 households) and 130 cellular ones (130,000): by households alone
     * rank 0 of 2 would take the radio areas and 30 cells; by work it takes fewer cells */
    sim_area_span *s = spans_of(135, 1000, radio_then_cells);
    uint32_t first[3];
    char err[256];
    cr_assert_eq(sim_partition_ranks(s, 135, 2, first, err, sizeof err), 0, "%s", err);
    check_cover(first, 2, 135);
    double w0 = work(s, 0, first[1]), w1 = work(s, first[1], 135), S = w0 + w1;
    /* rank 0 takes (S + W) / 2 - W, within one cellular area's work (11,000) */
    cr_expect(fabs(w0 - (S * 1.03 / 2 - S * 0.03)) <= 11000, "rank 0 %.0f of %.0f", w0, S);
    cr_expect_lt(first[1], 5 + 30, "rank 0 took %u areas", first[1]);
    free(s);
}

Test(partition_ranks, a_region_boundary_close_to_the_cut_is_taken)
{
    /* 20 regions of 10 areas: every rank's share is near a region boundary */
    sim_area_span *s = spans_of(200, 10, thousand);
    uint32_t first[3];
    char err[256];
    cr_assert_eq(sim_partition_ranks(s, 200, 2, first, err, sizeof err), 0, "%s", err);
    /* rank 0's goal is 97 areas; 100 is a boundary but more than 2 % of a share (103 areas)
     * away, so the cut stays within one area of the goal */
    cr_expect(abs((int)first[1] - 97) <= 1, "cut at %u", first[1]);
    /* regions of 95 areas: a boundary 1 area from the goal, within the slack: the cut moves */
    sim_area_span *t = spans_of(200, 95, thousand);
    cr_assert_eq(sim_partition_ranks(t, 200, 2, first, err, sizeof err), 0, "%s", err);
    cr_expect_eq(first[1], 95, "cut at %u, not at the region boundary 95", first[1]);
    free(s);
    free(t);
}

Test(partition_ranks, the_same_every_time_and_every_rank_keeps_an_area)
{
    sim_area_span *s = spans_of(5, 1000, radio_then_cells);
    uint32_t a[6], b[6];
    char err[256];
    cr_assert_eq(sim_partition_ranks(s, 5, 5, a, err, sizeof err), 0, "%s", err);
    cr_assert_eq(sim_partition_ranks(s, 5, 5, b, err, sizeof err), 0, "%s", err);
    cr_expect_eq(memcmp(a, b, sizeof a), 0);
    check_cover(a, 5, 5);
    /* many ranks: rank 0's writing leaves it the minimum, one area */
    sim_area_span *m = spans_of(100, 1000, thousand);
    uint32_t f[41];
    cr_assert_eq(sim_partition_ranks(m, 100, 40, f, err, sizeof err), 0, "%s", err);
    check_cover(f, 40, 100);
    cr_expect_eq(f[1], 1, "rank 0 has %u areas", f[1]);
    free(s);
    free(m);
}

Test(partition_ranks, fewer_areas_than_ranks_is_refused_saying_so)
{
    sim_area_span *s = spans_of(3, 1000, thousand);
    uint32_t first[5];
    char err[256] = "";
    cr_assert_eq(sim_partition_ranks(s, 3, 4, first, err, sizeof err), -1);
    cr_expect(strstr(err, "3 areas") && strstr(err, "4 MPI ranks"), "%s", err);
    free(s);
}
