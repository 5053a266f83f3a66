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

# A page image that is a camera JPEG with bytes after its EOI (the PDF writer copied
# the file as it was).
JPEG = (b"\xff\xd8\xff\xfe\x00\x06test\xff\xda\x00\x08\x01\x01\x00\x00\x3f\x00\x12\x34\xff\xd9"
        b"IMPRINT-A1B2C3D4")
img = bytearray(base[:base.index(b"xref\n")])
img_off = len(img)
img += (b"8 0 obj\n<< /Type /XObject /Subtype /Image /Width 1 /Height 1 /ColorSpace /DeviceGray "
        b"/BitsPerComponent 8 /Filter /DCTDecode /Length " + str(len(JPEG)).encode() + b" >>\nstream\n" +
        JPEG + b"\nendstream\nendobj\n")
offs = [int(l[:10]) for l in base[base.index(b"xref\n"):].split(b"\n")[3:10]]
x = len(img)
img += b"xref\n0 9\n0000000000 65535 f \n" + b"".join(b"%010d 00000 n \n" % o for o in offs + [img_off])
img += (b"trailer\n<< /Size 9 /Root 1 0 R /Info 7 0 R " + ID + b" >>\nstartxref\n" + str(x).encode() +
        b"\n%%EOF\n")
open("image.pdf", "wb").write(bytes(img))

# A sticky note: its author (/T) and dates; form fields' /T (a field name) is not one.
def with_obj8(obj):
    b = bytearray(base[:base.index(b"xref\n")])
    o8 = len(b)
    b += b"8 0 obj\n" + obj + b"\nendobj\n"
    x = len(b)
    b += b"xref\n0 9\n0000000000 65535 f \n" + b"".join(b"%010d 00000 n \n" % o for o in offs + [o8])
    b += (b"trailer\n<< /Size 9 /Root 1 0 R /Info 7 0 R " + ID + b" >>\nstartxref\n" + str(x).encode() +
          b"\n%%EOF\n")
    return bytes(b)
open("annot.pdf", "wb").write(with_obj8(
    b"<< /Type /Annot /Subtype /Text /Rect [10 10 30 30] /Contents (see here) /T (Kim Annotator) "
    b"/M (D:20200708091011+09'00') /CreationDate (D:20200708091000+09'00') >>"))
open("incremental.pdf", "wb").write(update(base, xref, INFO2))
open("circular.pdf", "wb").write(update(base, xref, INFO2, prev_pointer=lambda x: x))
PY

python3 - <<'PY'
import struct, zipfile

W = 'xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"'
CT = ('<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
      '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
      '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
      '<Default Extension="xml" ContentType="application/xml"/>'
      '<Default Extension="jpg" ContentType="image/jpeg"/>'
      '<Override PartName="/word/document.xml" ContentType="application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"/>'
      '<Override PartName="/word/settings.xml" ContentType="application/vnd.openxmlformats-officedocument.wordprocessingml.settings+xml"/>'
      '<Override PartName="/word/comments.xml" ContentType="application/vnd.openxmlformats-officedocument.wordprocessingml.comments+xml"/>'
      '<Override PartName="/word/people.xml" ContentType="application/vnd.openxmlformats-officedocument.wordprocessingml.people+xml"/>'
      '<Override PartName="/docProps/core.xml" ContentType="application/vnd.openxmlformats-package.core-properties+xml"/>'
      '<Override PartName="/docProps/app.xml" ContentType="application/vnd.openxmlformats-officedocument.extended-properties+xml"/>'
      '<Override PartName="/docProps/custom.xml" ContentType="application/vnd.openxmlformats-officedocument.custom-properties+xml"/>'
      '</Types>')
RELS = ('<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
        '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
        '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="word/document.xml"/>'
        '<Relationship Id="rId2" Type="http://schemas.openxmlformats.org/package/2006/relationships/metadata/core-properties" Target="docProps/core.xml"/>'
        '<Relationship Id="rId3" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/extended-properties" Target="docProps/app.xml"/>'
        '<Relationship Id="rId4" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/custom-properties" Target="docProps/custom.xml"/>'
        '</Relationships>')
DOC_RELS = ('<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
            '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
            '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/settings" Target="settings.xml"/>'
            '<Relationship Id="rId2" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/comments" Target="comments.xml"/>'
            '<Relationship Id="rId3" Type="http://schemas.microsoft.com/office/2011/relationships/people" Target="people.xml"/>'
            '</Relationships>')
