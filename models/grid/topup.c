#include "grid/topup.h"

void grid_topup_config_default(grid_topup_config *c)
{
    c->below_p = 500;
    c->amount_gbp = 20;
    c->notice_s = 16u * 3600u;
    c->react_s = 60u;
    c->online_share = 0.5;
}

int grid_topup_config_check(const grid_topup_config *c)
{
    if (c->below_p < 0 || c->amount_gbp < 1 || c->amount_gbp > 8191 || c->notice_s < 1 ||
        !(c->online_share >= 0 && c->online_share <= 1))
        return -1;
    return 0;
}
