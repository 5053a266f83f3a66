#!/usr/bin/env bash
# Drive-level end-to-end tests: the real CLI on FAT32, exFAT and NTFS images made by
# the mkfs tools with known serials and labels, filled with mtools (no mounting):
# OS artifacts, a tagged file, extended attributes, timestamps. Checks that scan
# reports them, that scrub leaves a volume its own checker finds consistent, with the
# new identity, and none of the traces. Prints one line per check and
# "N passed, M failed" last; exits 1 on a failure.
#   UNMARK=path/to/build/unmark bash tests/volume_e2e.sh
set -u
UNMARK=${UNMARK:-build/unmark}
case $UNMARK in /*) ;; *) UNMARK=$(pwd)/$UNMARK ;; esac
export PATH=$PATH:/usr/sbin:/sbin MTOOLS_SKIP_CHECK=1
T=$(mktemp -d /tmp/unmark-vol-e2e-XXXXXX)
LOOP= MNT=
trap '[ -n "$LOOP" ] && losetup -d "$LOOP" 2>/dev/null; [ -n "$MNT" ] && umount "$MNT" 2>/dev/null; rm -rf "$T"' EXIT
pass=0 fail=0
ok() { echo "ok   $1"; pass=$((pass + 1)); }
bad() { echo "FAIL $1"; fail=$((fail + 1)); }
check() { local name=$1; shift; if "$@"; then ok "$name"; else bad "$name"; fi; }
skip() { echo "skip $1"; }
py() { python3 -c "import json,sys; d=json.load(open(sys.argv[1])); $2" "$1"; }
have() { command -v "$1" >/dev/null 2>&1; }
finish() { echo "$pass passed, $fail failed"; [ "$fail" = 0 ]; exit; }

[ -x "$UNMARK" ] || { echo "no unmark binary at $UNMARK"; bad "unmark binary"; finish; }
cd "$T" || exit 2

# ---------------- FAT32: artifacts, a tagged file, identity ----------------
if have mkfs.vfat && have mcopy && have fsck.vfat; then
    mkfs.vfat -C -F 32 -s 1 -i 1234ABCD -n PREPARER fat.img 34000 >/dev/null 2>&1
    # What a preparer's machines leave behind.
    printf '[Trash Info]\nPath=/home/kim/Videos/old%%20copy.mkv\nDeletionDate=2024-05-01T10:20:30\n' > t.trashinfo
    printf 'deleted film' > t.files
    printf '\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1thumbnails' > thumbs
    python3 - <<'EOF'
import struct
def rec(name, code, typ):
    u = name.encode('utf-16-be')
    return struct.pack('>I', len(name)) + u + code + typ + b'\0' * 8
open('dsstore', 'wb').write(b'\0\0\0\1Bud1' + b'\0' * 24 + rec('passport-scan.jpg', b'Iloc', b'blob'))
open('guid', 'wb').write('\ufeff{8E2A1B3C-0000-4D5E-9F00-123456789ABC}'.encode('utf-16-le'))
EOF
    if have ffmpeg; then
        ffmpeg -loglevel error -f lavfi -i color=red:s=16x16 -frames:v 1 photo.jpg
    else
        printf '\xff\xd8\xff\xd9' > photo.jpg
    fi
    printf 'IMPRINT-DEVICE-0042' >> photo.jpg
    mmd -i fat.img ::/.Trash-1000 ::/.Trash-1000/info ::/.Trash-1000/files '::/System Volume Information' ::/films
    mcopy -i fat.img t.trashinfo '::/.Trash-1000/info/old copy.mkv.trashinfo'
    mcopy -i fat.img t.files '::/.Trash-1000/files/old copy.mkv'
    mcopy -i fat.img thumbs ::/films/Thumbs.db
    mcopy -i fat.img dsstore ::/films/.DS_Store
    mcopy -i fat.img guid '::/System Volume Information/IndexerVolumeGuid'
    mcopy -i fat.img photo.jpg ::/films/photo.jpg
    mcopy -i fat.img t.files ::/films/._photo.jpg
    fsck.vfat -n fat.img >/dev/null 2>&1; check "fat: the test image is consistent" test $? = 0

    # The drive as a mounted tree would show it (mtools copies hidden entries too).
    mkdir drive && mcopy -s -m -n -i fat.img '::*' drive/
    "$UNMARK" scan -q --json scan.json --volume fat.img drive 2>/dev/null; rc=$?
    check "fat scan: exit 1 on findings" test "$rc" = 1
    check "fat scan: serial 1234-ABCD reported" py scan.json "
v=[f for f in d['files'] if f['format']=='volume'][0]
assert any(x['kind']=='volume_id' and x['key']=='serial' and x['value']=='1234-ABCD' for x in v['findings'])"
    check "fat scan: label PREPARER in boot sector and root directory" py scan.json "
v=[f for f in d['files'] if f['format']=='volume'][0]
w=sorted(x['where'] for x in v['findings'] if x['key']=='label' and x['value']=='PREPARER')
assert w==['boot_sector/VolumeLabel','root_directory/volume_label'], w"
    check "fat scan: OEM name says Linux formatted it" py scan.json "
v=[f for f in d['files'] if f['format']=='volume'][0]
assert any(x['key']=='oem_name' and 'mkfs.fat' in x['value'] for x in v['findings'])"
    check "fat scan: trash names the original path and deletion date" py scan.json "
f=[f for f in d['files'] if f['path'].endswith('.Trash-1000')][0]
x=f['findings'][0]
assert x['kind']=='os_artifact' and x['deleted_files'][0]=={'original_path':'/home/kim/Videos/old copy.mkv','deleted':'2024-05-01T10:20:30'}"
    check "fat scan: .DS_Store names a file" py scan.json "
f=[f for f in d['files'] if f['path'].endswith('.DS_Store')][0]
assert f['findings'][0]['names']==['passport-scan.jpg']"
    check "fat scan: IndexerVolumeGuid reported" py scan.json "
f=[f for f in d['files'] if f['path'].endswith('System Volume Information')][0]
assert '8E2A1B3C' in f['findings'][0]['indexer_volume_guid']"
    check "fat scan: Thumbs.db and AppleDouble reported" py scan.json "
import os; k={os.path.basename(f['path']):[x['kind'] for x in f['findings']] for f in d['files']}
assert k['Thumbs.db']==['os_artifact'] and k['._photo.jpg']==['os_artifact'], k"
    check "fat scan: the tagged photo's appended bytes" py scan.json "
f=[f for f in d['files'] if f['path'].endswith('/photo.jpg')][0]
assert any(x['kind']=='appended_data' for x in f['findings']), f['findings']"
    check "fat scan: artifact folders are one item, not walked into" py scan.json "
assert not any('/.Trash-1000/' in f['path'] for f in d['files'])"

    "$UNMARK" scan -q --redact --json red.json --volume fat.img drive 2>/dev/null
    check "fat scan --redact: no path, name, serial or label in the report" sh -c "! grep -q -e kim -e passport -e 1234-ABCD -e PREPARER -e 8E2A1B3C red.json && grep -q os_artifact red.json"

    # A cleaned copy, and the volume rewritten.
    "$UNMARK" scrub -q --json scrub.json --out clean drive 2>/dev/null; rc=$?
    check "fat scrub --out: exit 0" test "$rc" = 0
    check "fat scrub --out: no artifact copied" test -z "$(cd clean && find . -name '.Trash-1000' -o -name Thumbs.db -o -name .DS_Store -o -name '._*' -o -name 'System Volume Information')"
    check "fat scrub --out: the artifacts were left alone in the source" test -e drive/films/Thumbs.db
    check "fat scrub --out: the photo is there, without its tail" sh -c "test -s clean/films/photo.jpg && ! grep -q IMPRINT clean/films/photo.jpg"
    cp fat.img fat-before.img
    "$UNMARK" scrub -q --json vscrub.json --volume fat.img --new-serial random --label CLEAN 2>/dev/null; rc=$?
    check "fat scrub --volume: exit 0" test "$rc" = 0
    # The drive gets the cleaned tree (what scrubbing the mounted drive does).
    mdeltree -i fat.img ::/.Trash-1000 '::/System Volume Information' >/dev/null 2>&1
    mdel -i fat.img ::/films/Thumbs.db ::/films/.DS_Store ::/films/._photo.jpg
    mcopy -o -i fat.img clean/films/photo.jpg ::/films/photo.jpg
    out=$(fsck.vfat -n fat.img 2>&1); rc=$?
    check "fat after scrub: fsck.vfat -n finds nothing wrong" sh -c "test $rc = 0 && ! echo \"\$1\" | grep -qi -e differ -e error -e corrupt" _ "$out"
    check "fat after scrub: mtools sees the new label" sh -c "mlabel -i fat.img -s | grep -q CLEAN"
    check "fat after scrub: mtools sees a new serial" sh -c "! mdir -i fat.img :: | grep -q 1234-ABCD"
    "$UNMARK" scan -q --json rescan.json --volume fat.img 2>/dev/null
    check "fat rescan --volume: the new identity, no old one" py rescan.json "
v=d['files'][0]
vals=[x['value'] for x in v['findings']]
s=[x['value'] for x in v['findings'] if x['key']=='serial'][0]
assert s!='1234-ABCD' and 'PREPARER' not in vals and 'CLEAN' in vals, vals
assert not any(x['key'] in ('formatted','previous_serial') for x in v['findings'])
assert [x['value'] for x in v['findings'] if x['key']=='oem_name']==['MSDOS5.0: formatted by Windows']"
    check "fat after scrub: the old label is nowhere in the image" sh -c "! grep -q PREPARER fat.img"
    check "fat after scrub: no old serial bytes in the boot sectors" python3 -c "
d=open('fat.img','rb').read(); assert bytes.fromhex('cdab3412') not in d[:8192]"
    rm -rf drive2 && mkdir drive2 && mcopy -s -m -n -i fat.img '::*' drive2/
    "$UNMARK" scan -q --json rescan2.json drive2 2>/dev/null; rc=$?
    check "fat after scrub: the drive's files scan clean (exit 0)" test "$rc" = 0

    # Deleted entries keep names; entry times date the copying.
    mkfs.vfat -C -F 16 -s 1 -i 11112222 -n DRV del.img 8192 >/dev/null 2>&1
    mmd -i del.img ::/films ::/films/deep
    for f in ::/films/secret.mkv ::/films/deep/keep.txt ::/films/deep/gone.avi; do mcopy -i del.img t.files "$f"; done
    mdel -i del.img ::/films/secret.mkv ::/films/deep/gone.avi
    "$UNMARK" scan -q --json del.json --volume del.img 2>/dev/null
    check "fat scan: deleted files still named, in subfolders too" py del.json "
x=[x for x in d['files'][0]['findings'] if x['key']=='deleted_names'][0]
assert x['deleted_entries']==2 and sorted(x['examples'])==['?ECRET.MKV','?ONE.AVI'], x"
    "$UNMARK" scrub -q --volume del.img --label '' --times fixed=2001-02-03T04:05:06 2>/dev/null; rc=$?
    check "fat scrub --volume --times: exit 0" test "$rc" = 0
    out=$(fsck.vfat -n del.img 2>&1); rc=$?
    check "fat scrub --volume --times: fsck.vfat -n finds nothing wrong" sh -c "test $rc = 0 && ! echo \"\$1\" | grep -qi -e differ -e error" _ "$out"
    check "fat scrub --volume --times: every entry dated 2001-02-03 04:05" sh -c "test \$(mdir -i del.img -/ :: | grep -c -e '<DIR>' -e ' txt ') = 7 && ! mdir -i del.img -/ :: | grep -e '<DIR>' -e ' txt ' | grep -v '2001-02-03   4:05'"
    check "fat scrub --volume: deleted names wiped, live files kept" sh -c "! grep -qa -e ECRET -e 'ONE    AVI' del.img && mtype -i del.img ::/films/deep/keep.txt | grep -q deleted"
    "$UNMARK" scan -q --json del2.json --volume del.img 2>/dev/null
    check "fat rescan: no deleted names" py del2.json "
assert not [x for x in d['files'][0]['findings'] if x['key']=='deleted_names']"

    # Dry run and refusal: nothing written.
    cp fat.img fat-dry.img
    "$UNMARK" scrub -q -n --volume fat-dry.img --new-serial zero 2>/dev/null
    check "fat scrub --dry-run --volume: image unchanged" cmp -s fat.img fat-dry.img
    if LOOP=$(losetup -f --show fat-dry.img 2>/dev/null) && [ -n "$LOOP" ]; then
        "$UNMARK" scrub -q --volume fat-dry.img --new-serial zero 2>err.txt; rc=$?
        check "fat scrub --volume on an attached image: refused (exit 2)" test "$rc" = 2
        check "fat scrub --volume on an attached image: unchanged" cmp -s fat.img fat-dry.img
        losetup -d "$LOOP"; LOOP=
    else
        skip "loop devices unavailable: attached-image refusal not tested"
    fi
else
    skip "mkfs.vfat/mtools/fsck.vfat missing: FAT tests skipped"
fi

# ---------------- exFAT ----------------
if have mkfs.exfat && have tune.exfat && have fsck.exfat; then
    truncate -s 8M ex.img && mkfs.exfat -L PREPARER ex.img >/dev/null 2>&1 && tune.exfat -I 0x4567DEF0 ex.img >/dev/null 2>&1
    # No exFAT tool writes files without mounting: add a live file (written in UTC+09:00)
    # and a deleted one to the root directory, as a driver would, checksums and all.
    cat > exfat_add.py <<'EOF'
import struct, sys
img = sys.argv[1]
f = open(img, 'r+b'); d = bytearray(f.read())
bps = 1 << d[108]; spc = 1 << d[109]
heap = struct.unpack_from('<I', d, 88)[0]; root = struct.unpack_from('<I', d, 96)[0]
off = heap * bps + (root - 2) * bps * spc
def csum(b):
    s = 0
    for i, x in enumerate(b):
        if i in (2, 3): continue
        s = (((s & 1) << 15) + (s >> 1) + x) & 0xFFFF
    return s
def namehash(name):
    h = 0
    for ch in name.upper():
        c = ord(ch)
        for byte in (c & 0xFF, c >> 8):
            h = (((h & 1) << 15) + (h >> 1) + byte) & 0xFFFF
    return h
def entry_set(name, live, ts, utc):
    fe = bytearray(32); se = bytearray(32); ne = bytearray(32)
    fe[0] = 0x85 if live else 0x05; fe[1] = 2
    struct.pack_into('<H', fe, 4, 0x20)
    struct.pack_into('<III', fe, 8, ts, ts, ts)
    fe[22] = fe[23] = fe[24] = utc
    se[0] = 0xC0 if live else 0x40; se[1] = 0x01; se[3] = len(name)
    struct.pack_into('<H', se, 4, namehash(name))
    ne[0] = 0xC1 if live else 0x41
    ne[2:2 + 2 * len(name)] = name.encode('utf-16-le')
    s = fe + se + ne
    struct.pack_into('<H', s, 2, csum(s))
    return s
# 2024-05-01 10:20:30
ts = ((2024 - 1980) << 25) | (5 << 21) | (1 << 16) | (10 << 11) | (20 << 5) | 15
i = 0
while d[off + 32 * i] != 0: i += 1
blob = entry_set('FILM.MKV', True, ts, 0x80 | 36) + entry_set('SECRET.AVI', False, ts, 0x80 | 36)
d[off + 32 * i: off + 32 * i + len(blob)] = blob
f.seek(0); f.write(d); f.close()
EOF
    python3 exfat_add.py ex.img
    fsck.exfat -n ex.img >/dev/null 2>&1; check "exfat: the test image (with added entries) is consistent" test $? = 0
    "$UNMARK" scan -q --json ex.json --volume ex.img 2>/dev/null
    check "exfat scan: serial and label" py ex.json "
v=d['files'][0]; vals={x['key']:x['value'] for x in v['findings']}
assert vals['serial']=='4567-DEF0' and vals['label']=='PREPARER', vals"
    check "exfat scan: the writer's time zone (UTC+09:00)" py ex.json "
v=d['files'][0]; x=[x for x in v['findings'] if x['key']=='time_zone'][0]
assert 'UTC+09:00' in x['value'] and x['severity']=='high', x"
    check "exfat scan: a deleted file's name" py ex.json "
v=d['files'][0]; x=[x for x in v['findings'] if x['key']=='deleted_names'][0]
assert x['examples']==['SECRET.AVI'], x"
    "$UNMARK" scrub -q --volume ex.img --new-serial 0BADCAFE --label Clean --times fixed 2>/dev/null; rc=$?
    check "exfat scrub --volume: exit 0" test "$rc" = 0
    fsck.exfat -n ex.img >/dev/null 2>&1; check "exfat after scrub: fsck.exfat -n finds nothing wrong" test $? = 0
    check "exfat after scrub: tune.exfat sees the new serial" sh -c "tune.exfat -i ex.img 2>&1 | grep -qi badcafe"
    check "exfat after scrub: backup boot region matches the main one" python3 -c "
d=open('ex.img','rb').read(); ss=1<<d[108]; assert d[:12*ss]==d[12*ss:24*ss]"
    "$UNMARK" scan -q --json ex2.json --volume ex.img 2>/dev/null
    check "exfat rescan: the new identity" py ex2.json "
v=d['files'][0]; vals={x['key']:x['value'] for x in v['findings']}
assert vals['serial']=='0BAD-CAFE' and vals['label']=='Clean', vals"
    check "exfat after scrub: the old label is nowhere in the image" python3 -c "
import sys; sys.exit('PREPARER'.encode('utf-16-le') in open('ex.img','rb').read())"
    check "exfat rescan: no time zone, no deleted name" py ex2.json "
v=d['files'][0]; keys=[x['key'] for x in v['findings']]
assert 'time_zone' not in keys and 'deleted_names' not in keys, keys"
    check "exfat after scrub: the deleted name is gone from the image" sh -c "! python3 -c \"import sys; sys.exit(0 if 'SECRET'.encode('utf-16-le') in open('ex.img','rb').read() else 1)\""
else
    skip "exfatprogs missing: exFAT tests skipped"
fi

# ---------------- NTFS ----------------
if have mkfs.ntfs && have ntfslabel && have ntfsfix; then
    truncate -s 8M nt.img && mkfs.ntfs -F -f -L PREPARER nt.img >/dev/null 2>&1 &&
        ntfslabel --new-serial=0123456789ABCDEF nt.img >/dev/null 2>&1
    "$UNMARK" scan -q --json nt.json --volume nt.img 2>/dev/null
    check "ntfs scan: serial and \$Volume label" py nt.json "
v=d['files'][0]; vals={x['key']:x['value'] for x in v['findings']}
assert vals['serial']=='0123456789ABCDEF' and vals['label']=='PREPARER', vals"
    "$UNMARK" scrub -q --volume nt.img 2>/dev/null; rc=$?
    check "ntfs scrub --volume (random serial by default): exit 1, the label is left" test "$rc" = 1
    ntfsfix -n nt.img >/dev/null 2>&1; check "ntfs after scrub: ntfsfix -n finds nothing wrong" test $? = 0
    "$UNMARK" scan -q --json nt2.json --volume nt.img 2>/dev/null
    check "ntfs rescan: a new serial" py nt2.json "
v=d['files'][0]; vals={x['key']:x['value'] for x in v['findings']}
assert vals['serial']!='0123456789ABCDEF', vals"
    "$UNMARK" scrub -q --json ntl.json --volume nt.img --label Clean 2>/dev/null; rc=$?
    check "ntfs scrub --label: exit 1, only the format date is left (it is reported, not rewritten)" py ntl.json "
v=d['files'][0]
left=[x['key'] for x in v['findings'] if not x['removable'] and x['severity']!='info']
assert v['status']=='scrubbed' and left==['formatted'], left" 
    ntfsfix -n nt.img >/dev/null 2>&1; check "ntfs after relabel: ntfsfix -n (MFT and its mirror agree)" test $? = 0
    check "ntfs after relabel: ntfslabel sees it" sh -c "ntfslabel nt.img | grep -qx Clean"
else
    skip "ntfs-3g tools missing: NTFS tests skipped"
fi

# ---------------- extended attributes and timestamps on a plain tree ----------------
mkdir -p tree/sub && for i in 1 2 3 4 5 6; do echo "file $i" > "tree/sub/f$i.txt"; done
if python3 -c "import os; os.setxattr('tree/sub/f1.txt', 'user.xdg.origin.url', b'https://example.org/f1')" 2>/dev/null; then
    "$UNMARK" scan -q --json x.json tree 2>/dev/null
    check "xattr scan: download URL reported high" py x.json "
f=[f for f in d['files'] if f['path'].endswith('f1.txt')][0]
x=[x for x in f['findings'] if x['kind']=='xattr'][0]
assert x['key']=='user.xdg.origin.url' and x['severity']=='high' and x['value']=='https://example.org/f1'"
    "$UNMARK" scrub -q --out xout tree 2>/dev/null; rc=$?
    check "xattr scrub --out: exit 0" test "$rc" = 0
    check "xattr scrub --out: the copy has no user attributes" python3 -c "
import os; assert not [a for a in os.listxattr('xout/sub/f1.txt') if a.startswith('user.')]"
    check "xattr scrub --out: the original still has them" python3 -c "
import os; assert 'user.xdg.origin.url' in os.listxattr('tree/sub/f1.txt')"
    "$UNMARK" scrub -q tree 2>/dev/null; rc=$?
    check "xattr scrub in place: exit 0" test "$rc" = 0
    check "xattr scrub in place: removed" python3 -c "
import os; assert not [a for a in os.listxattr('tree/sub/f1.txt') if a.startswith('user.')]"
else
    skip "no user extended attributes on $T's file system: xattr tests skipped"
fi
"$UNMARK" scan -q tree 2>/dev/null; rc=$?
check "times: a plain folder is not judged as a drive (exit 0)" test "$rc" = 0
"$UNMARK" scan -q --drive --json t.json tree 2>/dev/null; rc=$?
check "times scan --drive: a burst of writes is reported (exit 1)" test "$rc" = 1
check "times scan --drive: where drive, kind timestamp" py t.json "
f=[f for f in d['files'] if f['format']=='drive'][0]
x=f['findings'][0]; assert x['kind']=='timestamp' and x['where']=='drive' and x['key']=='write_burst' and x['files']==6"
"$UNMARK" scrub -q --drive --times fixed tree 2>/dev/null; rc=$?
check "times scrub --times fixed: exit 0" test "$rc" = 0
# (Listing a folder updates its access time again under relatime: check files' atime.)
check "times scrub --times fixed: every file and folder at 2000-01-01" python3 -c "
import os
for r, ds, fs in os.walk('tree'):
    for n in [r] + [os.path.join(r, x) for x in ds]:
        assert int(os.lstat(n).st_mtime) == 946684800, n
    for n in [os.path.join(r, x) for x in fs]:
        st = os.lstat(n); assert int(st.st_mtime) == 946684800 and int(st.st_atime) == 946684800, n"
"$UNMARK" scan -q --drive tree 2>/dev/null; rc=$?
check "times after --times fixed: nothing left to report (exit 0)" test "$rc" = 0
touch -d '+3 days' tree/sub/f2.txt
"$UNMARK" scan -q --drive --json t2.json tree 2>/dev/null
check "times scan --drive: a time in the future is reported" py t2.json "
f=[f for f in d['files'] if f['format']=='drive'][0]
assert any(x['key']=='future_times' for x in f['findings'])"
"$UNMARK" scrub -q --times 'fixed=2010-06-15T12:00:00Z' tree 2>/dev/null
check "times scrub --times fixed=DATE" python3 -c "
import os; assert int(os.lstat('tree/sub/f2.txt').st_mtime) == 1276603200"
mkdir mnt
if mount -t tmpfs -o size=4m tmpfs mnt 2>/dev/null; then
    MNT=$T/mnt
    for i in 1 2 3 4; do echo "$i" > "mnt/f$i"; done
    "$UNMARK" scan -q --json m.json mnt 2>/dev/null; rc=$?
    check "times: a mount point is a drive (burst reported without --drive)" sh -c "test $rc = 1 && grep -q write_burst m.json"
    umount mnt && MNT=
else
    skip "cannot mount a tmpfs: mount-point detection not tested"
fi
"$UNMARK" scan --times fixed tree 2>/dev/null; rc=$?
check "times: --times belongs to scrub (exit 2)" test "$rc" = 2
"$UNMARK" scrub --new-serial zero tree 2>/dev/null; rc=$?
check "volume: --new-serial needs --volume (exit 2)" test "$rc" = 2
python3 -c "
import struct
d = bytearray(512); struct.pack_into('<BBBBBBBBII', d, 446, 0, 0, 0, 0, 0x0c, 0, 0, 0, 2048, 80000); d[510:512] = b'\x55\xaa'
open('mbr.img', 'wb').write(bytes(d) + bytes(4096))"
"$UNMARK" scan -q --json mbr.json --volume mbr.img 2>/dev/null; rc=$?
check "volume: a whole disk is refused, naming its partition (exit 2)" py mbr.json "
assert 'partition table' in d['files'][0]['error'] and 'sector 2048' in d['files'][0]['error']"
"$UNMARK" scan -q --volume /dev/null 2>/dev/null; rc=$?
check "volume: not a volume: exit 2" test "$rc" = 2

finish
