#!/usr/bin/env python3
"""Builds the bundled sample drive, testdata/sample-drive/: tagged, clean and malformed
files as a preparer would find them on a card. Run once by developers; the output is
committed so that users and CI need none of the tools used here (ffmpeg, openssl).

Device IDs here are made up, in the 13-character form Red Star OS prints."""
import os, shutil, struct, subprocess, sys, tempfile, zipfile

HERE = os.path.dirname(os.path.abspath(__file__))
OUT = os.path.join(HERE, "sample-drive")
KEY = "0706050403020100"


def des_mark(device_id: str) -> bytes:
    plain = (b"WM" + device_id.encode()).ljust(24, b"\0")
    r = subprocess.run(["openssl", "enc", "-des-ecb", "-K", KEY, "-nopad", "-provider", "legacy",
                        "-provider", "default"], input=plain, capture_output=True, check=True)
    return r.stdout


def trailer(*ids: str) -> bytes:
    marks = b"".join(des_mark(i) for i in ids)
    return marks + struct.pack("<I", len(marks)) + b"EOF"


def fixture(rel):
    with open(os.path.join(HERE, rel), "rb") as f:
        return f.read()


def ffmpeg(*args):
    subprocess.run(["ffmpeg", "-nostdin", "-v", "error", "-y", *args], check=True)


def write(rel, data):
    path = os.path.join(OUT, rel)
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, "wb") as f:
        f.write(data)


def docx_with_growth_hint(mark: bytes) -> bytes:
    """A minimal Word-like package whose first local header carries the 0xA220
    growth-hint extra field, as MS Office writes it, with the mark at offset 80."""
    parts = {
        "[Content_Types].xml": b'<?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"><Default Extension="xml" ContentType="application/xml"/></Types>',
        "word/document.xml": b'<?xml version="1.0" encoding="UTF-8"?><w:document xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"><w:body><w:p><w:r><w:t>Sample</w:t></w:r></w:p></w:body></w:document>',
    }
    with tempfile.TemporaryDirectory() as t:
        p = os.path.join(t, "a.docx")
        with zipfile.ZipFile(p, "w", zipfile.ZIP_DEFLATED) as z:
            for name, data in parts.items():
                info = zipfile.ZipInfo(name, (1980, 1, 1, 0, 0, 0))
                info.compress_type = zipfile.ZIP_DEFLATED
                if name == "[Content_Types].xml":
                    # id 0xA220, size 4+pad; signature 0xA028, padding value, zeros.
                    pad = 512
                    info.extra = struct.pack("<HHHH", 0xA220, 4 + pad, 0xA028, pad) + b"\0" * pad
                z.writestr(info, data)
        blob = bytearray(open(p, "rb").read())
    assert blob[80:111] == b"\0" * 31, "offset 80 must fall in the padding"
    if mark:
        blob[80:80 + len(mark)] = mark
    return bytes(blob)


def main():
    shutil.rmtree(OUT, ignore_errors=True)
    os.makedirs(OUT)
    with tempfile.TemporaryDirectory() as t:
        jpg = os.path.join(t, "a.jpg")
        ffmpeg("-f", "lavfi", "-i", "testsrc=size=96x64:rate=1", "-frames:v", "1",
               "-fflags", "+bitexact", "-flags", "+bitexact", jpg)
        photo = open(jpg, "rb").read()
        mp4 = os.path.join(t, "a.mp4")
        ffmpeg("-f", "lavfi", "-i", "testsrc=size=64x48:rate=10", "-f", "lavfi", "-i",
               "sine=frequency=440:sample_rate=8000", "-t", "0.5", "-c:v", "mpeg4", "-c:a", "aac",
               "-fflags", "+bitexact", "-flags", "+bitexact", "-map_metadata", "-1", mp4)
        clip = open(mp4, "rb").read()

    write("DCIM/100CAM/IMG_0001.jpg", photo + trailer("5E1AB2C3D4F9Z"))
    write("DCIM/100CAM/IMG_0002.jpg", photo)
    write("DCIM/100CAM/IMG_0003.jpg", photo + trailer("5E1AB2C3D4F9Z", "3BCH496784712"))
    write("Films/clip.mp4", clip + trailer("AC1Z2B3C4D5E6"))
    write("Films/clip_clean.mp4", clip)
    write("Documents/letter.docx", docx_with_growth_hint(trailer("9F8E7D6C5B4A3")[0:24] +
                                                          struct.pack("<I", 24) + b"EOF"))
    write("Documents/plain.docx", docx_with_growth_hint(b""))
    write("Documents/notes.txt", b"Shopping list\nrice\ntea\n")
    # Data hidden after a ZIP's end record, and after a JPEG's EOI.
    write("Documents/archive_with_tail.zip", docx_with_growth_hint(b"") + b"HIDDEN-PAYLOAD-" * 8)
    write("DCIM/100CAM/IMG_0004.jpg", photo + os.urandom(0) + bytes(range(256)) * 2)
    # Looks like a trailer but does not decrypt: appended data, never an ID.
    write("DCIM/100CAM/IMG_0005.jpg", photo + bytes(24) + struct.pack("<I", 24) + b"EOF")
    # A Red Star "organ" profile trailer.
    profile = bytes((i * 37 + 11) & 0xFF for i in range(64))
    write("DCIM/100CAM/IMG_0006.jpg", photo + profile + struct.pack("<I", len(profile)) + b"wwwwwwww")
    # The extension lies: a JPEG named .png.
    write("DCIM/100CAM/IMG_0007.png", photo)
    # Malformed: a JPEG cut short (a per-file error; the scan goes on).
    write("DCIM/100CAM/IMG_0008_truncated.jpg", photo[: len(photo) // 2])
    # A camera film with a GPS telemetry track (GoPro's gpmd), and a RealMedia drama
    # with RealProducer's properties and a RealJukebox section after its index: the
    # fixtures of testdata/isobmff and testdata/realmedia, each marked by Red Star OS.
    write("DCIM/100GOPRO/GOPR0001.MP4", fixture("isobmff/gpmd.mp4") + trailer("7D2E9A1B3C4F5"))
    write("Films/drama.rmvb", fixture("realmedia/fileinfo.rm") + trailer("AC1Z2B3C4D5E6"))
    print("wrote", OUT)


if __name__ == "__main__":
    sys.exit(main())