DOCUMENT = ('<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
            '<w:document ' + W + '><w:body>'
            '<w:p w:rsidR="00A1B2C3" w:rsidRDefault="00A1B2C3"><w:r w:rsidRPr="00D4E5F6"><w:t xml:space="preserve">Hello unmark </w:t></w:r>'
            '<w:ins w:id="1" w:author="Kim Leak" w:date="2020-01-02T03:04:05Z"><w:r><w:t>inserted</w:t></w:r></w:ins>'
            '<w:commentRangeStart w:id="0"/><w:r><w:t>&amp; more</w:t></w:r><w:commentRangeEnd w:id="0"/>'
            '<w:r><w:commentReference w:id="0"/></w:r></w:p>'
            '<w:sectPr w:rsidR="00A1B2C3"/></w:body></w:document>')
SETTINGS = ('<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
            '<w:settings ' + W + ' xmlns:w14="http://schemas.microsoft.com/office/word/2010/wordml" '
            'xmlns:w15="http://schemas.microsoft.com/office/word/2012/wordml">'
            '<w:zoom w:percent="100"/><w:rsids><w:rsidRoot w:val="00A1B2C3"/><w:rsid w:val="00A1B2C3"/>'
            '<w:rsid w:val="00D4E5F6"/></w:rsids><w14:docId w14:val="1A2B3C4D"/>'
            '<w15:docId w15:val="{01234567-89AB-CDEF-0123-456789ABCDEF}"/></w:settings>')
COMMENTS = ('<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
            '<w:comments ' + W + '><w:comment w:id="0" w:author="Pak Reviewer" w:date="2020-02-03T04:05:06Z" w:initials="PR">'
            '<w:p><w:r><w:t>a comment</w:t></w:r></w:p></w:comment></w:comments>')
PEOPLE = ('<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
          '<w15:people xmlns:w15="http://schemas.microsoft.com/office/word/2012/wordml">'
          '<w15:person w15:author="Pak Reviewer"><w15:presenceInfo w15:providerId="AD" w15:userId="S::pak@example.kp"/>'
          '</w15:person></w15:people>')
CORE = ('<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
        '<cp:coreProperties xmlns:cp="http://schemas.openxmlformats.org/package/2006/metadata/core-properties" '
        'xmlns:dc="http://purl.org/dc/elements/1.1/" xmlns:dcterms="http://purl.org/dc/terms/" '
        'xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">'
        '<dc:title>Secret plan</dc:title><dc:creator>Kim Leak</dc:creator><cp:lastModifiedBy>Pak Second</cp:lastModifiedBy>'
        '<cp:revision>7</cp:revision><cp:lastPrinted>2020-03-04T05:06:07Z</cp:lastPrinted>'
        '<dcterms:created xsi:type="dcterms:W3CDTF">2020-01-02T03:04:05Z</dcterms:created>'
        '<dcterms:modified xsi:type="dcterms:W3CDTF">2020-01-03T03:04:05Z</dcterms:modified>'
        '<dc:language>ko-KP</dc:language></cp:coreProperties>')
APP = ('<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
       '<Properties xmlns="http://schemas.openxmlformats.org/officeDocument/2006/extended-properties" '
       'xmlns:vt="http://schemas.openxmlformats.org/officeDocument/2006/docPropsVTypes">'
       '<Template>Normal.dotm</Template><Pages>1</Pages><Application>LeakWriter</Application>'
       '<Company>Leak Corp</Company><Manager>Boss Leak</Manager><AppVersion>16.0000</AppVersion></Properties>')
CUSTOM = ('<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
          '<Properties xmlns="http://schemas.openxmlformats.org/officeDocument/2006/custom-properties" '
          'xmlns:vt="http://schemas.openxmlformats.org/officeDocument/2006/docPropsVTypes">'
          '<property fmtid="{D5CDD505-2E9C-101B-9397-08002B2CF9AE}" pid="2" name="DeviceSerial"><vt:lpwstr>SN-998877</vt:lpwstr></property>'
          '<property fmtid="{D5CDD505-2E9C-101B-9397-08002B2CF9AE}" pid="3" name="Project"><vt:lpwstr>Hidden</vt:lpwstr></property>'
          '</Properties>')


