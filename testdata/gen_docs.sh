#!/bin/bash
# Regenerates the document fixtures in testdata/docs/ (PDF, OOXML, ODF, EPUB). Every
# identifying value is a distinctive string that the tests look for.
set -euo pipefail
cd "$(dirname "$0")/docs"
python3 - <<'PY'
import zlib

# ------------------------------------------------------------------ PDF
XMP = ('<?xpacket begin="\xef\xbb\xbf" id="W5M0MpCehiHzreSzNTczkc9d"?>'
       '<x:xmpmeta xmlns:x="adobe:ns:meta/"><rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#">'
       '<rdf:Description rdf:about="" xmlns:dc="http://purl.org/dc/elements/1.1/" '
       'xmlns:xmp="http://ns.adobe.com/xap/1.0/" xmlns:xmpMM="http://ns.adobe.com/xap/1.0/mm/">'
       '<dc:creator><rdf:Seq><rdf:li>Kim Leak</rdf:li></rdf:Seq></dc:creator>'
       '<xmp:CreatorTool>LeakWriter 2.1</xmp:CreatorTool>'
       '<xmpMM:DocumentID>uuid:11111111-2222-3333-4444-555555555555</xmpMM:DocumentID>'
       '</rdf:Description></rdf:RDF></x:xmpmeta><?xpacket end="w"?>').encode("latin-1")
CONTENT = b"BT /F1 24 Tf 72 720 Td (Hello unmark) Tj ET\n"
INFO = (b"<< /Author (Kim Leak) /Creator (LeakWriter 2.1) /Producer (LeakPDF 9) "
        b"/CreationDate (D:20200102030405+09'00') /Title <FEFF004C00650061006B> "
        b"/DeviceSerial (SN-998877) /Trapped /False >>")
ID = b"/ID [<0123456789ABCDEF0123456789ABCDEF> <FEDCBA9876543210FEDCBA9876543210>]"

def pdf(xmp=XMP, xmp_filter=b"", info=INFO, trailer_extra=b"", eof=True, startxref=None):
    objs = [
        b"<< /Type /Catalog /Pages 2 0 R /Metadata 6 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 4 0 R "
        b"/Resources << /Font << /F1 5 0 R >> >> >>",
        b"<< /Length " + str(len(CONTENT)).encode() + b" >>\nstream\n" + CONTENT + b"endstream",
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
        b"<< /Type /Metadata /Subtype /XML" + xmp_filter + b" /Length " + str(len(xmp)).encode() +
        b" >>\nstream\n" + xmp + b"\nendstream",
        info,
    ]
    out = bytearray(b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n")
    offs = []
    for i, o in enumerate(objs, 1):
        offs.append(len(out))
        out += str(i).encode() + b" 0 obj\n" + o + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 " + str(len(objs) + 1).encode() + b"\n0000000000 65535 f \n"
    for o in offs:
        out += b"%010d 00000 n \n" % o
    out += (b"trailer\n<< /Size " + str(len(objs) + 1).encode() + b" /Root 1 0 R /Info 7 0 R " +
            ID + trailer_extra + b" >>\nstartxref\n" + str(startxref if startxref is not None else xref).encode() +
            b"\n")
    if eof:
        out += b"%%EOF\n"
    return bytes(out), xref

base, xref = pdf()
open("info.pdf", "wb").write(base)
open("appended.pdf", "wb").write(base + b"IMPRINT:device=A1B2C3D4;" * 4)
open("no_eof.pdf", "wb").write(pdf(eof=False)[0])
open("broken_xref.pdf", "wb").write(pdf(startxref=999999)[0].replace(b"xref\n0 8", b"xrex\n0 8"))
open("flate_xmp.pdf", "wb").write(pdf(xmp=zlib.compress(XMP), xmp_filter=b" /Filter /FlateDecode")[0])
open("encrypted.pdf", "wb").write(pdf(trailer_extra=b" /Encrypt 8 0 R")[0])

def update(prev, prev_xref, info, prev_pointer=None):
    """An incremental update that replaces the Info dictionary (object 7)."""
    out = bytearray(prev)
    off = len(out)
    out += b"7 0 obj\n" + info + b"\nendobj\n"
    x = len(out)
    out += b"xref\n0 1\n0000000000 65535 f \n7 1\n%010d 00000 n \n" % off
    p = prev_xref if prev_pointer is None else prev_pointer(x)
    out += (b"trailer\n<< /Size 8 /Root 1 0 R /Info 7 0 R " + ID + b" /Prev " + str(p).encode() +
            b" >>\nstartxref\n" + str(x).encode() + b"\n%%EOF\n")
    return bytes(out)

INFO2 = b"<< /Author (Pak Second) /ModDate (D:20210102030405+09'00') >>"
open("incremental.pdf", "wb").write(update(base, xref, INFO2))
open("circular.pdf", "wb").write(update(base, xref, INFO2, prev_pointer=lambda x: x))
PY
