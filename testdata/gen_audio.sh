#!/bin/bash
# Regenerates the small audio fixtures in testdata/audio/ (each well under 50 KB).
# Needs ffmpeg and python3. Marker values are distinctive so that tests can look for
# them: LeakTitle, LeakAuthor, LeakMake, LeakModel X1, SN4242LEAK, LeakSoft 3.1.
set -euo pipefail
cd "$(dirname "$0")/audio"
FF="ffmpeg -v error -y -bitexact"
SRC=(-f lavfi -i "sine=f=440:d=0.3")
OUT=(-ar 22050 -ac 1)
META=(-metadata title=LeakTitle -metadata artist=LeakAuthor -metadata date=2013-05-17
      -metadata comment="serial SN4242LEAK" -metadata make=LeakMake -metadata model="LeakModel X1"
      -metadata location="+48.8584+002.2945/" -metadata encoder="LeakSoft 3.1")

# A tiny cover picture for APIC / PICTURE blocks.
$FF -f lavfi -i "color=c=red:s=16x16:d=1" -frames:v 1 -c:v mjpeg cover.jpg

# MP3: ID3v2.3 with a cover and ID3v1; ID3v2.4; bare frames with appended junk.
$FF "${SRC[@]}" -i cover.jpg -map 0:a -map 1:v "${OUT[@]}" -c:a libmp3lame -b:a 32k -c:v copy \
    -disposition:v attached_pic -id3v2_version 3 -write_id3v1 1 "${META[@]}" tagged23.mp3
$FF "${SRC[@]}" "${OUT[@]}" -c:a libmp3lame -b:a 32k -id3v2_version 4 "${META[@]}" tagged24.mp3
$FF "${SRC[@]}" "${OUT[@]}" -c:a libmp3lame -b:a 32k -id3v2_version 0 -write_xing 0 -map_metadata -1 bare.mp3

python3 - <<'PY'
import struct
def syncsafe(n):
    return bytes([(n >> 21) & 127, (n >> 14) & 127, (n >> 7) & 127, n & 127])
bare = open("bare.mp3", "rb").read()
# APEv2 tag (header + items + footer) and an ID3v1 tag after the audio, then junk.
items = b""
for k, v in ((b"Artist", b"LeakAuthor"), (b"Title", b"LeakTitle")):
    items += struct.pack("<II", len(v), 0) + k + b"\0" + v
size = len(items) + 32
hdr = b"APETAGEX" + struct.pack("<IIII", 2000, size, 2, 0xA0000000) + b"\0" * 8
ftr = b"APETAGEX" + struct.pack("<IIII", 2000, size, 2, 0x80000000) + b"\0" * 8
v1 = b"TAG" + b"LeakTitle".ljust(30, b"\0") + b"LeakAuthor".ljust(30, b"\0") + \
     b"".ljust(30, b"\0") + b"2013" + b"serial SN4242LEAK".ljust(28, b"\0") + b"\0\x01" + b"\xff"
open("ape_v1.mp3", "wb").write(bare + hdr + items + ftr + v1)
open("appended.mp3", "wb").write(bare + v1 + b"IMPRINT-SN4242LEAK" * 4)
# ID3v2.3 with whole-tag unsynchronisation: a TPE1 frame whose text holds FF bytes,
# a PRIV frame, and non-zero padding.
def frame(fid, body):
    return fid + struct.pack(">I", len(body)) + b"\0\0" + body
frames = frame(b"TPE1", b"\x00Leak\xffAuthor") + frame(b"PRIV", b"com.example.device\0SN4242LEAK")
unsync = frames.replace(b"\xff", b"\xff\x00")
body = unsync + b"\0" * 16 + b"HIDDEN" + b"\0" * 10
open("unsync.mp3", "wb").write(b"ID3\x03\x00\x80" + syncsafe(len(body)) + body + bare)
PY
rm -f bare.mp3

# FLAC: Vorbis comments and a cover; then one with an APPLICATION block, non-zero
# padding and bytes after the last frame.
VC=(-metadata TITLE=LeakTitle -metadata ARTIST=LeakAuthor -metadata DATE=2013-05-17
    -metadata MAKE=LeakMake -metadata MODEL="LeakModel X1" -metadata SERIAL=SN4242LEAK
    -metadata LOCATION="+48.8584+002.2945/" -metadata SOFTWARE="LeakSoft 3.1")
