#!/usr/bin/env python3
"""Builds the fixtures ffmpeg cannot write, from boxes: a small HEIF still image with
an Exif item and an XMP item (iinf/iloc, version 0 and version 1 iloc), an MP4 with
a camm (camera motion/GPS) timed-metadata track, and MP4s with a GoPro-style gpmd
telemetry track that has samples (and one whose samples claim the video's bytes).
Called by gen_isobmff.sh."""
import os, struct, subprocess, sys, tempfile

def box(t, payload):
    return struct.pack('>I', 8 + len(payload)) + t + payload

def full(t, v, flags, payload):
    return box(t, struct.pack('>I', (v << 24) | flags) + payload)

def exiftool_new(args, ext):
    with tempfile.TemporaryDirectory() as d:
        p = os.path.join(d, 'x.' + ext)
        subprocess.run(['exiftool', '-q', *args, '-o', p], check=True)
        return open(p, 'rb').read()

def heic(out, iloc_version):
    exif = exiftool_new(['-Make=LeakMake', '-Model=LeakModel X1', '-SerialNumber=SN4242LEAK',
                         '-GPSLatitude=48.8584', '-GPSLatitudeRef=N'], 'exif')
    xmp = exiftool_new(['-XMP-dc:Creator=LeakAuthor', '-XMP-xmpMM:DocumentID=xmp.did:LEAKDOC'], 'xmp')
    image = b'\x00\x00\x00\x10' + bytes(range(16))         # stands in for an HEVC frame
    items = [(1, image), (2, struct.pack('>I', 0) + exif), (3, xmp)]
    ftyp = box(b'ftyp', b'heic' + b'\0\0\0\0' + b'mif1heicmiaf')
    hdlr = full(b'hdlr', 0, 0, b'\0\0\0\0pict' + b'\0' * 12 + b'\0')
    pitm = full(b'pitm', 0, 0, struct.pack('>H', 1))
    infe = [full(b'infe', 2, 0, struct.pack('>HH', 1, 0) + b'hvc1' + b'\0'),
            full(b'infe', 2, 0, struct.pack('>HH', 2, 0) + b'Exif' + b'\0'),
            full(b'infe', 2, 0, struct.pack('>HH', 3, 0) + b'mime' + b'\0' + b'application/rdf+xml\0')]
    iinf = full(b'iinf', 0, 0, struct.pack('>H', len(infe)) + b''.join(infe))
    ispe = full(b'ispe', 0, 0, struct.pack('>II', 64, 64))
    iprp = box(b'iprp', box(b'ipco', ispe) + full(b'ipma', 0, 0, struct.pack('>IHBB', 1, 1, 1, 0x81)))

    def build_iloc(offsets):
        body = bytes([0x44, 0x00]) + struct.pack('>H', len(items))   # offset 4, length 4, base 0
        for (iid, data), off in zip(items, offsets):
            body += struct.pack('>H', iid)
            if iloc_version == 1:
                body += struct.pack('>H', 0)                         # construction_method 0
            body += struct.pack('>HH', 0, 1) + struct.pack('>II', off, len(data))
        return full(b'iloc', iloc_version, 0, body)

    def build_meta(offsets):
        return full(b'meta', 0, 0, hdlr + pitm + build_iloc(offsets) + iinf + iprp)

    meta_len = len(build_meta([0] * len(items)))
    pos = len(ftyp) + meta_len + 8
    offsets = []
    for _, data in items:
        offsets.append(pos)
        pos += len(data)
    mdat = box(b'mdat', b''.join(d for _, d in items))
    open(out, 'wb').write(ftyp + build_meta(offsets) + mdat)

def plain_heic(out):
    """A HEIF image with the image item only; gen_isobmff.sh lets exiftool add Exif
    and XMP to it, in exiftool's own layout (Exif header offset 6, "Exif\\0\\0")."""
    image = b'\x00\x00\x00\x10' + bytes(range(16))
    ftyp = box(b'ftyp', b'heic' + b'\0\0\0\0' + b'mif1heicmiaf')
    hdlr = full(b'hdlr', 0, 0, b'\0\0\0\0pict' + b'\0' * 12 + b'\0')
    pitm = full(b'pitm', 0, 0, struct.pack('>H', 1))
    iinf = full(b'iinf', 0, 0, struct.pack('>H', 1) +
                full(b'infe', 2, 0, struct.pack('>HH', 1, 0) + b'hvc1' + b'\0'))
    iprp = box(b'iprp', box(b'ipco', full(b'ispe', 0, 0, struct.pack('>II', 64, 64))) +
               full(b'ipma', 0, 0, struct.pack('>IHBB', 1, 1, 1, 0x81)))

    def meta(off):
        iloc = full(b'iloc', 0, 0, bytes([0x44, 0]) + struct.pack('>HHHHII', 1, 1, 0, 1, off, len(image)))
        return full(b'meta', 0, 0, hdlr + pitm + iloc + iinf + iprp)

    off = len(ftyp) + len(meta(0)) + 8
    open(out, 'wb').write(ftyp + meta(off) + box(b'mdat', image))

def movie_last(src):
    """The bytes of src and where its moov starts; the moov must be the last box, so
    that a track appended to it moves no chunk offset."""
    d = open(src, 'rb').read()
    pos = 0
    while pos < len(d):
        size, t = struct.unpack('>I4s', d[pos:pos + 8])
        if t == b'moov':
            break
        pos += size
    assert t == b'moov' and pos + size == len(d), 'moov must be last'
    return d, pos

