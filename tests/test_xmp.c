/* The XMP handler: properties in attribute and element form under any prefix,
 * nested structures, blanking inside the xpacket wrapper, unreadable packets, and
 * hostile XML (external entities, entity bombs, truncation). */
#include "img_util.h"

static void test_packet_file(void **state)
{
    (void)state;
    size_t n;
    uint8_t *p = img_load("images/packet.xmp", &n);
    struct um_file_result r;
    assert_int_equal(ts_scan(p, n, "packet.xmp", &r), 0);
    assert_string_equal(r.format, "xmp");
    img_expect(&r, "dc:creator", UM_K_PERSON, "Packet Person");
    img_expect(&r, "exif:GPSLatitude", UM_K_LOCATION, "39,2.1N");
    img_expect(&r, "tiff:Make", UM_K_DEVICE_MODEL, "PacketMake");
    img_expect(&r, "xmpMM:InstanceID", UM_K_DOCUMENT_ID, "xmp.iid:abcd");
    const struct um_finding *f = img_where(&r, "tiff:Make");
    assert_memory_equal(p + f->offset, "PacketMake", 10);
    size_t m;
    uint8_t *q = img_apply(&r, p, n, &m);
    assert_int_equal(m, n);
    /* The wrapper stays; between: an empty xmpmeta element, then spaces. */
    static const char empty[] = "<x:xmpmeta xmlns:x=\"adobe:ns:meta/\"/>";
    const uint8_t *hdr_end = memmem(q, m, "?>", 2);
    const uint8_t *trailer = memmem(q, m, "<?xpacket end", 13);
    assert_non_null(hdr_end);
    assert_non_null(trailer);
    assert_memory_equal(q, p, (size_t)(hdr_end + 2 - q));
    assert_memory_equal(hdr_end + 2, empty, sizeof empty - 1);
    for (const uint8_t *c = hdr_end + 2 + sizeof empty - 1; c < trailer; c++) assert_int_equal(*c, ' ');
    assert_memory_equal(trailer, p + (trailer - q), (size_t)(q + m - trailer));
    img_assert_clean(q, m, "packet.xmp");
    free(q);
    um_file_result_free(&r);
    free(p);
}

#define HEAD "<?xpacket begin=\"\xef\xbb\xbf\" id=\"W5M0MpCehiHzreSzNTczkc9d\"?>\n"
#define TAIL "\n<?xpacket end=\"w\"?>"

static void scan_str(const char *s, struct um_file_result *r)
{
    assert_int_equal(ts_scan((const uint8_t *)s, strlen(s), "x.xmp", r), 0);
}

static void test_forms_and_prefixes(void **state)
{
    (void)state;
    static const char doc[] = HEAD
        "<x:xmpmeta xmlns:x='adobe:ns:meta/'><rdf:RDF xmlns:rdf='http://www.w3.org/1999/02/22-rdf-syntax-ns#'>"
        "<rdf:Description rdf:about='' xmlns:T='http://ns.adobe.com/tiff/1.0/' T:Model='Galaxy'"
        " xmlns:mm='http://ns.adobe.com/xap/1.0/mm/' xmlns:evt='http://ns.adobe.com/xap/1.0/sType/ResourceEvent#'"
        " xmlns:d='http://purl.org/dc/elements/1.1/' xmlns:ex='http://cipa.jp/exif/1.0/'>"
        "<d:creator><rdf:Seq><rdf:li>Han</rdf:li><rdf:li>Jo</rdf:li></rdf:Seq></d:creator>"
        "<ex:BodySerialNumber>B-77</ex:BodySerialNumber>"
        "<mm:History><rdf:Seq><rdf:li rdf:parseType='Resource'><evt:softwareAgent>Editor 9</evt:softwareAgent>"
        "</rdf:li><rdf:li evt:when='2021-01-01T00:00:00'/></rdf:Seq></mm:History>"
        "<T:Orientation>6</T:Orientation>"
        "</rdf:Description></rdf:RDF></x:xmpmeta>" TAIL;
    struct um_file_result r;
    scan_str(doc, &r);
    img_expect(&r, "tiff:Model", UM_K_DEVICE_MODEL, "Galaxy");
    img_expect(&r, "dc:creator", UM_K_PERSON, "Han; Jo");
    img_expect(&r, "exifEX:BodySerialNumber", UM_K_DEVICE_ID, "B-77");
    img_expect(&r, "xmpMM:History", UM_K_DOCUMENT_ID, NULL);
    assert_null(img_where(&r, "tiff:Orientation"));
    um_file_result_free(&r);
}

