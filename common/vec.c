#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "error.h"
#include "vec.h"

void um_vec_init(struct um_vec *v, size_t item_size, size_t max_len)
{
    memset(v, 0, sizeof *v);
    v->item_size = item_size;
    v->max_len = max_len;
}

void *um_vec_push(struct um_vec *v, int *err)
{
    if (v->len >= v->max_len) {
        v->overflowed = true;   /* kept whatever the caller does with the error */
        *err = UM_E_LIMIT;
        return NULL;
    }
    if (v->len == v->cap) {
        size_t cap = v->cap ? v->cap * 2 : 8;
        void *n = realloc(v->items, cap * v->item_size);
        if (!n) {
            *err = -ENOMEM;
            return NULL;
        }
        v->items = n;
        v->cap = cap;
    }
    void *it = (char *)v->items + v->len++ * v->item_size;
    memset(it, 0, v->item_size);
    *err = 0;
    return it;
}

void *um_vec_at(const struct um_vec *v, size_t i)
{
    return i < v->len ? (char *)v->items + i * v->item_size : NULL;
}

void um_vec_free(struct um_vec *v)
{
    free(v->items);
    v->items = NULL;
    v->len = v->cap = 0;
}