def jpeg_with_trailer():
    # A minimal JPEG: SOI, APP1 Exif whose IFD0 points to a GPS IFD, COM, SOS, EOI,
    # then bytes after its end.
    tiff = b"II*\x00" + struct.pack("<I", 8) + struct.pack("<H", 1) + struct.pack("<HHII", 0x8825, 4, 1, 26) + \
        struct.pack("<I", 0) + struct.pack("<H", 0) + struct.pack("<I", 0)
    app1 = b"Exif\x00\x00" + tiff
    return (b"\xff\xd8" + b"\xff\xe1" + struct.pack(">H", len(app1) + 2) + app1 +
            b"\xff\xfe\x00\x06test" + b"\xff\xda\x00\x08\x01\x01\x00\x00\x3f\x00" + b"\x12\x34" +
            b"\xff\xd9" + b"IMPRINT-A1B2C3D4")


def png_with_text():
    import zlib as z
    def chunk(t, d):
        return struct.pack(">I", len(d)) + t + d + struct.pack(">I", z.crc32(t + d) & 0xffffffff)
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", 1, 1, 8, 0, 0, 0, 0)) +
            chunk(b"tEXt", b"Author\x00Kim Leak") + chunk(b"tIME", struct.pack(">HBBBBB", 2020, 1, 2, 3, 4, 5)) +
            chunk(b"IDAT", z.compress(b"\x00\x00")) + chunk(b"IEND", b""))


def write(path, members, fix_time=True):
    with zipfile.ZipFile(path, "w") as z:
        for name, data, method in members:
            info = zipfile.ZipInfo(name, date_time=(2020, 1, 2, 3, 4, 6))
            info.compress_type = method
            z.writestr(info, data)


SETTINGS_RELS = ('<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
                 '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
                 '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/attachedTemplate" '
                 'Target="file:///C:\\Users\\kimleak\\AppData\\Roaming\\Microsoft\\Templates\\Normal.dotm" TargetMode="External"/>'
                 '</Relationships>')
D, S = zipfile.ZIP_DEFLATED, zipfile.ZIP_STORED
docx = [("[Content_Types].xml", CT, D), ("_rels/.rels", RELS, D),
        ("word/_rels/document.xml.rels", DOC_RELS, D), ("word/document.xml", DOCUMENT, D),
        ("word/settings.xml", SETTINGS, D), ("word/comments.xml", COMMENTS, D),
        ("word/people.xml", PEOPLE, D), ("docProps/core.xml", CORE, D), ("docProps/app.xml", APP, D),
        ("docProps/custom.xml", CUSTOM, D)]
write("props.docx", docx + [("word/_rels/settings.xml.rels", SETTINGS_RELS, D)])
write("clean.docx", docx[:4])
write("media.docx", docx[:4] + [("word/media/image1.jpg", jpeg_with_trailer(), S),
                                ("word/media/image2.png", png_with_text(), D),
                                ("word/media/image3.gif", b"GIF89a" + bytes(20), D)])
# Encrypted: the general-purpose flag's bit 0 set on the core properties.
write("encrypted.docx", docx[:4] + [("docProps/core.xml", CORE, D)])
d = bytearray(open("encrypted.docx", "rb").read())
for sig, off in ((b"PK\x03\x04", 6), (b"PK\x01\x02", 8)):
    i = 0
    while True:
        i = d.find(sig, i)
        if i < 0:
            break
        nl = struct.unpack_from("<H", d, i + (26 if sig == b"PK\x03\x04" else 28))[0]
        name = d[i + (30 if sig == b"PK\x03\x04" else 46):][:nl]
        if name == b"docProps/core.xml":
            d[i + off] |= 1
        i += 4
open("encrypted.docx", "wb").write(bytes(d))
# A ZIP bomb: 20 MiB of spaces inside the core properties.
write("bomb.docx", docx[:4] + [("docProps/core.xml", CORE[:-len("</cp:coreProperties>")] + " " * (20 << 20) +
                                "</cp:coreProperties>", D)])
# The end record claims 500 entries where there are 4.
d = bytearray(open("clean.docx", "rb").read())
e = d.rfind(b"PK\x05\x06")
struct.pack_into("<HH", d, e + 8, 500, 500)
open("cd_lie.docx", "wb").write(bytes(d))
# The second local header's name length runs past the end of the file.
d = bytearray(open("clean.docx", "rb").read())
i = d.find(b"PK\x03\x04", 4)
struct.pack_into("<H", d, i + 26, 0xFFFF)
open("bad_local.docx", "wb").write(bytes(d))

