/* The XML parts of office documents inside a ZIP (OOXML, ODF, EPUB): see ooxml.c.
 * formats/zip.c walks the archive and inflates the members; this module parses one
 * member's XML, reports what identifies, and produces the cleaned XML. */
#ifndef UM_OOXML_H
#define UM_OOXML_H

#include <stddef.h>
#include <stdint.h>

#include "format.h"

enum um_docpart {
    UM_PART_NONE,
    UM_PART_CORE,      /* docProps/core.xml */
    UM_PART_APP,       /* docProps/app.xml */
    UM_PART_CUSTOM,    /* docProps/custom.xml */
    UM_PART_WORD,      /* word/NAME.xml, xl and ppt comment/person parts: rsids, authors */
    UM_PART_ODF_META,  /* meta.xml */
    UM_PART_OPF,       /* an EPUB package document (*.opf) */
    UM_PART_ODF_SETTINGS, /* settings.xml: the printer's name and setup */
    UM_PART_NCX,       /* an EPUB 2 toc.ncx: dtb:uid repeats the identifier */
    UM_PART_ODF_CONTENT, /* content.xml, styles.xml: tracked changes and annotations */
    UM_PART_RELS,      /* OOXML relationships: external targets on local disks */
};

/* Which kind of part a member name is (UM_PART_NONE: not parsed). */
enum um_docpart um_docpart_of(const char *name);

struct um_docxml_result {
    int *findings;       /* indices of the findings that the cleaned XML removes */
    size_t nfindings;
    uint8_t *cleaned;    /* the cleaned part (malloc'd), NULL when nothing to remove */
    size_t cleaned_len;
};

/* Parses xml[0, len) (the inflated member `name`, whose bytes in the view are
 * [off, off+rlen)), reports its findings with that range, and fills out. Returns 0,
 * or a negative error (a part that is not well-formed XML is UM_E_FORMAT). */
int um_docxml_scan(struct um_scan_ctx *ctx, enum um_docpart part, const char *name,
                   const uint8_t *xml, size_t len, uint64_t off, uint64_t rlen,
                   struct um_docxml_result *out);
void um_docxml_result_free(struct um_docxml_result *r);


#endif