$FF "${SRC[@]}" -i cover.jpg -map 0:a -map 1:v -c:a flac "${OUT[@]}" -ar 8000 -c:v copy \
    -disposition:v attached_pic "${VC[@]}" tagged.flac
$FF "${SRC[@]}" -c:a flac "${OUT[@]}" -ar 8000 -map_metadata -1 -fflags +bitexact bare.flac
python3 - <<'PY'
import struct
d = open("bare.flac", "rb").read()
# blocks after fLaC: rebuild the chain with an APPLICATION block and dirty padding.
pos, blocks = 4, []
while True:
    h = d[pos]; n = int.from_bytes(d[pos + 1:pos + 4], "big")
    blocks.append([h & 0x7F, d[pos + 4:pos + 4 + n]]); pos += 4 + n
    if h & 0x80: break
audio = d[pos:]
blocks = [b for b in blocks if b[0] != 1]
blocks.append([2, b"LEAK" + b"device SN4242LEAK"])
blocks.append([1, b"\0" * 20 + b"HIDDEN" + b"\0" * 6])
out = b"fLaC"
for i, (t, body) in enumerate(blocks):
    last = 0x80 if i == len(blocks) - 1 else 0
    out += bytes([t | last]) + len(body).to_bytes(3, "big") + body
open("app_pad.flac", "wb").write(out + audio + b"IMPRINT-SN4242LEAK" * 3)
PY
rm -f bare.flac

# Ogg: Vorbis with a cover (METADATA_BLOCK_PICTURE), Opus, FLAC in Ogg, Theora.
# (ffmpeg's Ogg muxer takes no picture stream: the cover goes in as the base64 FLAC
# picture block that Vorbis comments carry.)
PIC=$(python3 -c '
import base64, struct
j = open("cover.jpg", "rb").read()
b = struct.pack(">I", 3) + struct.pack(">I", 10) + b"image/jpeg" + struct.pack(">I", 0)
b += struct.pack(">IIIII", 16, 16, 24, 0, len(j)) + j
print(base64.b64encode(b).decode())')
$FF "${SRC[@]}" -c:a libvorbis "${OUT[@]}" -ar 8000 "${VC[@]}" \
    -metadata METADATA_BLOCK_PICTURE="$PIC" vorbis.ogg
$FF "${SRC[@]}" -c:a libopus -b:a 8k "${VC[@]}" opus.opus
$FF "${SRC[@]}" -c:a flac "${OUT[@]}" -ar 8000 "${VC[@]}" -f ogg flac.oga
$FF -f lavfi -i "testsrc=s=32x32:d=0.2:r=5" -c:v libtheora -q:v 1 "${VC[@]}" theora.ogv
# ASF: WMA with content description, extended content description and a creation
# date; WMV with a File ID patched in (ffmpeg writes none) and appended bytes.
AM=(-metadata title=LeakTitle -metadata author=LeakAuthor -metadata copyright=LeakAuthor
    -metadata comment="serial SN4242LEAK" -metadata make=LeakMake -metadata model="LeakModel X1"
    -metadata location="+48.8584+002.2945/" -metadata creation_time=2013-05-17T08:09:10Z
    -metadata WM/ToolName="LeakSoft 3.1")
$FF "${SRC[@]}" -c:a wmav2 "${OUT[@]}" -b:a 24k "${AM[@]}" tagged.wma
$FF -f lavfi -i "testsrc=s=32x32:d=0.2:r=5" -c:v wmv2 -b:v 20k "${AM[@]}" video.wmv
python3 - <<'PY'
d = bytearray(open("video.wmv", "rb").read())
fid = bytes.fromhex("0f1e2d3c4b5a69788796a5b4c3d2e1f0")
props = bytes.fromhex("a1dcab8c47a9cf118ee400c00c205365")
data = bytes.fromhex("3626b2758e66cf11a6d900aa0062ce6c")
for g in (props, data):
    i = d.find(g)
    d[i + 24:i + 40] = fid
open("video.wmv", "wb").write(bytes(d) + b"IMPRINT-SN4242LEAK" * 2)
d = open("opus.opus", "rb").read()
open("opus_appended.opus", "wb").write(d + b"IMPRINT-SN4242LEAK" * 2)
PY
ls -l