def track_parts(track_id, duration, handler, name, entry):
    """The boxes of a timed-metadata track but its sample table: track and media
    headers (no dates), the handler, a self-contained data reference, and a sample
    description with one entry of type entry and no fields of its own."""
    matrix = struct.pack('>9I', 0x10000, 0, 0, 0, 0x10000, 0, 0, 0, 0x40000000)
    tkhd = full(b'tkhd', 0, 1, struct.pack('>IIIII', 0, 0, track_id, 0, duration) + b'\0' * 8 +
                struct.pack('>hhhH', 0, 0, 0, 0) + matrix + struct.pack('>II', 0, 0))
    mdhd = full(b'mdhd', 0, 0, struct.pack('>IIIIHH', 0, 0, 1000, duration, 0x55c4, 0))
    hdlr = full(b'hdlr', 0, 0, b'\0\0\0\0' + handler + b'\0' * 12 + name + b'\0')
    dinf = box(b'dinf', full(b'dref', 0, 0, struct.pack('>I', 1) + full(b'url ', 0, 1, b'')))
    stsd = full(b'stsd', 0, 0, struct.pack('>I', 1) + box(entry, b'\0' * 6 + struct.pack('>H', 1)))
    return tkhd, mdhd, hdlr, dinf, stsd

def add_camm_track(src, dst):
    """Appends an empty camm (camera motion metadata, with GPS) track to the moov of
    src, which must be the last top-level box so that no chunk offset moves."""
    d, pos = movie_last(src)
    tkhd, mdhd, hdlr, dinf, stsd = track_parts(3, 0, b'camm', b'CameraMetadataMotionHandler', b'camm')
    stbl = box(b'stbl', stsd + full(b'stts', 0, 0, struct.pack('>I', 0)) +
               full(b'stsc', 0, 0, struct.pack('>I', 0)) + full(b'stsz', 0, 0, struct.pack('>II', 0, 0)) +
               full(b'stco', 0, 0, struct.pack('>I', 0)))
    minf = box(b'minf', full(b'nmhd', 0, 0, b'') + dinf + stbl)
    trak = box(b'trak', tkhd + box(b'mdia', mdhd + hdlr + minf))
    moov = d[pos:]
    moov = struct.pack('>I', len(moov) + len(trak)) + moov[4:] + trak
    open(dst, 'wb').write(d[:pos] + moov)

def gpmf_sample(i):
    """A telemetry sample in GoPro's KLV layout: a device with a serial and a GPS fix."""
    def klv(key, typ, size, payload):
        return key + typ + struct.pack('>BH', size, len(payload) // size) + payload + b'\0' * (-len(payload) % 4)
    gps = klv(b'GPS5', b'l', 20, struct.pack('>5i', 488584000 + i, 22945000 + i, 35000, 0, 0))
    body = klv(b'DVNM', b'c', 10, b'LeakCam X1') + klv(b'CASN', b'c', 10, b'SN4242LEAK') + gps
    return b'DEVC' + b'\0' + b'\1' + struct.pack('>H', len(body) // 4) + body

def add_gpmd_track(src, dst, overlap=False):
    """Appends a gpmd track (handler meta, as GoPro writes it) with 6 samples in 2
    chunks, held in an mdat after the moov; with overlap its first chunk offset points
    at the video's first sample instead (a table no camera writes)."""
    d, pos = movie_last(src)
    samples = [gpmf_sample(i) for i in range(6)]
    n = len(samples[0])
    tkhd, mdhd, hdlr, dinf, stsd = track_parts(2, 600, b'meta', b'GoPro MET', b'gpmd')

    def trak(chunk_offsets):
        stbl = box(b'stbl', stsd + full(b'stts', 0, 0, struct.pack('>III', 1, 6, 100)) +
                   full(b'stsc', 0, 0, struct.pack('>IIII', 1, 1, 3, 1)) +
                   full(b'stsz', 0, 0, struct.pack('>II', n, 6)) +
                   full(b'stco', 0, 0, struct.pack('>I', 2) + b''.join(struct.pack('>I', o) for o in chunk_offsets)))
        minf = box(b'minf', full(b'nmhd', 0, 0, b'') + dinf + stbl)
        return box(b'trak', tkhd + box(b'mdia', mdhd + hdlr + minf))

    moov = d[pos:]
    mdat_at = pos + len(moov) + len(trak([0, 0]))
    offsets = [mdat_at + 8, mdat_at + 8 + 3 * n]
    if overlap:
        i = moov.index(b'stco')
        offsets[0] = struct.unpack('>I', moov[i + 12:i + 16])[0]   # the video's first chunk
    t = trak(offsets)
    moov = struct.pack('>I', len(moov) + len(t)) + moov[4:] + t
    open(dst, 'wb').write(d[:pos] + moov + box(b'mdat', b''.join(samples)))

def main():
    out = sys.argv[1]
    add_camm_track(os.path.join(out, 'clean_moov_last.mp4'), os.path.join(out, 'camm.mp4'))
    add_gpmd_track(os.path.join(out, 'clean_moov_last.mp4'), os.path.join(out, 'gpmd.mp4'))
    add_gpmd_track(os.path.join(out, 'clean_moov_last.mp4'), os.path.join(out, 'gpmd_overlap.mp4'), True)
    os.unlink(os.path.join(out, 'clean_moov_last.mp4'))
    heic(os.path.join(out, 'image.heic'), 0)
    heic(os.path.join(out, 'image_iloc1.heic'), 1)
    plain_heic(os.path.join(out, 'image_exiftool.heic'))

if __name__ == '__main__':
    main()
