#!/usr/bin/env python3
"""The metadata engine against real files made by other people's systems
(../shared/fixtures/mat2): for each file, every identifying tag that `exiftool -a -G1 -s`
shows must be reported by `unmark scan`; after `unmark scrub --out`, exiftool must show
none of them (an emptied or zeroed value counts as gone), the file must stay valid and
its essence must be unchanged. One line per file, then the totals.

A tag counts as identifying when its group is a metadata group (Vorbis comments, ID3,
XMP, IPTC, PDF Info, ...) or its name says what a person, device, place or time is
(Make, Model, Serial, GPS, Artist, Author, Creator, Software, dates, Title, Comment...).
Structural tags (sizes, rates, codecs) do not count."""
import json, os, re, shutil, subprocess, sys, tempfile, zipfile

UNMARK = os.environ.get("UNMARK", "build/unmark")
# Groups exiftool invents (the file system, itself) or that hold only structure.
SKIP_GROUPS = re.compile(r"^(ExifTool|System|File|Composite|ZIP|JFIF|MPEG|PNG-pHYs|ICC.*|XMP-grddl)$")
# Groups that hold nothing but metadata: every tag there counts. Elsewhere the name decides.
META_GROUPS = re.compile(r"^(Vorbis|ID3v1|ID3v2_\d|XMP-(?!x$).*|IPTC|ItemList|UserData|Keys|Lyrics3|APE)$")
IDENT_NAMES = re.compile(r"(Make|Model|Serial|GPS|Artist|Author|Creator|Software|Date|Title|Comment|Description|"
                         r"Copyright|Company|Manager|LastModifiedBy|Producer|Encoder|Encoded|Writer|Owner|Lens|"
                         r"Location|Album|Vendor|Application|Template|DocumentID|InstanceID|UniqueID|Keywords|"
                         r"Subject|Rsid|Publisher|Composer|Originator|Tool|Keyword|Caption|Credit|City|"
                         r"Country|Sub-location|Province|Contact|Rights|History|Rating|Genre|Track|Revision)", re.I)
# Structure and statistics: not about a person, device, place or time.
STRUCTURAL = re.compile(r"^(HandlerType|HandlerClass|HandlerVendorID|Pages|Words|Characters.*|Lines|Paragraphs|"
                        r"Editing-cycles|Linearized|PageCount|DocSecurity|ScaleCrop|LinksUpToDate|SharedDoc|"
                        r"HyperlinksChanged|TotalEditTime|Document-statistic.*|MediaLanguageCode|.*Width|.*Height|"
                        r"PixelsPerUnit.*|.*Version|CopyrightFlag|TrackNumber|AudioChannels|SampleRate|.*Bitrate|"
                        r"NumChannels|AvgBytesPerSec|BitsPerSample|Encoding|BitDepth|ColorType|Compression|Filter|"
                        r"Interlace|BackgroundColor|FileLength|DataPackets|Duration|SendDuration|Preroll|Flags|"
                        r"M(in|ax)PacketSize|TrackID|NextTrackID|TrackDuration|TrackVolume|WebP_Flags|Language|"
                        r"HeadingPairs|Trapped|Format)$", re.I)
# Values that identify no one: defaults and empty placeholders.
HARMLESS_VALUE = re.compile(r"^(|0|none|und|unknown|\(binary data.*\)|0000:00:00 00:00:00.*|1904:01:01 00:00:00|"
                            r"1980:01:01 00:00:00|0000:00:00|0:00:00|.*use -b option.*)$", re.I)


def exiftool(path):
    r = subprocess.run(["exiftool", "-j", "-a", "-G1", "-s", "-u", path], capture_output=True, text=True)
    try:
        d = json.loads(r.stdout)[0]
    except (ValueError, IndexError):
        return {}
    return d


def identifying(tags):
    out = {}
    for key, value in tags.items():
        if ":" not in key:
            continue
        group, name = key.split(":", 1)
        v = str(value).strip()
        if SKIP_GROUPS.match(group) or STRUCTURAL.match(name) or HARMLESS_VALUE.match(v):
            continue
        if digits(v) and set(digits(v)) == {"0"} and not re.search(r"[a-zA-Z]", v):
            continue   # an all-zero id or date identifies no one
        if META_GROUPS.match(group) or IDENT_NAMES.search(name):
            out[key] = v
    return out


def norm(s):
    return re.sub(r"[^0-9a-z]", "", str(s).lower())


def digits(s):
    return re.sub(r"[^0-9]", "", str(s))


# exiftool's names for tags whose values are too short to match by value.
ALIASES = {"revisionnumber": "revision", "track": "trck", "tracknumber": "tracknumber", "year": "year"}


# Maker notes are reported and removed whole (they hold serial numbers in each maker's
# own layout): a tag exiftool decodes from inside one counts as reported with it.
MAKER_GROUPS = re.compile(r"^(Olympus|Canon|Nikon|Sony|Panasonic|FujiFilm|Samsung|Apple|Pentax|Casio|"
                          r"Kodak|Minolta|Ricoh|Sanyo|Sigma|Leica|DJI|GoPro|MakerNotes?)", re.I)


def reported(key, value, findings):
    group = key.split(":", 1)[0]
    if MAKER_GROUPS.match(group) and any((f.get("key") or "").lower() == "makernote" for f in findings):
        return True
    name = key.split(":", 1)[1].lower()
    name = ALIASES.get(name, name)
    nv, dv = norm(value), digits(value)
    for f in findings:
        fv = norm(f.get("value", ""))
        where = (f.get("where", "") + "/" + f.get("key", "")).lower()
        if name and name in re.sub(r"[^a-z0-9]", "", where):
            return True
        if len(nv) >= 3 and (nv in fv or (len(fv) >= 4 and fv in nv)):
            return True
        if len(dv) >= 8 and dv in digits(f.get("value", "")):
            return True
    return False


