#!/usr/bin/env python3
"""Corpus helpers for bench/make_corpus.sh (python3 stdlib; DES through the openssl CLI).

  corpus.py marks N                      print N made-up Red Star device IDs and their marks (hex)
  corpus.py exif OUT                     write a TIFF/EXIF block (make, model, serial, GPS, dates)
  corpus.py jpeg IN OUT EXIF             insert APP1 Exif + APP1 XMP after the JPEG's SOI/APP0
  corpus.py png IN OUT EXIF              insert eXIf, tIME, tEXt, iTXt after IHDR
  corpus.py docx OUT JPEG                Office-like ZIP: core/app/custom properties + a picture
  corpus.py pdf OUT JPEG                 one-page PDF: Info dictionary, XMP stream, a picture
  corpus.py small BASEDIR OUTDIR N       N files round-robin over BASEDIR, 20 folders, 2/3 marked
  corpus.py tree OUTDIR NDIRS PERDIR     NDIRS x PERDIR tiny files (memory test)
  corpus.py trailer OUT ID...            write a Red Star trailer (marks + le32 length + "EOF")
  corpus.py index FILE                   print the size of the film's index (moov / Cues / idx1)

A Red Star mark is DES-ECB (key 07 06 05 04 03 02 01 00) of "WM" + a 13-character ID,
NUL padded to 24 bytes; a trailer is mark_1..mark_n, le32(24*n), "EOF" (see DESIGN.md).
"""
import json
import os
import random
import struct
import subprocess
import sys
import zipfile
import zlib

DES_KEY = "0706050403020100"
ID_CHARS = "123456789ABCDEFZ"     # hex digits with 0 written as Z


def des_ecb(data: bytes) -> bytes:
    """ECB encrypts every 8-byte block on its own, so one call encrypts many marks."""
    r = subprocess.run(["openssl", "enc", "-des-ecb", "-K", DES_KEY, "-nopad",
                        "-provider", "legacy", "-provider", "default"],
                       input=data, capture_output=True, check=True)
    if len(r.stdout) != len(data):
        raise SystemExit("openssl DES failed: " + r.stderr.decode(errors="replace"))
    return r.stdout


def make_ids(n, seed=4242):
    rnd = random.Random(seed)
    ids = ["3BCH496784712"]        # the constant of machines without a readable disk serial
    while len(ids) < n:
        ids.append("".join(rnd.choice(ID_CHARS) for _ in range(13)))
    return ids


def marks_for(ids):
    pt = b"".join(("WM" + i).encode().ljust(24, b"\0") for i in ids)
    ct = des_ecb(pt)
    return [ct[k * 24:(k + 1) * 24] for k in range(len(ids))]


def trailer(marks):
    blob = b"".join(marks)
    return blob + struct.pack("<I", len(blob)) + b"EOF"


# ------------------------------------------------------------------ EXIF (big-endian TIFF)
ASCII, SHORT, LONG, RATIONAL, BYTE = 2, 3, 4, 5, 1
TSIZE = {BYTE: 1, ASCII: 1, SHORT: 2, LONG: 4, RATIONAL: 8}


def ifd(entries, start, next_ifd=0):
    """entries: [(tag, type, count, payload bytes)]; returns the IFD bytes placed at start."""
    entries = sorted(entries)
    head = struct.pack(">H", len(entries))
    data_off = start + 2 + 12 * len(entries) + 4
    body, data = b"", b""
    for tag, typ, count, payload in entries:
        if len(payload) <= 4:
            body += struct.pack(">HHI", tag, typ, count) + payload.ljust(4, b"\0")
        else:
            body += struct.pack(">HHII", tag, typ, count, data_off + len(data))
            data += payload + (b"\0" if len(payload) % 2 else b"")
    return head + body + struct.pack(">I", next_ifd) + data


def asc(tag, s):
    b = s.encode() + b"\0"
    return (tag, ASCII, len(b), b)


def rat(tag, vals):
    return (tag, RATIONAL, len(vals), b"".join(struct.pack(">II", n, d) for n, d in vals))