# A workbook: the path it was saved from, comment authors, a person.
XL_CT = ('<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
         '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
         '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
         '<Default Extension="xml" ContentType="application/xml"/>'
         '<Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>'
         '<Override PartName="/xl/worksheets/sheet1.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>'
         '<Override PartName="/xl/comments1.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.comments+xml"/>'
         '<Override PartName="/docProps/core.xml" ContentType="application/vnd.openxmlformats-package.core-properties+xml"/>'
         '</Types>')
XL_RELS = RELS.replace("word/document.xml", "xl/workbook.xml")
XL_WB = ('<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
         '<workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" '
         'xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships" '
         'xmlns:mc="http://schemas.openxmlformats.org/markup-compatibility/2006" mc:Ignorable="x15ac" '
         'xmlns:x15ac="http://schemas.microsoft.com/office/spreadsheetml/2010/11/ac">'
         '<mc:AlternateContent><mc:Choice Requires="x15"><x15ac:absPath url="C:\\Users\\kimleak\\Documents\\"/>'
         '</mc:Choice></mc:AlternateContent><sheets><sheet name="S" sheetId="1" r:id="rId1"/></sheets></workbook>')
XL_WB_RELS = ('<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
              '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
              '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" Target="worksheets/sheet1.xml"/>'
              '</Relationships>')
XL_SHEET = ('<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
            '<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>'
            '<row r="1"><c r="A1" t="inlineStr"><is><t>Hello unmark</t></is></c></row></sheetData></worksheet>')
XL_COMMENTS = ('<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
               '<comments xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
               '<authors><author>Kim Leak</author></authors><commentList><comment ref="A1" authorId="0">'
               '<text><t>note</t></text></comment></commentList></comments>')
write("book.xlsx", [("[Content_Types].xml", XL_CT, D), ("_rels/.rels", XL_RELS, D), ("xl/workbook.xml", XL_WB, D),
                    ("xl/_rels/workbook.xml.rels", XL_WB_RELS, D), ("xl/worksheets/sheet1.xml", XL_SHEET, D),
                    ("xl/comments1.xml", XL_COMMENTS, D), ("docProps/core.xml", CORE, D)])

# A presentation's comment authors and comment dates.
PP_AUTHORS = ('<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
              '<p:cmAuthorLst xmlns:p="http://schemas.openxmlformats.org/presentationml/2006/main">'
              '<p:cmAuthor id="1" name="Kim Presenter" initials="KP" lastIdx="1" clrIdx="0"/></p:cmAuthorLst>')
PP_COMMENTS = ('<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
               '<p:cmLst xmlns:p="http://schemas.openxmlformats.org/presentationml/2006/main">'
               '<p:cm authorId="1" dt="2020-06-07T08:09:10.000" idx="1"><p:pos x="10" y="10"/><p:text>hi</p:text></p:cm></p:cmLst>')
write("slides.pptx", [("[Content_Types].xml", CT, D), ("ppt/commentAuthors.xml", PP_AUTHORS, D),
                      ("ppt/comments/comment1.xml", PP_COMMENTS, D)])

# ------------------------------------------------------------------ ODF
ODF_MANIFEST = ('<?xml version="1.0" encoding="UTF-8"?>\n'
                '<manifest:manifest xmlns:manifest="urn:oasis:names:tc:opendocument:xmlns:manifest:1.0" manifest:version="1.2">'
                '<manifest:file-entry manifest:full-path="/" manifest:media-type="application/vnd.oasis.opendocument.text"/>'
                '<manifest:file-entry manifest:full-path="content.xml" manifest:media-type="text/xml"/>'
                '<manifest:file-entry manifest:full-path="meta.xml" manifest:media-type="text/xml"/>'
                '</manifest:manifest>')
ODF_CONTENT = ('<?xml version="1.0" encoding="UTF-8"?>\n'
               '<office:document-content xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0" '
               'xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0" office:version="1.2" '
               'xmlns:dc="http://purl.org/dc/elements/1.1/">'
               '<office:body><office:text><text:tracked-changes><text:changed-region text:id="ct1"><text:insertion>'
               '<office:change-info><dc:creator>Pak Editor</dc:creator><dc:date>2020-05-06T07:08:09</dc:date>'
               '</office:change-info></text:insertion></text:changed-region></text:tracked-changes>'
               '<text:p>Hello <text:change-start text:change-id="ct1"/>unmark<text:change-end text:change-id="ct1"/>'
               '<office:annotation><dc:creator>Kim Reviewer</dc:creator><dc:date>2020-05-07T07:08:09</dc:date>'
               '<text:p>a note</text:p></office:annotation></text:p></office:text></office:body></office:document-content>')
