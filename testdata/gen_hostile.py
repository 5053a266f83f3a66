#!/usr/bin/env python3
"""Writes testdata/hostile/: malformed files for every format, as an adversary would
craft them (zero and huge sizes, truncated boxes and chunks, box loops, 64-bit sizes,
lying EBML lengths, ID3 sync-safe overflows, ZIP bombs, deeply nested embedded media).
Each must give a clear per-file error or a correct result, in bounded time and memory
(tests/hostile.sh). Deterministic: the output is committed."""
import os, struct, zlib

OUT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "hostile")


def w(name, data):
    with open(os.path.join(OUT, name), "wb") as f:
        f.write(data)


def box(t, payload, size=None):
    return struct.pack(">I", size if size is not None else 8 + len(payload)) + t + payload


def ebml_id_size(eid, size_bytes, payload=b""):
    return eid + size_bytes + payload


def main():
    os.makedirs(OUT, exist_ok=True)
    jpeg_min = bytes.fromhex("ffd8ffe000104a46494600010100000100010000ffd9")
    # --- ISO-BMFF ---
    ftyp = box(b"ftyp", b"isom\0\0\0\0isom")
    w("mp4_zero_size_middle.mp4", ftyp + box(b"moov", box(b"udta", b""), size=0) + b"\0" * 64)
    w("mp4_huge_size.mp4", ftyp + box(b"moov", b"\0" * 16, size=0xFFFFFFF0))
    w("mp4_largesize_bad.mp4", ftyp + struct.pack(">I4sQ", 1, b"mdat", 4) + b"x" * 32)
    w("mp4_largesize_huge.mp4", ftyp + struct.pack(">I4sQ", 1, b"mdat", 2**63) + b"x" * 32)
    w("mp4_truncated_box.mp4", ftyp + box(b"moov", b"\0" * 100)[:60])
    nested = b""
    for _ in range(10000):
        nested = box(b"udta", nested)
    w("mp4_10000_nested.mp4", ftyp + box(b"moov", nested))
    w("mp4_size_smaller_than_header.mp4", ftyp + struct.pack(">I4s", 4, b"moov") + b"\0" * 40)
    # a meta box whose child claims the parent's whole size (loop-like overlap)
    w("mp4_child_overlaps_parent.mp4", ftyp + box(b"moov", box(b"meta", b"\0" * 4 + struct.pack(">I4s", 64, b"ilst"))))
    # --- Matroska ---
    ebml_body = bytes.fromhex("428288") + b"matroska" + bytes.fromhex("4287810242858102")
    ebml_head = bytes.fromhex("1a45dfa3") + bytes([0x80 | len(ebml_body)]) + ebml_body
    seg = bytes.fromhex("18538067")
    w("mkv_lying_length.mkv", ebml_head + seg + bytes.fromhex("01000000000000ff") + bytes.fromhex("1549a966") + bytes.fromhex("01ffffffffffffff") + b"\0" * 16)
    w("mkv_unknown_sizes.mkv", ebml_head + seg + bytes.fromhex("01ffffffffffffff") + bytes.fromhex("1f43b675") + bytes.fromhex("01ffffffffffffff") * 3)
    w("mkv_huge_vint.mkv", ebml_head + seg + bytes.fromhex("01fffffffffffffe") + bytes.fromhex("1254c367") + bytes.fromhex("01fffffffffffffe"))
    deep = b""
    for _ in range(2000):
        deep = bytes.fromhex("7373") + bytes.fromhex("01") + struct.pack(">Q", len(deep))[1:] + deep   # Tag in Tag in ...
    w("mkv_deep_nesting.mkv", ebml_head + seg + bytes.fromhex("01") + struct.pack(">Q", len(deep) + 12)[1:] + bytes.fromhex("1254c367") + bytes.fromhex("01") + struct.pack(">Q", len(deep))[1:] + deep)
    w("mkv_invalid_vint.mkv", ebml_head + seg + b"\x00" * 16)
    # --- RIFF ---
    w("riff_chunk_past_end.wav", b"RIFF" + struct.pack("<I", 100) + b"WAVE" + b"fmt " + struct.pack("<I", 0x7FFFFFFF) + b"\0" * 16)
    w("riff_zero_sizes.avi", b"RIFF" + struct.pack("<I", 0) + b"AVI " + (b"LIST" + struct.pack("<I", 0)) * 100)
    w("riff_odd_sizes.wav", b"RIFF" + struct.pack("<I", 37) + b"WAVE" + b"fmt " + struct.pack("<I", 17) + b"\x01" * 17 + b"LIST" + struct.pack("<I", 3) + b"INF")
    w("riff_list_loop.avi", b"RIFF" + struct.pack("<I", 0xFFFFFFFF) + b"AVI " + (b"LIST" + struct.pack("<I", 0xFFFFFFF0) + b"hdrl") * 50)
    # --- MP3 / ID3 ---
    w("id3_syncsafe_overflow.mp3", b"ID3\x04\x00\x00\xff\xff\xff\xff" + b"TIT2" + b"\x7f\x7f\x7f\x7f\x00\x00" + b"\x03x" * 50)
    w("id3_frame_past_tag.mp3", b"ID3\x03\x00\x00\x00\x00\x00\x20" + b"TPE1" + struct.pack(">I", 0x10000) + b"\0\0\x00abc" + b"\0" * 20)
    w("id3_zero_length_frames.mp3", b"ID3\x03\x00\x00\x00\x00\x01\x00" + (b"TPE1" + b"\0" * 6) * 12 + b"\0" * 8)
    w("mp3_false_sync.mp3", b"\xff\xfb" * 5000)
    apic = b"\x00image/jpeg\x00\x03\x00"
    # --- FLAC / Ogg ---
    w("flac_block_past_end.flac", b"fLaC" + bytes([0x84]) + struct.pack(">I", 0xFFFFFF)[1:] + b"\0" * 40)
    w("flac_comment_count_huge.flac", b"fLaC" + bytes([0x00, 0, 0, 34]) + b"\0" * 34 + bytes([0x84]) + struct.pack(">I", 16)[1:] + struct.pack("<I", 0) + struct.pack("<I", 0xFFFFFFFF) + b"\0" * 8)
    page = b"OggS\x00\x02" + b"\0" * 8 + b"\1\0\0\0" + b"\0\0\0\0" + b"\0\0\0\0" + b"\xff" + b"\xff" * 255
    w("ogg_bad_segment_table.ogg", page + b"\x01vorbis" + b"\0" * 10)
    w("ogg_truncated_page.ogg", b"OggS\x00\x02" + b"\0" * 20)
    # --- ASF ---
    asf_hdr = bytes.fromhex("3026b2758e66cf11a6d900aa0062ce6c")
    w("asf_object_size_zero.wmv", asf_hdr + struct.pack("<QIBB", 30 + 24, 1, 1, 2) + bytes(16) + struct.pack("<Q", 0))
    w("asf_object_size_huge.wmv", asf_hdr + struct.pack("<QIBB", 2**62, 1, 1, 2) + bytes(16) + struct.pack("<Q", 2**62))
    # --- ZIP ---
    bomb = zlib.compressobj(9, zlib.DEFLATED, -15)
    data = bomb.compress(b"\0" * (64 << 20)) + bomb.flush()
    name = b"docProps/core.xml"
    crc = zlib.crc32(b"\0" * (64 << 20))
    local = struct.pack("<IHHHHHIIIHH", 0x04034B50, 20, 0, 8, 0, 0, crc, len(data), 64 << 20, len(name), 0) + name + data
    cd = struct.pack("<IHHHHHHIIIHHHHHII", 0x02014B50, 20, 20, 0, 8, 0, 0, crc, len(data), 64 << 20, len(name), 0, 0, 0, 0, 0, 0) + name
    eocd = struct.pack("<IHHHHIIH", 0x06054B50, 0, 0, 1, 1, len(cd), len(local), 0)
    w("zip_bomb_core.docx", local + cd + eocd)
    w("zip_cd_count_lie.zip", local[:60] + struct.pack("<IHHHHIIH", 0x06054B50, 0, 0, 65535, 65535, 0xFFFFFFFF, 0, 0))
    w("zip_name_len_past_end.zip", struct.pack("<IHHHHHIIIHH", 0x04034B50, 20, 0, 0, 0, 0, 0, 0, 0, 0xFFFF, 0xFFFF) + b"a" * 10)
    # --- PDF ---
    w("pdf_prev_loop.pdf", b"%PDF-1.4\n1 0 obj<<>>endobj\nxref\n0 1\n0000000000 65535 f \ntrailer<</Size 1/Prev 9/Info 1 0 R>>\nstartxref\n9\n%%EOF\n")
    w("pdf_no_eof.pdf", b"%PDF-1.4\n1 0 obj<</Author(x)>>endobj\n")
    w("pdf_broken_xref.pdf", b"%PDF-1.7\nxref\n0 999999999\ntrailer<</Size 99999999/Info 5 0 R>>\nstartxref\n99999999999\n%%EOF")
    # --- JPEG / PNG / GIF / TIFF ---
    w("jpeg_segment_len_1.jpg", b"\xff\xd8\xff\xe1\x00\x01" + b"\0" * 30)
    w("jpeg_exif_ifd_loop.jpg", b"\xff\xd8\xff\xe1" + struct.pack(">H", 2 + 6 + 26) + b"Exif\0\0" + b"II*\0\x08\0\0\0" + struct.pack("<H", 1) + struct.pack("<HHII", 0x8769, 4, 1, 8) + struct.pack("<I", 8) + b"\xff\xd9")
    w("tiff_ifd_count_huge.tif", b"II*\0\x08\0\0\0" + struct.pack("<H", 0xFFFF) + b"\0" * 30)
    w("tiff_offsets_past_end.tif", b"MM\0*\x7f\xff\xff\xf0" + b"\0" * 16)
    w("png_chunk_len_huge.png", b"\x89PNG\r\n\x1a\n" + struct.pack(">I", 0xFFFFFFF0) + b"tEXt" + b"a" * 20)
    w("png_no_iend.png", b"\x89PNG\r\n\x1a\n" + struct.pack(">I", 13) + b"IHDR" + b"\0" * 13 + b"\0" * 4)
    w("gif_subblocks_forever.gif", b"GIF89a" + b"\x01\0\x01\0\0\0\0" + b"\x21\xfe" + b"\xff" + b"a" * 255 + b"\xff" + b"b" * 100)
    # --- deeply nested embedded media: a JPEG cover inside ID3 inside ... ---
    inner = jpeg_min
    for level in range(12):
        frame = b"APIC" + struct.pack(">I", len(apic) + len(inner)) + b"\0\0" + apic + inner
        tag = b"ID3\x03\x00\x00" + bytes([(len(frame) >> 21) & 0x7F, (len(frame) >> 14) & 0x7F, (len(frame) >> 7) & 0x7F, len(frame) & 0x7F]) + frame
        inner = tag + b"\xff\xfb\x90\x00" + b"\0" * 413
    w("nested_embedded_12_levels.mp3", inner)
    # --- Red Star look-alikes ---
    w("redstar_len_not_multiple.bin", b"x" * 100 + struct.pack("<I", 25) + b"EOF")
    w("redstar_len_huge.bin", b"x" * 100 + struct.pack("<I", 24 * 100000) + b"EOF")
    w("redstar_profile_len_huge.bin", b"x" * 100 + struct.pack("<I", 0xFFFFFFFF) + b"wwwwwwww")
    w("empty.jpg", b"")
    print("wrote", len(os.listdir(OUT)), "files to", OUT)


if __name__ == "__main__":
    main()