def gone(value_after):
    v = str(value_after).strip()
    return HARMLESS_VALUE.match(v) is not None or not norm(v) or set(digits(v)) <= {"0"} and digits(v) != ""


def valid_and_same(orig, out):
    ext = orig.rsplit(".", 1)[-1].lower()
    if ext in ("docx", "odt", "xlsx", "pptx"):
        try:
            ok = zipfile.ZipFile(out).testzip() is None
        except zipfile.BadZipFile:
            return "not a valid ZIP"
        if not ok or subprocess.run(["unzip", "-tq", out], capture_output=True).returncode:
            return "ZIP integrity test fails"
        def text(p):
            # The document's text, parsed: re-serialising XML may change how
            # characters are escaped, never what they are.
            import xml.etree.ElementTree as ET
            z = zipfile.ZipFile(p)
            names = [n for n in z.namelist() if n in ("word/document.xml", "content.xml")]
            return "".join(ET.fromstring(z.read(names[0])).itertext()) if names else ""
        return None if text(orig) == text(out) else "document text changed"
    if ext == "pdf":
        if subprocess.run(["qpdf", "--check", out], capture_output=True).returncode not in (0, 3):
            return "qpdf --check fails"
        t = lambda p: subprocess.run(["pdftotext", p, "-"], capture_output=True).stdout
        return None if t(orig) == t(out) else "pdf text changed"
    def decode_errors(p):
        r = subprocess.run(["ffmpeg", "-nostdin", "-v", "error", "-i", p, "-map", "0:V?", "-map", "0:a?",
                            "-f", "null", "-"], capture_output=True, text=True)
        return r.returncode, set(re.sub(r"0x[0-9a-f]+", "", l).replace(p, "FILE") for l in r.stderr.splitlines())
    rc_out, err_out = decode_errors(out)
    rc_in, err_in = decode_errors(orig)
    if (rc_out and not rc_in) or (err_out - err_in):
        return "does not decode: " + " ".join(sorted(err_out - err_in))[:80]
    def essence(p):
        if ext in ("jpg", "jpeg", "png", "gif", "tiff", "tif", "webp", "heic"):
            args = ["-map", "0:V:0?", "-frames:v", "1", "-f", "framemd5", "-"]
        else:
            args = ["-map", "0:V?", "-map", "0:a?", "-c", "copy", "-f", "streamhash", "-hash", "md5", "-"]
        return subprocess.run(["ffmpeg", "-nostdin", "-v", "error", "-i", p, *args], capture_output=True).stdout
    return None if essence(orig) == essence(out) else "essence changed"


def main():
    src = sys.argv[1]
    files = sorted(f for f in os.listdir(src) if not f.startswith("."))
    totals = dict(files=0, tags=0, reported=0, left=0, broken=0, failed=0)
    bad = 0
    with tempfile.TemporaryDirectory() as t:
        shutil.copytree(src, os.path.join(t, "in"))
        scan = json.loads(subprocess.run([UNMARK, "scan", "-q", "--json", "-", os.path.join(t, "in")],
                                         capture_output=True, text=True).stdout)
        scrub = json.loads(subprocess.run([UNMARK, "scrub", "-q", "--out", os.path.join(t, "out"), "--json", "-",
                                           os.path.join(t, "in")], capture_output=True, text=True).stdout)
        by_name = {os.path.basename(f["path"]): f for f in scan["files"]}
        scrubbed = {os.path.basename(f["path"]): f for f in scrub["files"]}
        for name in files:
            orig = os.path.join(t, "in", name)
            out = os.path.join(t, "out", name)
            tags = identifying(exiftool(orig))
            findings = by_name.get(name, {}).get("findings", [])
            missed = [k for k, v in tags.items() if not reported(k, v, findings)]
            status = scrubbed.get(name, {}).get("status", "?")
            problems = []
            if not os.path.exists(out):
                problems.append("no cleaned output (" + scrubbed.get(name, {}).get("error", status)[:90] + ")")
                left = list(tags)
            else:
                after = exiftool(out)
                left = [k for k, v in tags.items() if k in after and not gone(after[k]) and norm(after[k]) == norm(v)]
                why = valid_and_same(orig, out)
                if why:
                    problems.append(why)
            totals["files"] += 1
            totals["tags"] += len(tags)
            totals["reported"] += len(tags) - len(missed)
            totals["left"] += len(left)
            totals["broken"] += bool(problems)
            ok = not missed and not left and not problems
            bad += not ok
            line = f"{'ok  ' if ok else 'FAIL'} {name}: {len(tags)} identifying tags, {len(tags) - len(missed)} reported, {len(left)} left after scrub"
            line += f", {len(findings)} findings, scrub {status}"
            if problems:
                line += "; " + "; ".join(problems)
            print(line)
            if missed:
                print("       not reported: " + ", ".join(f"{k}={tags[k][:30]}" for k in missed[:8]))
            if left:
                print("       left: " + ", ".join(left[:8]))
    print(f"totals: {totals['files']} files, {totals['tags']} identifying tags, {totals['reported']} reported, "
          f"{totals['left']} left after scrub, {totals['broken']} files broken or not cleaned")
    print(f"{totals['files'] - bad} passed, {bad} failed")
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