ODF_META = ('<?xml version="1.0" encoding="UTF-8"?>\n'
            '<office:document-meta xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0" '
            'xmlns:dc="http://purl.org/dc/elements/1.1/" xmlns:meta="urn:oasis:names:tc:opendocument:xmlns:meta:1.0" '
            'office:version="1.2"><office:meta><meta:initial-creator>Kim Leak</meta:initial-creator>'
            '<meta:creation-date>2020-01-02T03:04:05</meta:creation-date><dc:date>2020-01-03T03:04:05</dc:date>'
            '<dc:creator>Pak Second</dc:creator><meta:printed-by>Printer Person</meta:printed-by>'
            '<meta:generator>LeakOffice/1.0</meta:generator>'
            '<meta:user-defined meta:name="DeviceSerial">SN-998877</meta:user-defined>'
            '<meta:document-statistic meta:page-count="1"/></office:meta></office:document-meta>')
ODF_SETTINGS = ('<?xml version="1.0" encoding="UTF-8"?>\n'
                '<office:document-settings xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0" '
                'xmlns:config="urn:oasis:names:tc:opendocument:xmlns:config:1.0" office:version="1.2">'
                '<office:settings><config:config-item-set config:name="ooo:configuration-settings">'
                '<config:config-item config:name="PrinterName" config:type="string">HP-LaserJet-Office-3F</config:config-item>'
                '<config:config-item config:name="PrintReversed" config:type="boolean">false</config:config-item>'
                '</config:config-item-set></office:settings></office:document-settings>')
write("props.odt", [("mimetype", "application/vnd.oasis.opendocument.text", S), ("content.xml", ODF_CONTENT, D),
                    ("meta.xml", ODF_META, D), ("settings.xml", ODF_SETTINGS, D),
                    ("META-INF/manifest.xml", ODF_MANIFEST, D)])

# ------------------------------------------------------------------ EPUB
CONTAINER = ('<?xml version="1.0"?>\n<container version="1.0" xmlns="urn:oasis:names:tc:opendocument:xmlns:container">'
             '<rootfiles><rootfile full-path="OEBPS/content.opf" media-type="application/oebps-package+xml"/></rootfiles></container>')
OPF = ('<?xml version="1.0" encoding="UTF-8"?>\n'
       '<package xmlns="http://www.idpf.org/2007/opf" version="3.0" unique-identifier="uid">'
       '<metadata xmlns:dc="http://purl.org/dc/elements/1.1/">'
       '<dc:identifier id="uid">urn:uuid:12345678-1234-1234-1234-123456789abc</dc:identifier>'
       '<dc:title>A book</dc:title><dc:language>en</dc:language><dc:creator>Kim Leak</dc:creator>'
       '<dc:date>2020-01-02</dc:date><meta property="dcterms:modified">2020-01-03T03:04:05Z</meta>'
       '<meta name="calibre:timestamp" content="2020-01-04T05:06:07+00:00"/></metadata>'
       '<manifest><item id="c1" href="ch1.xhtml" media-type="application/xhtml+xml"/></manifest>'
       '<spine><itemref idref="c1"/></spine></package>')
CH1 = ('<?xml version="1.0" encoding="UTF-8"?>\n<html xmlns="http://www.w3.org/1999/xhtml"><head><title>c</title></head>'
       '<body><p>Hello unmark</p></body></html>')
NCX = ('<?xml version="1.0" encoding="UTF-8"?>\n<ncx xmlns="http://www.daisy.org/z3986/2005/ncx/" version="2005-1">'
       '<head><meta name="dtb:uid" content="urn:uuid:12345678-1234-1234-1234-123456789abc"/></head>'
       '<docTitle><text>A book</text></docTitle><navMap><navPoint id="n1" playOrder="1"><navLabel><text>One</text></navLabel>'
       '<content src="ch1.xhtml"/></navPoint></navMap></ncx>')