static void test_harmless_and_empty(void **state)
{
    (void)state;
    static const char doc[] = HEAD
        "<x:xmpmeta xmlns:x='adobe:ns:meta/'><rdf:RDF xmlns:rdf='http://www.w3.org/1999/02/22-rdf-syntax-ns#'>"
        "<rdf:Description rdf:about='' xmlns:tiff='http://ns.adobe.com/tiff/1.0/' tiff:Orientation='1'/>"
        "</rdf:RDF></x:xmpmeta>" TAIL;
    struct um_file_result r;
    scan_str(doc, &r);
    assert_int_equal(r.findings.len, 0);
    assert_int_equal(r.edits.len, 0);
    um_file_result_free(&r);
    scan_str(HEAD "                 " TAIL, &r);
    assert_int_equal(r.findings.len, 0);
    um_file_result_free(&r);
}

static void test_hostile(void **state)
{
    (void)state;
    /* An external entity must not be loaded, nor an internal one expanded. */
    static const char xxe[] =
        "<?xml version='1.0'?><!DOCTYPE x [<!ENTITY e SYSTEM 'file:///etc/passwd'>"
        "<!ENTITY a 'aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa'>"
        "<!ENTITY b '&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;'>"
        "<!ENTITY c '&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;'>]>"
        "<x:xmpmeta xmlns:x='adobe:ns:meta/'><rdf:RDF xmlns:rdf='http://www.w3.org/1999/02/22-rdf-syntax-ns#'>"
        "<rdf:Description xmlns:tiff='http://ns.adobe.com/tiff/1.0/'><tiff:Make>&e;</tiff:Make>"
        "<tiff:Model>&c;&c;&c;&c;&c;&c;&c;&c;</tiff:Model></rdf:Description></rdf:RDF></x:xmpmeta>";
    struct um_file_result r;
    assert_int_equal(ts_scan((const uint8_t *)xxe, strlen(xxe), "x.xmp", &r), 0);
    for (size_t i = 0; i < r.findings.len; i++) {
        const struct um_finding *f = um_vec_at(&r.findings, i);
        assert_true(!f->value || !strstr(f->value, "root:"));
    }
    um_file_result_free(&r);
    /* Broken XML: one finding, the packet blanked. */
    static const char broken[] = HEAD "<x:xmpmeta xmlns:x='adobe:ns:meta/'><rdf:RDF <<< secret" TAIL;
    scan_str(broken, &r);
    assert_int_equal(r.findings.len, 1);
    img_expect(&r, "XMP", UM_K_CONTENT, NULL);
    size_t m;
    uint8_t *q = img_apply(&r, (const uint8_t *)broken, strlen(broken), &m);
    assert_null(memmem(q, m, "secret", 6));
    img_assert_clean(q, m, "x.xmp");
    free(q);
    um_file_result_free(&r);
    /* Every truncation of a real packet. */
    size_t n;
    uint8_t *p = img_load("images/packet.xmp", &n);
    for (size_t k = 0; k <= n; k += 3) {
        (void)ts_scan(p, k, "x.xmp", &r);
        um_file_result_free(&r);
    }
    free(p);
}

/* Without an xpacket wrapper: an empty xmpmeta element is left, still XMP. */
static void test_no_wrapper(void **state)
{
    (void)state;
    static const char doc[] =
        "<?xml version='1.0'?><x:xmpmeta xmlns:x='adobe:ns:meta/'><rdf:RDF "
        "xmlns:rdf='http://www.w3.org/1999/02/22-rdf-syntax-ns#'><rdf:Description "
        "xmlns:xmpMM='http://ns.adobe.com/xap/1.0/mm/' xmpMM:DocumentID='uuid:42'/></rdf:RDF></x:xmpmeta>";
    struct um_file_result r;
    scan_str(doc, &r);
    img_expect(&r, "xmpMM:DocumentID", UM_K_DOCUMENT_ID, "uuid:42");
    size_t m;
    uint8_t *q = img_apply(&r, (const uint8_t *)doc, strlen(doc), &m);
    assert_int_equal(m, strlen(doc));
    assert_memory_equal(q, "<x:xmpmeta xmlns:x=\"adobe:ns:meta/\"/>   ", 40);
    struct um_file_result r2;
    assert_int_equal(ts_scan(q, m, "x.xmp", &r2), 0);
    assert_string_equal(r2.format, "xmp");
    assert_int_equal(r2.findings.len, 0);
    um_file_result_free(&r2);
    free(q);
    um_file_result_free(&r);
}

static void test_in_jpeg_scrub(void **state)
{
    (void)state;
    char *dir, *src = ts_testdata("images/camera.jpg");
    char *out = img_scrub(src, &dir);
    if (img_have_exiftool()) {
        static const char *const tags[] = { "XMP-tiff:Make", "XMP-dc:Creator", "XMP-xmpMM:DocumentID",
                                            "XMPToolkit", NULL };
        img_exiftool_none(out, tags);
    }
    free(out);
    free(src);
    ts_rmdir(dir);
    free(dir);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_packet_file),
        cmocka_unit_test(test_forms_and_prefixes),
        cmocka_unit_test(test_harmless_and_empty),
        cmocka_unit_test(test_hostile),
        cmocka_unit_test(test_no_wrapper),
        cmocka_unit_test(test_in_jpeg_scrub),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
