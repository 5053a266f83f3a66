/* Streaming JSON output into a growing buffer, for the report's per-file records.
 * Building a jansson tree for every file and serialising it was a third of a scan's
 * CPU time on small files; jansson has no streaming writer. jansson stays the model
 * for everything else (the run header, the summary, finding extras, merge) and its
 * values can be written here with um_json_value. The output is compact JSON as jansson
 * writes it (JSON_COMPACT): same separators, same escapes. */
#ifndef UM_JSON_OUT_H
#define UM_JSON_OUT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <jansson.h>

#define UM_JSON_MAX_DEPTH 64

struct um_json_out {
    char *buf;
    size_t len, cap;
    bool failed;                            /* the text is incomplete: an allocation failed,
                                               or nesting went past UM_JSON_MAX_DEPTH */
    int depth;
    bool need_comma[UM_JSON_MAX_DEPTH];     /* per open object/array: an item was written */
    bool after_key;
};

/* Empties the buffer (keeping its memory) for a new document. */
void um_json_reset(struct um_json_out *o);
void um_json_free(struct um_json_out *o);

void um_json_begin_object(struct um_json_out *o);
void um_json_end_object(struct um_json_out *o);
void um_json_begin_array(struct um_json_out *o);
void um_json_end_array(struct um_json_out *o);
/* A member's name; the next call writes its value. */
void um_json_key(struct um_json_out *o, const char *key);
/* A string value; bytes that are not valid UTF-8 become U+FFFD. */
void um_json_string(struct um_json_out *o, const char *s);
void um_json_int(struct um_json_out *o, int64_t v);
void um_json_bool(struct um_json_out *o, bool v);
/* A member: its name and a value in one call. */
void um_json_member_string(struct um_json_out *o, const char *key, const char *s);
void um_json_member_int(struct um_json_out *o, const char *key, int64_t v);
/* Text written as it is (the framing between records: newlines, commas). */
void um_json_raw(struct um_json_out *o, const char *text);
/* Any jansson value (objects keep their order). */
void um_json_value(struct um_json_out *o, const json_t *v);

#endif