def exif_block():
    date = "2013:05:17 08:09:10"
    gps = [(0x0000, BYTE, 4, bytes([2, 3, 0, 0])), asc(0x0001, "N"),
           rat(0x0002, [(48, 1), (51, 1), (3012, 100)]), asc(0x0003, "E"),
           rat(0x0004, [(2, 1), (17, 1), (4013, 100)]), asc(0x001D, "2013:05:17")]
    exif = [asc(0x9003, date), asc(0x9004, date), asc(0xA431, "SN4242LEAK"),
            asc(0xA420, "0123456789abcdef0123456789abcdef")]
    # lay out: header(8) IFD0, then ExifIFD, then GPS IFD
    ifd0_fixed = [asc(0x010E, "LeakTitle"), asc(0x010F, "LeakMake"), asc(0x0110, "LeakModel X1"),
                  asc(0x0131, "LeakSoft 3.1"), asc(0x0132, date), asc(0x013B, "LeakAuthor"),
                  (0x0112, SHORT, 1, struct.pack(">H", 1))]
    probe = ifd(ifd0_fixed + [(0x8769, LONG, 1, b"\0" * 4), (0x8825, LONG, 1, b"\0" * 4)], 8)
    exif_off = 8 + len(probe)
    exif_b = ifd(exif, exif_off)
    gps_off = exif_off + len(exif_b)
    ifd0 = ifd(ifd0_fixed + [(0x8769, LONG, 1, struct.pack(">I", exif_off)),
                             (0x8825, LONG, 1, struct.pack(">I", gps_off))], 8)
    assert len(ifd0) == len(probe)
    return b"MM\0*" + struct.pack(">I", 8) + ifd0 + exif_b + ifd(gps, gps_off)


XMP = ('<?xpacket begin="\xef\xbb\xbf" id="W5M0MpCehiHzreSzNTczkc9d"?>'
       '<x:xmpmeta xmlns:x="adobe:ns:meta/"><rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#">'
       '<rdf:Description rdf:about="" xmlns:dc="http://purl.org/dc/elements/1.1/" '
       'xmlns:xmp="http://ns.adobe.com/xap/1.0/" xmlns:xmpMM="http://ns.adobe.com/xap/1.0/mm/">'
       '<dc:creator><rdf:Seq><rdf:li>LeakAuthor</rdf:li></rdf:Seq></dc:creator>'
       '<xmp:CreatorTool>LeakSoft 3.1</xmp:CreatorTool><xmp:CreateDate>2013-05-17T08:09:10</xmp:CreateDate>'
       '<xmpMM:DocumentID>xmp.did:0123456789abcdef</xmpMM:DocumentID>'
       '</rdf:Description></rdf:RDF></x:xmpmeta><?xpacket end="w"?>').encode("latin-1")


def jpeg_add(src, dst, exif):
    d = open(src, "rb").read()
    assert d[:2] == b"\xff\xd8"
    pos = 2
    if d[2:4] == b"\xff\xe0":                     # keep JFIF APP0 first
        pos = 4 + struct.unpack(">H", d[4:6])[0]
    app1 = b"Exif\0\0" + exif
    xmp = b"http://ns.adobe.com/xap/1.0/\0" + XMP
    seg = (b"\xff\xe1" + struct.pack(">H", len(app1) + 2) + app1 +
           b"\xff\xe1" + struct.pack(">H", len(xmp) + 2) + xmp)
    open(dst, "wb").write(d[:pos] + seg + d[pos:])


def png_chunk(typ, data):
    return struct.pack(">I", len(data)) + typ + data + struct.pack(">I", zlib.crc32(typ + data) & 0xffffffff)


def png_add(src, dst, exif):
    d = open(src, "rb").read()
    assert d[:8] == b"\x89PNG\r\n\x1a\n"
    ihdr_end = 8 + 12 + struct.unpack(">I", d[8:12])[0]
    extra = (png_chunk(b"eXIf", exif) +
             png_chunk(b"tIME", struct.pack(">HBBBBB", 2013, 5, 17, 8, 9, 10)) +
             png_chunk(b"tEXt", b"Author\0LeakAuthor") +
             png_chunk(b"tEXt", b"Software\0LeakSoft 3.1") +
             png_chunk(b"tEXt", b"Source\0LeakMake LeakModel X1") +
             png_chunk(b"iTXt", b"Comment\0\0\0\0\0serial SN4242LEAK +48.8584+002.2945/"))
    open(dst, "wb").write(d[:ihdr_end] + extra + d[ihdr_end:])