write("book.epub", [("mimetype", "application/epub+zip", S), ("META-INF/container.xml", CONTAINER, D),
                    ("OEBPS/content.opf", OPF, D), ("OEBPS/toc.ncx", NCX, D), ("OEBPS/ch1.xhtml", CH1, D)])
PY

# A plain archive whose only trace is its members' dates, with the extended
# timestamps Info-ZIP writes when it is installed (else python's plain DOS dates).
python3 - <<'PY'
import zipfile
with zipfile.ZipFile("dated.zip", "w") as z:
    for name, body in (("a.txt", "hello\n"), ("b.txt", "world\n")):
        info = zipfile.ZipInfo(name, date_time=(2021, 5, 6, 7, 8, 10))
        # An extended timestamp extra field (0x5455): flags=1 (mtime), mtime.
        info.extra = b"\x55\x54\x05\x00\x01" + (1620284890).to_bytes(4, "little")
        z.writestr(info, body)
PY

# PDF 1.5: the Info dictionary inside a compressed object stream, an xref stream.
if command -v qpdf >/dev/null; then
    qpdf --object-streams=generate --compress-streams=y --deterministic-id info.pdf objstm.pdf
    # The annotation inside an object stream (referenced from the page so it is kept).
    python3 - <<'PY'
d = open("annot.pdf", "rb").read()
d = d.replace(b"/Contents 4 0 R", b"/Annots [8 0 R] /Contents 4 0 R", 1)
open("/tmp/annot_ref.pdf", "wb").write(d)
PY
    qpdf --object-streams=generate --compress-streams=y --deterministic-id /tmp/annot_ref.pdf annot_objstm.pdf 2>/dev/null || true
    rm -f /tmp/annot_ref.pdf
fi

python3 - <<'PY'
import struct, zipfile
# Hidden bytes: after the first member's data, and between the directory and the
# end record (offsets patched so that the archive stays valid).
d = bytearray(open("clean.docx", "rb").read())
junk = b"HIDDEN-A1B2C3D4"
first_name_len, first_extra = struct.unpack_from("<HH", d, 26)
csize = struct.unpack_from("<I", d, 18)[0]
at = 30 + first_name_len + first_extra + csize
d[at:at] = junk
e = d.rfind(b"PK\x05\x06")
cd_off = struct.unpack_from("<I", d, e + 16)[0] + len(junk)
struct.pack_into("<I", d, e + 16, cd_off)
i = cd_off
while d[i:i + 4] == b"PK\x01\x02":
    off = struct.unpack_from("<I", d, i + 42)[0]
    if off > 0:
        struct.pack_into("<I", d, i + 42, off + len(junk))
    n, x, c = struct.unpack_from("<HHH", d, i + 28)
    i += 46 + n + x + c
d[e:e] = junk
open("hidden.docx", "wb").write(bytes(d))

# A part with a DTD whose entities would expand a billion times.
lol = ('<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol">' +
       "".join('<!ENTITY lol%d "%s">' % (k, ("&lol%d;" % (k - 1) if k > 1 else "&lol;") * 10) for k in range(1, 10)) +
       ']><cp:coreProperties xmlns:cp="http://schemas.openxmlformats.org/package/2006/metadata/core-properties" '
       'xmlns:dc="http://purl.org/dc/elements/1.1/"><dc:creator>&lol9;</dc:creator></cp:coreProperties>')
with zipfile.ZipFile("dtd.docx", "w") as z:
    info = zipfile.ZipInfo("docProps/core.xml", date_time=(1980, 1, 1, 0, 0, 0))
    info.compress_type = zipfile.ZIP_DEFLATED
    z.writestr(info, lol)
PY

# Comments: on the archive and on a member (no other trace: zeroed in place), and on
# a document that is rebuilt anyway.
python3 - <<'PY'
import zipfile
with zipfile.ZipFile("commented.zip", "w") as z:
    z.comment = b"packed on KIM-LAPTOP"
    info = zipfile.ZipInfo("a.txt", date_time=(1980, 1, 1, 0, 0, 0))
    info.comment = b"from Kim"
    z.writestr(info, "hello\n")
d = zipfile.ZipFile("clean.docx")
with zipfile.ZipFile("commented.docx", "w") as z:
    z.comment = b"packed on KIM-LAPTOP"
    for i in d.infolist():
        z.writestr(i, d.read(i.filename))
PY
