/* A growable array with a hard cap on its length (no unbounded growth from input). */
#ifndef UM_VEC_H
#define UM_VEC_H

#include <stdbool.h>
#include <stddef.h>

struct um_vec {
    void *items;
    size_t len, cap, item_size, max_len;
    bool overflowed;   /* a push was refused at max_len: the array is not the whole set */
};

void um_vec_init(struct um_vec *v, size_t item_size, size_t max_len);
/* Appends a zeroed item; returns it, or NULL (UM_E_LIMIT / -ENOMEM in *err). */
void *um_vec_push(struct um_vec *v, int *err);
void *um_vec_at(const struct um_vec *v, size_t i);
void um_vec_free(struct um_vec *v);

#endif