# ------------------------------------------------------------------ documents
def docx(dst, jpeg):
    W = "http://schemas.openxmlformats.org"
    parts = {
        "[Content_Types].xml":
            f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<Types xmlns="{W}/package/2006/content-types">'
            f'<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
            f'<Default Extension="xml" ContentType="application/xml"/><Default Extension="jpeg" ContentType="image/jpeg"/>'
            f'<Override PartName="/word/document.xml" ContentType="application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"/>'
            f'<Override PartName="/docProps/core.xml" ContentType="application/vnd.openxmlformats-package.core-properties+xml"/>'
            f'<Override PartName="/docProps/app.xml" ContentType="application/vnd.openxmlformats-officedocument.extended-properties+xml"/>'
            f'<Override PartName="/docProps/custom.xml" ContentType="application/vnd.openxmlformats-officedocument.custom-properties+xml"/></Types>',
        "_rels/.rels":
            f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<Relationships xmlns="{W}/package/2006/relationships">'
            f'<Relationship Id="rId1" Type="{W}/officeDocument/2006/relationships/officeDocument" Target="word/document.xml"/>'
            f'<Relationship Id="rId2" Type="{W}/package/2006/relationships/metadata/core-properties" Target="docProps/core.xml"/>'
            f'<Relationship Id="rId3" Type="{W}/officeDocument/2006/relationships/extended-properties" Target="docProps/app.xml"/>'
            f'<Relationship Id="rId4" Type="{W}/officeDocument/2006/relationships/custom-properties" Target="docProps/custom.xml"/></Relationships>',
        "word/document.xml":
            f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<w:document xmlns:w="{W}/wordprocessingml/2006/main">'
            '<w:body><w:p w:rsidR="00A1B2C3"><w:r><w:t>Benchmark body text</w:t></w:r></w:p></w:body></w:document>',
        "docProps/core.xml":
            f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<cp:coreProperties xmlns:cp="{W}/package/2006/metadata/core-properties" '
            'xmlns:dc="http://purl.org/dc/elements/1.1/" xmlns:dcterms="http://purl.org/dc/terms/" '
            'xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance"><dc:title>LeakTitle</dc:title>'
            '<dc:creator>LeakAuthor</dc:creator><cp:lastModifiedBy>LeakAuthor</cp:lastModifiedBy>'
            '<dcterms:created xsi:type="dcterms:W3CDTF">2013-05-17T08:09:10Z</dcterms:created></cp:coreProperties>',
        "docProps/app.xml":
            f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<Properties xmlns="{W}/officeDocument/2006/extended-properties">'
            '<Application>LeakSoft 3.1</Application><Company>LeakCompany</Company></Properties>',
        "docProps/custom.xml":
            f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<Properties xmlns="{W}/officeDocument/2006/custom-properties" '
            f'xmlns:vt="{W}/officeDocument/2006/docPropsVTypes"><property fmtid="{{D5CDD505-2E9C-101B-9397-08002B2CF9AE}}" '
            'pid="2" name="DeviceSerial"><vt:lpwstr>SN4242LEAK</vt:lpwstr></property></Properties>',
    }
    with zipfile.ZipFile(dst, "w", zipfile.ZIP_DEFLATED) as z:
        for name, text in parts.items():
            zi = zipfile.ZipInfo(name, (1980, 1, 1, 0, 0, 0))
            zi.compress_type = zipfile.ZIP_DEFLATED
            z.writestr(zi, text)
        zi = zipfile.ZipInfo("word/media/image1.jpeg", (1980, 1, 1, 0, 0, 0))
        zi.compress_type = zipfile.ZIP_STORED
        z.writestr(zi, open(jpeg, "rb").read())


def pdf(dst, jpeg):
    img = open(jpeg, "rb").read()
    # width/height from the SOF0 marker
    pos, w, h = 2, 0, 0
    while pos + 4 < len(img):
        mk, ln = img[pos + 1], struct.unpack(">H", img[pos + 2:pos + 4])[0]
        if mk in (0xC0, 0xC1, 0xC2):
            h, w = struct.unpack(">HH", img[pos + 5:pos + 9])
            break
        pos += 2 + ln
    content = b"q 400 0 0 300 100 400 cm /Im1 Do Q BT /F1 18 Tf 72 720 Td (Benchmark body text) Tj ET\n"
    xmp = XMP
    objs = [
        b"<< /Type /Catalog /Pages 2 0 R /Metadata 6 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 4 0 R "
        b"/Resources << /Font << /F1 5 0 R >> /XObject << /Im1 8 0 R >> >> >>",
        b"<< /Length %d >>\nstream\n" % len(content) + content + b"endstream",
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
        b"<< /Type /Metadata /Subtype /XML /Length %d >>\nstream\n" % len(xmp) + xmp + b"\nendstream",
        b"<< /Title (LeakTitle) /Author (LeakAuthor) /Creator (LeakSoft 3.1) /Producer (LeakSoft 3.1) "
        b"/CreationDate (D:20130517080910+02'00') /DeviceSerial (SN4242LEAK) >>",
        b"<< /Type /XObject /Subtype /Image /Width %d /Height %d /ColorSpace /DeviceRGB "
        b"/BitsPerComponent 8 /Filter /DCTDecode /Length %d >>\nstream\n" % (w, h, len(img)) + img + b"\nendstream",
    ]
    out = bytearray(b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n")
    offs = []
    for i, o in enumerate(objs, 1):
        offs.append(len(out))
        out += b"%d 0 obj\n" % i + o + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objs) + 1)
    for o in offs:
        out += b"%010d 00000 n \n" % o
    out += (b"trailer\n<< /Size %d /Root 1 0 R /Info 7 0 R "
            b"/ID [<4c65616b4c65616b4c65616b4c65616b><4c65616b4c65616b4c65616b4c65616b>] >>\n"
            b"startxref\n%d\n%%%%EOF\n" % (len(objs) + 1, xref))
    open(dst, "wb").write(bytes(out))


# ------------------------------------------------------------------ trees
def small(basedir, outdir, n):
    """n files round-robin over the base files, in 20 DCIM-like folders (n/20 each);
    a third of each type unmarked, the rest one mark (some two, oldest first).
    Writes OUTDIR.tsv beside the tree (path relative to OUTDIR, base, marks)."""
    bases = sorted(f for f in os.listdir(basedir) if not f.startswith("."))
    blobs = {b: open(os.path.join(basedir, b), "rb").read() for b in bases}
    ids = make_ids(64)
    marks = marks_for(ids)
    per = max(1, n // 20)
    rows = []
    for i in range(n):
        b = bases[i % len(bases)]
        d = os.path.join(outdir, "DCIM", "%dLEAK" % (100 + i // per))
        os.makedirs(d, exist_ok=True)
        ext = b.rsplit(".", 1)[1]
        name = os.path.join(d, "F%05d.%s" % (i, ext))
        chain = []
        if (i + i // len(bases)) % 3:          # 2/3 of every type carry a mark
            chain = [i % len(ids)]
            if (i // len(bases)) % 5 == 1:     # some of them two (a second machine)
                chain.append((i * 7 + 3) % len(ids))
        data = blobs[b] + (trailer([marks[k] for k in chain]) if chain else b"")
        with open(name, "wb") as f:
            f.write(data)
        rows.append((os.path.relpath(name, outdir), b, ",".join("WM" + ids[k] for k in chain) or "-"))
    with open(outdir.rstrip("/") + ".tsv", "w") as f:
        f.write("path\tbase\tmarks\n")
        for r in rows:
            f.write("\t".join(r) + "\n")


def tree(outdir, ndirs, perdir, jpeg):
    """Tiny files for the memory test: alternately a 1 KB text file and a ~1 KB JPEG-ish
    file (SOI + APP1 Exif + EOI), so that both the generic and the JPEG path run."""
    exif = exif_block()
    app1 = b"Exif\0\0" + exif
    tiny = b"\xff\xd8\xff\xe1" + struct.pack(">H", len(app1) + 2) + app1 + b"\xff\xd9"
    text = (b"unmark memory test file\n" * 43)[:1024]
    for d in range(ndirs):
        p = os.path.join(outdir, "d%03d" % d)
        os.makedirs(p, exist_ok=True)
        for k in range(perdir):
            with open(os.path.join(p, "f%04d.%s" % (k, "jpg" if k % 2 else "txt")), "wb") as f:
                f.write(tiny if k % 2 else text)


# ------------------------------------------------------------------ film index size
def index_size(path):
    """Bytes a scanner must read to know a film's structure: MP4 moov, AVI idx1 + hdrl,
    Matroska Cues + SeekHead + Tracks/Info/Tags (everything but the Clusters)."""
    size = os.path.getsize(path)
    with open(path, "rb") as f:
        head = f.read(16)
        if head[4:8] in (b"ftyp", b"moov", b"mdat", b"free"):
            pos, idx = 0, 0
            while pos + 8 <= size:
                f.seek(pos)
                h = f.read(16)
                ln, typ = struct.unpack(">I", h[:4])[0], h[4:8]
                if ln == 1:
                    ln = struct.unpack(">Q", h[8:16])[0]
                elif ln == 0:
                    ln = size - pos
                if ln < 8 or pos + ln > size:   # appended bytes (a trailer), not a box
                    break
                if typ != b"mdat":
                    idx += ln
                pos += ln
            return {"format": "mp4", "index_bytes": idx, "what": "all top-level boxes but mdat (moov: sample tables)"}
        if head[:4] == b"RIFF":
            pos, idx = 12, 12
            while pos + 8 <= size:
                f.seek(pos)
                h = f.read(12)
                if len(h) < 8:
                    break
                cid, ln = h[:4], struct.unpack("<I", h[4:8])[0]
                if cid not in (b"RIFF", b"AVIX") and pos + 8 + ln > size:
                    break                        # appended bytes, not a chunk
                if cid == b"LIST" and h[8:12] == b"movi":
                    idx += 12
                elif cid == b"RIFF" or cid == b"AVIX":
                    # OpenDML: walk into the extension RIFF
                    pos += 12
                    idx += 12
                    continue
                else:
                    idx += 8 + ln
                pos += 8 + ln + (ln & 1)
            return {"format": "avi", "index_bytes": idx, "what": "every chunk but the movi data (hdrl, idx1)"}
        if head[:4] == b"\x1a\x45\xdf\xa3":
            def vint(buf, p, mask=True):
                b0 = buf[p]
                n = 1
                while n <= 8 and not (b0 & (0x80 >> (n - 1))):
                    n += 1
                v = b0 & ((0xFF >> n) if mask else 0xFF)
                for k in range(1, n):
                    v = (v << 8) | buf[p + k]
                return v, n
            f.seek(0)
            pos, idx = 0, 0
            while pos < size:
                f.seek(pos)
                h = f.read(16)
                if len(h) < 2:
                    break
                eid, n1 = vint(h, 0, mask=False)
                ln, n2 = vint(h, n1)
                hl = n1 + n2
                if eid != 0x18538067 and pos + hl + ln > size:
                    break                        # appended bytes, not an element
                if eid == 0x18538067:            # Segment: descend
                    idx += hl
                    pos += hl
                    continue
                if eid == 0x1F43B675:            # Cluster: media data (its header is read)
                    idx += hl
                else:
                    idx += hl + ln
                pos += hl + ln
            return {"format": "mkv", "index_bytes": idx, "what": "every element but Cluster payloads (Cues, SeekHead, Tracks, Tags)"}
    return {"format": "?", "index_bytes": 0, "what": "unknown"}


def main(a):
    cmd = a[1]
    if cmd == "marks":
        ids = make_ids(int(a[2]))
        for i, m in zip(ids, marks_for(ids)):
            print(i, m.hex())
    elif cmd == "exif":
        open(a[2], "wb").write(exif_block())
    elif cmd == "jpeg":
        jpeg_add(a[2], a[3], open(a[4], "rb").read())
    elif cmd == "png":
        png_add(a[2], a[3], open(a[4], "rb").read())
    elif cmd == "docx":
        docx(a[2], a[3])
    elif cmd == "pdf":
        pdf(a[2], a[3])
    elif cmd == "small":
        small(a[2], a[3], int(a[4]))
    elif cmd == "tree":
        tree(a[2], int(a[3]), int(a[4]), None)
    elif cmd == "trailer":
        open(a[2], "wb").write(trailer(marks_for(a[3:])))
    elif cmd == "index":
        print(json.dumps(index_size(a[2])))
    else:
        raise SystemExit("unknown command " + cmd)


if __name__ == "__main__":
    main(sys.argv)
