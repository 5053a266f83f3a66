/* The classification table. A key ending in '*' matches by prefix. Keys are compared
 * case-insensitively. Keep each namespace's rows together, in its own section. */
#include <pthread.h>
#include <string.h>
#include <strings.h>

#include "classify.h"

#define DEV UM_K_DEVICE_ID
#define LOC UM_K_LOCATION
#define MOD UM_K_DEVICE_MODEL
#define SW UM_K_SOFTWARE
#define PER UM_K_PERSON
#define TIM UM_K_TIMESTAMP
#define DOC UM_K_DOCUMENT_ID
#define TXT UM_K_CONTENT
#define H UM_SEV_HIGH
#define M UM_SEV_MEDIUM
#define L UM_SEV_LOW

static const struct row {
    const char *ns, *key;
    enum um_kind kind;
    enum um_severity sev;
} rows[] = {
    /* ---- exif (TIFF/EXIF tag names as in the EXIF 2.32 and TIFF 6 specs) ---- */
    { "exif", "BodySerialNumber", DEV, H }, { "exif", "CameraSerialNumber", DEV, H },
    { "exif", "SerialNumber", DEV, H }, { "exif", "InternalSerialNumber", DEV, H },
    { "exif", "LensSerialNumber", DEV, H }, { "exif", "ImageUniqueID", DEV, H },
    { "exif", "CameraOwnerName", DEV, H }, { "exif", "OwnerName", DEV, H },
    { "exif", "GPS*", LOC, H },
    { "exif", "Make", MOD, M }, { "exif", "Model", MOD, M }, { "exif", "LensMake", MOD, M },
    { "exif", "LensModel", MOD, M }, { "exif", "UniqueCameraModel", MOD, M },
    { "exif", "LensSpecification", MOD, L }, { "exif", "MakerNote", DEV, H },
    { "exif", "Software", SW, L }, { "exif", "ProcessingSoftware", SW, L }, { "exif", "HostComputer", MOD, M },
    { "exif", "Artist", PER, M }, { "exif", "Copyright", PER, M }, { "exif", "XPAuthor", PER, M },
    { "exif", "DateTime", TIM, L }, { "exif", "DateTimeOriginal", TIM, L },
    { "exif", "DateTimeDigitized", TIM, L }, { "exif", "OffsetTime*", TIM, L },
    { "exif", "SubSecTime*", TIM, L }, { "exif", "PreviewDateTime", TIM, L },
    { "exif", "ImageDescription", TXT, L }, { "exif", "UserComment", TXT, L },
    { "exif", "XPTitle", TXT, L }, { "exif", "XPComment", TXT, L }, { "exif", "XPKeywords", TXT, L },
    { "exif", "XPSubject", TXT, L }, { "exif", "DocumentName", TXT, L }, { "exif", "PageName", TXT, L },
    { "exif", "LocalizedCameraModel", MOD, M }, { "exif", "IPTC-NAA", TXT, L },
    { "exif", "PhotoshopSettings", TXT, L }, { "exif", "ImageHistory", TXT, L },
    { "exif", "ImageTitle", TXT, L }, { "exif", "Photographer", PER, M }, { "exif", "ImageEditor", PER, M },
    { "exif", "CameraFirmware", SW, L }, { "exif", "RAWDevelopingSoftware", SW, L },
    { "exif", "ImageEditingSoftware", SW, L }, { "exif", "MetadataEditingSoftware", SW, L },

    /* ---- xmp (property local names; prefixes as usually bound) ---- */
    { "xmp", "exif:GPS*", LOC, H }, { "xmp", "exifEX:BodySerialNumber", DEV, H },
    { "xmp", "aux:SerialNumber", DEV, H }, { "xmp", "aux:LensSerialNumber", DEV, H },
    { "xmp", "exifEX:LensSerialNumber", DEV, H }, { "xmp", "exif:ImageUniqueID", DEV, H },
    { "xmp", "exifEX:CameraOwnerName", DEV, H }, { "xmp", "aux:OwnerName", DEV, H },
    { "xmp", "tiff:Make", MOD, M }, { "xmp", "tiff:Model", MOD, M }, { "xmp", "aux:Lens*", MOD, M },
    { "xmp", "exifEX:Lens*", MOD, M },
    { "xmp", "xmp:CreatorTool", SW, L }, { "xmp", "tiff:Software", SW, L }, { "xmp", "pdf:Producer", SW, L },
    { "xmp", "stEvt:softwareAgent", SW, L },
    { "xmp", "dc:creator", PER, M }, { "xmp", "dc:rights", PER, M }, { "xmp", "dc:publisher", PER, M },
    { "xmp", "dc:contributor", PER, M }, { "xmp", "tiff:Artist", PER, M }, { "xmp", "photoshop:AuthorsPosition", PER, M },
    { "xmp", "photoshop:Credit", PER, M }, { "xmp", "xmpRights:Owner", PER, M }, { "xmp", "Iptc4xmpCore:CreatorContactInfo", PER, M },
    { "xmp", "photoshop:City", LOC, H }, { "xmp", "photoshop:State", LOC, H }, { "xmp", "photoshop:Country", LOC, H },
    { "xmp", "Iptc4xmpCore:Location", LOC, H }, { "xmp", "Iptc4xmpExt:LocationCreated", LOC, H },
    { "xmp", "xmp:CreateDate", TIM, L }, { "xmp", "xmp:ModifyDate", TIM, L }, { "xmp", "xmp:MetadataDate", TIM, L },
    { "xmp", "exif:DateTimeOriginal", TIM, L }, { "xmp", "exif:DateTimeDigitized", TIM, L },
    { "xmp", "photoshop:DateCreated", TIM, L }, { "xmp", "stEvt:when", TIM, L },
    { "xmp", "xmpMM:DocumentID", DOC, M }, { "xmp", "xmpMM:InstanceID", DOC, M },
    { "xmp", "xmpMM:OriginalDocumentID", DOC, M }, { "xmp", "stRef:documentID", DOC, M },
    { "xmp", "stRef:instanceID", DOC, M }, { "xmp", "stEvt:instanceID", DOC, M },
    { "xmp", "dc:title", TXT, L }, { "xmp", "dc:description", TXT, L }, { "xmp", "dc:subject", TXT, L },
    { "xmp", "exif:UserComment", TXT, L },
    { "xmp", "x:xmptk", SW, L }, { "xmp", "xmp:CreatorTool", SW, L }, { "xmp", "exifEX:BodySerialNumber", DEV, H },
    { "xmp", "exif:ImageUniqueID", DEV, H }, { "xmp", "exifEX:ImageUniqueID", DEV, H },
    { "xmp", "exif:GPS*", LOC, H }, { "xmp", "exifEX:GPS*", LOC, H }, { "xmp", "Iptc4xmpExt:LocationShown", LOC, H },
    { "xmp", "photoshop:Source", PER, M }, { "xmp", "photoshop:CaptionWriter", PER, M },
    { "xmp", "photoshop:Headline", TXT, L }, { "xmp", "photoshop:Instructions", TXT, L },
    { "xmp", "photoshop:TransmissionReference", TXT, L }, { "xmp", "xmpMM:DerivedFrom", DOC, M },
    { "xmp", "xmpMM:PreservedFileName", TXT, L }, { "xmp", "xmpRights:WebStatement", PER, M },
    { "xmp", "xmpRights:UsageTerms", PER, M }, { "xmp", "exif:DateTime*", TIM, L },
    { "xmp", "tiff:DateTime", TIM, L }, { "xmp", "tiff:ImageDescription", TXT, L }, { "xmp", "tiff:Copyright", PER, M },
    { "xmp", "aux:Firmware", SW, L }, { "xmp", "aux:ImageNumber", DEV, H }, { "xmp", "xmpMM:History", DOC, M },
    { "xmp", "GCamera:*", DEV, H }, { "xmp", "photoshop:History", TXT, L }, { "xmp", "dc:source", TXT, L },
    { "xmp", "xmp:Author", PER, M }, { "xmp", "xmp:Label", TXT, L }, { "xmp", "xmp:Nickname", PER, M },
    { "xmp", "pdf:Author", PER, M }, { "xmp", "pdf:Keywords", TXT, L },

    /* ---- iptc (IIM dataset names) ---- */
    { "iptc", "By-line", PER, M }, { "iptc", "By-lineTitle", PER, M }, { "iptc", "Credit", PER, M },
    { "iptc", "CopyrightNotice", PER, M }, { "iptc", "Contact", PER, M }, { "iptc", "Writer-Editor", PER, M },
    { "iptc", "City", LOC, H }, { "iptc", "Sub-location", LOC, H }, { "iptc", "Province-State", LOC, H },
    { "iptc", "Country-PrimaryLocationName", LOC, H }, { "iptc", "Country-PrimaryLocationCode", LOC, H },
    { "iptc", "DateCreated", TIM, L }, { "iptc", "TimeCreated", TIM, L }, { "iptc", "DigitalCreationDate", TIM, L },
    { "iptc", "OriginatingProgram", SW, L }, { "iptc", "Caption-Abstract", TXT, L }, { "iptc", "ObjectName", TXT, L },
    { "iptc", "Keywords", TXT, L }, { "iptc", "Headline", TXT, L }, { "iptc", "*", TXT, L },
    { "iptc", "ProgramVersion", SW, L }, { "iptc", "DigitalCreationTime", TIM, L },
    { "iptc", "ContentLocationName", LOC, H }, { "iptc", "ContentLocationCode", LOC, H },
    { "iptc", "Source", PER, M },

    /* ---- png (tEXt/zTXt/iTXt keywords, PNG 1.2 and the 'extensions' list) ---- */
    { "png", "Author", PER, M }, { "png", "Copyright", PER, M }, { "png", "Disclaimer", TXT, L },
    { "png", "Software", SW, L }, { "png", "Source", MOD, M }, { "png", "Creation Time", TIM, L },
    { "png", "tIME", TIM, L }, { "png", "Title", TXT, L }, { "png", "Description", TXT, L },
    { "png", "Comment", TXT, L }, { "png", "Warning", TXT, L }, { "png", "*", TXT, L },
    { "png", "Raw profile type *", DEV, H }, { "png", "date:*", TIM, L },
    { "png", "Make", MOD, M }, { "png", "Model", MOD, M },

    /* ---- quicktime (udta atoms, ilst items, mdta keys) ---- */
    { "quicktime", "\xc2\xa9xyz", LOC, H }, { "quicktime", "loci", LOC, H },
    { "quicktime", "com.apple.quicktime.location*", LOC, H }, { "quicktime", "location*", LOC, H },
    { "quicktime", "com.android.capture.gps*", LOC, H },
    { "quicktime", "com.apple.quicktime.make", MOD, M }, { "quicktime", "com.apple.quicktime.model", MOD, M },
    { "quicktime", "com.apple.quicktime.software", SW, L }, { "quicktime", "com.apple.quicktime.creationdate", TIM, L },
    { "quicktime", "com.apple.quicktime.content.identifier", DEV, H },
    { "quicktime", "com.apple.quicktime.camera.*", MOD, M }, { "quicktime", "com.android.manufacturer", MOD, M },
    { "quicktime", "com.android.model", MOD, M }, { "quicktime", "com.android.version", SW, L },
    { "quicktime", "*serial*", DEV, H }, { "quicktime", "*uuid*", DEV, H },
    { "quicktime", "\xc2\xa9mak", MOD, M }, { "quicktime", "\xc2\xa9mod", MOD, M }, { "quicktime", "\xc2\xa9swr", SW, L },
    { "quicktime", "\xc2\xa9too", SW, L }, { "quicktime", "\xc2\xa9" "enc", SW, L }, { "quicktime", "\xc2\xa9" "fmt", SW, L },
    { "quicktime", "\xc2\xa9" "ART", PER, M }, { "quicktime", "aART", PER, M }, { "quicktime", "\xc2\xa9" "aut", PER, M },
    { "quicktime", "\xc2\xa9wrt", PER, M }, { "quicktime", "cprt", PER, M }, { "quicktime", "\xc2\xa9" "cpy", PER, M },
    { "quicktime", "ownr", PER, M }, { "quicktime", "apID", PER, H },
    { "quicktime", "\xc2\xa9" "day", TIM, L }, { "quicktime", "creation_time", TIM, L },
    { "quicktime", "mvhd", TIM, L }, { "quicktime", "tkhd", TIM, L }, { "quicktime", "mdhd", TIM, L },
    { "quicktime", "\xc2\xa9nam", TXT, L }, { "quicktime", "\xc2\xa9" "cmt", TXT, L }, { "quicktime", "\xc2\xa9" "des", TXT, L },
    { "quicktime", "desc", TXT, L }, { "quicktime", "\xc2\xa9" "alb", TXT, L }, { "quicktime", "\xc2\xa9inf", TXT, L },
    { "quicktime", "artist", PER, M }, { "quicktime", "author", PER, M }, { "quicktime", "title", TXT, L },
    { "quicktime", "comment", TXT, L }, { "quicktime", "make", MOD, M }, { "quicktime", "model", MOD, M },
    { "quicktime", "software", SW, L }, { "quicktime", "encoder", SW, L },
    { "quicktime", "XMP_", DOC, M }, { "quicktime", "uuid-xmp", DOC, M }, { "quicktime", "Exif", MOD, M },
    { "quicktime", "compressorname", SW, L }, { "quicktime", "handler_name", SW, L },
    { "quicktime", "prft", TIM, L }, { "quicktime", "camm", LOC, H }, { "quicktime", "gpmd", LOC, H },
    { "quicktime", "mebx", DEV, M }, { "quicktime", "mebx.location", LOC, H },
    { "quicktime", "tmcd", TIM, L }, { "quicktime", "timed-metadata", DEV, M },
    { "quicktime", "auth", PER, M }, { "quicktime", "perf", PER, M }, { "quicktime", "yrrc", TIM, L },
    { "quicktime", "titl", TXT, L }, { "quicktime", "dscp", TXT, L },
    /* Camera makers' udta atoms: GoPro (firmware, camera and media ids), Canon,
     * Nikon and Pentax maker data, Samsung. */
    { "quicktime", "FIRM", SW, L }, { "quicktime", "CAME", DEV, H }, { "quicktime", "MUID", DEV, H },
    { "quicktime", "GUMI", DEV, H }, { "quicktime", "GPMF", DEV, H }, { "quicktime", "LENS", MOD, M },
    { "quicktime", "CNCV", SW, L },
    { "quicktime", "CNMN", MOD, M }, { "quicktime", "NCDT", DEV, H }, { "quicktime", "PENT", DEV, H },
    { "quicktime", "smta", DEV, M }, { "quicktime", "SDLN", DEV, M },
    { "quicktime", "xml.serial", DEV, H }, { "quicktime", "xml.device", MOD, M },
    { "quicktime", "*location*", LOC, H }, { "quicktime", "*gps*", LOC, H },
    { "quicktime", "*author*", PER, M }, { "quicktime", "*artist*", PER, M },
    { "quicktime", "*copyright*", PER, M }, { "quicktime", "*owner*", PER, M },
    { "quicktime", "*model*", MOD, M }, { "quicktime", "*make*", MOD, M },
    { "quicktime", "*software*", SW, L }, { "quicktime", "*encoder*", SW, L },
    { "quicktime", "*date*", TIM, L },
    /* Any other udta atom, ilst item or mdta key is a tag: someone wrote it. The
     * handler leaves out the few that are structure (chapters, hint information). */
    { "quicktime", "*", TXT, L },

    /* ---- mkv (Matroska elements and tag names, matroska.org spec) ---- */
    { "mkv", "SegmentUID", DEV, H }, { "mkv", "PrevUID", DEV, H }, { "mkv", "NextUID", DEV, H },
    { "mkv", "SegmentFamily", DEV, H }, { "mkv", "DateUTC", TIM, L }, { "mkv", "MuxingApp", SW, L },
    { "mkv", "WritingApp", SW, L }, { "mkv", "Title", TXT, L }, { "mkv", "ChapString", TXT, L },
    { "mkv", "AttachedFile", TXT, L }, { "mkv", "FileDescription", TXT, L }, { "mkv", "FileName", TXT, L },
    { "mkv", "ARTIST", PER, M }, { "mkv", "LEAD_PERFORMER", PER, M }, { "mkv", "COMPOSER", PER, M },
    { "mkv", "DIRECTOR", PER, M }, { "mkv", "PRODUCER", PER, M }, { "mkv", "ENCODED_BY", PER, M },
    { "mkv", "COPYRIGHT", PER, M }, { "mkv", "PUBLISHER", PER, M }, { "mkv", "MAKE", MOD, M },
    { "mkv", "MODEL", MOD, M }, { "mkv", "SERIAL*", DEV, H }, { "mkv", "*SERIAL*", DEV, H },
    { "mkv", "LOCATION", LOC, H }, { "mkv", "RECORDING_LOCATION", LOC, H }, { "mkv", "COMPOSITION_LOCATION", LOC, H },
    { "mkv", "GPS*", LOC, H }, { "mkv", "DATE_*", TIM, L }, { "mkv", "ENCODER", SW, L },
    { "mkv", "ENCODER_SETTINGS", SW, L }, { "mkv", "SOFTWARE", SW, L }, { "mkv", "COMMENT", TXT, L },
    { "mkv", "DESCRIPTION", TXT, L }, { "mkv", "TITLE", TXT, L },
    { "mkv", "_STATISTICS_WRITING_APP", SW, L }, { "mkv", "_STATISTICS_WRITING_DATE_UTC", TIM, L },
    { "mkv", "HANDLER_NAME", SW, L }, { "mkv", "VENDOR_ID", SW, L }, { "mkv", "DATE", TIM, L },
    { "mkv", "CREATION_TIME", TIM, L }, { "mkv", "ENCODING_TOOL", SW, L },
    { "mkv", "*_DATE*", TIM, L }, { "mkv", "*", TXT, L },

    /* ---- id3 (ID3v2.3/2.4 frame ids, ID3v1 fields, APE keys) ---- */
    { "id3", "PRIV", DEV, H }, { "id3", "UFID", DEV, H }, { "id3", "GEOB", TXT, L },
    { "id3", "TXXX", TXT, L }, { "id3", "WXXX", TXT, L }, { "id3", "WOAR", PER, M },
    { "id3", "TPE1", PER, M }, { "id3", "TPE2", PER, M }, { "id3", "TPE3", PER, M }, { "id3", "TPE4", PER, M },
    { "id3", "TCOM", PER, M }, { "id3", "TEXT", PER, M }, { "id3", "TOLY", PER, M }, { "id3", "TOPE", PER, M },
    { "id3", "TCOP", PER, M }, { "id3", "TPUB", PER, M }, { "id3", "TOWN", PER, M }, { "id3", "TENC", PER, M },
    { "id3", "TSSE", SW, L }, { "id3", "TYER", TIM, L }, { "id3", "TDAT", TIM, L }, { "id3", "TIME", TIM, L },
    { "id3", "TDRC", TIM, L }, { "id3", "TDEN", TIM, L }, { "id3", "TDRL", TIM, L }, { "id3", "TDTG", TIM, L },
    { "id3", "TORY", TIM, L }, { "id3", "TDOR", TIM, L },
    { "id3", "COMM", TXT, L }, { "id3", "USLT", TXT, L }, { "id3", "TIT1", TXT, L }, { "id3", "TIT2", TXT, L },
    { "id3", "TIT3", TXT, L }, { "id3", "TALB", TXT, L }, { "id3", "APIC", TXT, L },
    /* TXXX/WXXX are keyed "TXXX:<description>": ffmpeg and taggers put location, make,
     * model and serial numbers there. Patterns: the first match wins, so these precede T*. */
    { "id3", "TXXX:*location*", LOC, H }, { "id3", "TXXX:*gps*", LOC, H }, { "id3", "TXXX:*serial*", DEV, H },
    { "id3", "TXXX:*uuid*", DEV, H }, { "id3", "TXXX:make", MOD, M }, { "id3", "TXXX:model", MOD, M },
    { "id3", "TXXX:*software*", SW, L }, { "id3", "TXXX:*encoder*", SW, L }, { "id3", "TXXX:*encoded*", PER, M },
    { "id3", "TXXX:*artist*", PER, M }, { "id3", "TXXX:*author*", PER, M }, { "id3", "TXXX:*copyright*", PER, M },
    { "id3", "TXXX:*time*", TIM, L }, { "id3", "TXXX:*date*", TIM, L },
    { "id3", "POPM", PER, M }, { "id3", "OWNE", PER, M }, { "id3", "USER", PER, M }, { "id3", "COMR", PER, M },
    { "id3", "MCDI", DOC, M }, { "id3", "SIGN", DEV, H }, { "id3", "LINK", TXT, L }, { "id3", "SYLT", TXT, L }, { "id3", "lyrics3", TXT, L },
    { "id3", "T*", TXT, L },
    { "id3", "W*", TXT, L },
    { "id3", "v1.artist", PER, M }, { "id3", "v1.year", TIM, L }, { "id3", "v1.title", TXT, L },
    { "id3", "v1.album", TXT, L }, { "id3", "v1.comment", TXT, L },
    { "id3", "ape.Artist", PER, M }, { "id3", "ape.Year", TIM, L }, { "id3", "ape.*", TXT, L },

    /* ---- vorbis (Vorbis comment field names, case-insensitive) ---- */
    { "vorbis", "vendor", SW, L }, { "vorbis", "ENCODER", SW, L }, { "vorbis", "ENCODED_BY", PER, M },
    { "vorbis", "ARTIST", PER, M }, { "vorbis", "PERFORMER", PER, M }, { "vorbis", "COMPOSER", PER, M },
    { "vorbis", "COPYRIGHT", PER, M }, { "vorbis", "ORGANIZATION", PER, M }, { "vorbis", "CONTACT", PER, M },
    { "vorbis", "DATE", TIM, L }, { "vorbis", "CREATION_TIME", TIM, L }, { "vorbis", "LOCATION", LOC, H },
    { "vorbis", "GPS*", LOC, H }, { "vorbis", "MAKE", MOD, M }, { "vorbis", "MODEL", MOD, M },
    { "vorbis", "*SERIAL*", DEV, H }, { "vorbis", "SOFTWARE", SW, L }, { "vorbis", "METADATA_BLOCK_PICTURE", TXT, L },
    { "vorbis", "*", TXT, L },

    /* ---- riff (LIST/INFO ids, bext fields, AVI chunks) ---- */
    { "riff", "IART", PER, M }, { "riff", "ICOP", PER, M }, { "riff", "IENG", PER, M }, { "riff", "ITCH", PER, M },
    { "riff", "ICMS", PER, M }, { "riff", "ISFT", SW, L }, { "riff", "ICRD", TIM, L }, { "riff", "IDIT", TIM, L },
    { "riff", "IPRD", TXT, L }, { "riff", "INAM", TXT, L }, { "riff", "ICMT", TXT, L }, { "riff", "ISBJ", TXT, L },
    { "riff", "IKEY", TXT, L }, { "riff", "ISRC", PER, M }, { "riff", "IARL", LOC, H }, { "riff", "ISMP", TIM, L },
    { "riff", "strd", DEV, H }, { "riff", "bext.Originator", PER, M }, { "riff", "bext.OriginatorReference", DEV, H },
    { "riff", "bext.OriginationDate", TIM, L }, { "riff", "bext.OriginationTime", TIM, L },
    { "riff", "bext.Description", TXT, L }, { "riff", "bext.UMID", DEV, H }, { "riff", "bext.CodingHistory", SW, L },
    { "riff", "iXML", DEV, H }, { "riff", "_PMX", DOC, M }, { "riff", "bext.TimeReference", TIM, L },
    { "riff", "strn", TXT, L }, { "riff", "axml", DOC, M }, { "riff", "cart", TXT, L },
    { "riff", "DISP", TXT, L }, { "riff", "umid", DEV, H },
    { "riff", "exif.ecor", MOD, M }, { "riff", "exif.emdl", MOD, M }, { "riff", "exif.emnt", DEV, H },
    { "riff", "exif.edat", TIM, L }, { "riff", "exif.etim", TIM, L }, { "riff", "exif.eucm", TXT, L },
    { "riff", "exif.*", TXT, L }, { "riff", "ncdt.*", MOD, M }, { "riff", "I*", TXT, L },

    /* ---- asf (content description, extended content description, file id) ---- */
    { "asf", "FileID", DEV, H }, { "asf", "CreationDate", TIM, L }, { "asf", "Author", PER, M },
    { "asf", "Copyright", PER, M }, { "asf", "Title", TXT, L }, { "asf", "Description", TXT, L },
    { "asf", "Rating", TXT, L }, { "asf", "WM/EncodingSettings", SW, L }, { "asf", "WM/ToolName", SW, L },
    { "asf", "WM/ToolVersion", SW, L }, { "asf", "WM/EncodedBy", PER, M }, { "asf", "WM/Composer", PER, M },
    { "asf", "WM/AlbumArtist", PER, M }, { "asf", "WM/Year", TIM, L }, { "asf", "WM/EncodingTime", TIM, L },
    { "asf", "WM/MediaClassPrimaryID", DOC, M }, { "asf", "WM/WMCollectionID", DOC, M },
    { "asf", "WM/Picture", TXT, L }, { "asf", "WM/MediaOriginalChannel", LOC, M },
    { "asf", "WM/MediaStationName", LOC, M }, { "asf", "WM/UniqueFileIdentifier", DOC, M },
    { "asf", "WM/ProviderStyle", TXT, L }, { "asf", "WM/*", TXT, L },
    /* Free-form names that recorders and muxers (ffmpeg: any -metadata key) write. */
    { "asf", "*serial*", DEV, H }, { "asf", "*uuid*", DEV, H }, { "asf", "*location*", LOC, H },
    { "asf", "*gps*", LOC, H }, { "asf", "make", MOD, M }, { "asf", "model", MOD, M },
    { "asf", "*software*", SW, L }, { "asf", "encoder", SW, L }, { "asf", "encoded_by", PER, M },
    { "asf", "artist", PER, M }, { "asf", "creation_time", TIM, L }, { "asf", "date", TIM, L },
    { "asf", "comment", TXT, L }, { "asf", "title", TXT, L }, { "asf", "BannerImageURL", TXT, L },
    { "asf", "CopyrightURL", PER, M },

    /* ---- realmedia (CONT strings; logical-fileinfo properties as RealProducer names them) ---- */
    { "realmedia", "title", TXT, L }, { "realmedia", "author", PER, M }, { "realmedia", "copyright", PER, M },
    { "realmedia", "comment", TXT, L }, { "realmedia", "Generated By", SW, L },
    { "realmedia", "Creation Date", TIM, L }, { "realmedia", "Modification Date", TIM, L },
    { "realmedia", "Description", TXT, L }, { "realmedia", "Keywords", TXT, L }, { "realmedia", "Abstract", TXT, L },
    { "realmedia", "*serial*", DEV, H }, { "realmedia", "*gps*", LOC, H }, { "realmedia", "*location*", LOC, H },
    { "realmedia", "*date*", TIM, L }, { "realmedia", "*", TXT, L },

    /* ---- pdf (Info dictionary keys, trailer /ID) ---- */
    { "pdf", "Author", PER, M }, { "pdf", "Creator", SW, L }, { "pdf", "Producer", SW, L },
    { "pdf", "CreationDate", TIM, L }, { "pdf", "ModDate", TIM, L }, { "pdf", "Title", TXT, L },
    { "pdf", "Subject", TXT, L }, { "pdf", "Keywords", TXT, L }, { "pdf", "ID", DOC, M },
    { "pdf", "Application", SW, L }, { "pdf", "Annot.T", PER, M }, { "pdf", "Annot.M", TIM, L },
    { "pdf", "Annot.CreationDate", TIM, L }, { "pdf", "Company", PER, M }, { "pdf", "SourceModified", TIM, L },
    { "pdf", "*Serial*", DEV, H }, { "pdf", "*Make*", MOD, M }, { "pdf", "*Model*", MOD, M }, { "pdf", "*", TXT, L },

    /* ---- ooxml (docProps/core.xml, app.xml, custom.xml; rsids in the word/ parts) ---- */
    { "ooxml", "dc:creator", PER, M }, { "ooxml", "cp:lastModifiedBy", PER, M }, { "ooxml", "Company", PER, M },
    { "ooxml", "Manager", PER, M }, { "ooxml", "dcterms:created", TIM, L }, { "ooxml", "dcterms:modified", TIM, L },
    { "ooxml", "cp:lastPrinted", TIM, L }, { "ooxml", "Application", SW, L }, { "ooxml", "AppVersion", SW, L },
    { "ooxml", "Template", TXT, L }, { "ooxml", "dc:title", TXT, L }, { "ooxml", "dc:subject", TXT, L },
    { "ooxml", "dc:description", TXT, L }, { "ooxml", "cp:keywords", TXT, L }, { "ooxml", "cp:revision", TXT, L },
    { "ooxml", "w:rsid*", DEV, H }, { "ooxml", "rsid", DEV, H }, { "ooxml", "w14:paraId", DOC, M },
    { "ooxml", "w15:person", PER, M }, { "ooxml", "w:author", PER, M }, { "ooxml", "w:initials", PER, M },
    { "ooxml", "w:date", TIM, L }, { "ooxml", "w:nsid", DOC, M }, { "ooxml", "w14:docId", DOC, M },
    { "ooxml", "w15:docId", DOC, M }, { "ooxml", "w15:presenceInfo", PER, H }, { "ooxml", "x15ac:absPath", PER, M },
    { "ooxml", "author", PER, M }, { "ooxml", "TotalTime", TIM, L }, { "ooxml", "HyperlinkBase", TXT, L }, { "ooxml", "TitlesOfParts", TXT, L }, { "ooxml", "rels:Target", PER, M },
    { "ooxml", "dc:identifier", DOC, M }, { "ooxml", "cp:category", TXT, L }, { "ooxml", "cp:contentStatus", TXT, L },
    { "ooxml", "cp:version", TXT, L },
    { "ooxml", "custom:*serial*", DEV, H }, { "ooxml", "custom:*device*", DEV, H }, { "ooxml", "custom:*imei*", DEV, H },
    { "ooxml", "custom:*gps*", LOC, H }, { "ooxml", "custom:*location*", LOC, H }, { "ooxml", "custom:*author*", PER, M },
    { "ooxml", "custom:*owner*", PER, M }, { "ooxml", "custom:*date*", TIM, L }, { "ooxml", "custom:*", TXT, L },

    /* ---- odf (meta.xml) ---- */
    { "odf", "meta:initial-creator", PER, M }, { "odf", "dc:creator", PER, M }, { "odf", "meta:creation-date", TIM, L },
    { "odf", "dc:date", TIM, L }, { "odf", "meta:generator", SW, L }, { "odf", "meta:printed-by", PER, M },
    { "odf", "meta:print-date", TIM, L }, { "odf", "dc:title", TXT, L }, { "odf", "dc:subject", TXT, L },
    { "odf", "dc:description", TXT, L }, { "odf", "meta:keyword", TXT, L },
    { "odf", "meta:user-defined:*serial*", DEV, H }, { "odf", "meta:user-defined:*device*", DEV, H },
    { "odf", "meta:user-defined:*imei*", DEV, H }, { "odf", "meta:user-defined:*gps*", LOC, H },
    { "odf", "meta:user-defined:*location*", LOC, H }, { "odf", "meta:user-defined:*author*", PER, M },
    { "odf", "meta:user-defined:*owner*", PER, M }, { "odf", "meta:user-defined:*date*", TIM, L },
    { "odf", "meta:user-defined*", TXT, L }, { "odf", "config:PrinterName", MOD, M },
    { "odf", "config:PrinterSetup", MOD, M }, { "odf", "config:PrintFaxName", MOD, M },
    { "odf", "meta:editing-duration", TIM, L }, { "odf", "meta:editing-cycles", TXT, L }, { "odf", "meta:template", PER, M },

    /* ---- av (libavformat's generic metadata keys, any container) ---- */
    { "av", "location*", LOC, H }, { "av", "*gps*", LOC, H }, { "av", "com.apple.quicktime.location*", LOC, H },
    { "av", "*serial*", DEV, H }, { "av", "*uuid*", DEV, H }, { "av", "com.apple.quicktime.content.identifier", DEV, H },
    { "av", "make", MOD, M }, { "av", "model", MOD, M }, { "av", "com.apple.quicktime.make", MOD, M },
    { "av", "com.apple.quicktime.model", MOD, M }, { "av", "com.android.model", MOD, M },
    { "av", "com.android.manufacturer", MOD, M }, { "av", "encoder", SW, L }, { "av", "encoded_by", PER, M },
    { "av", "software", SW, L }, { "av", "com.apple.quicktime.software", SW, L }, { "av", "handler_name", SW, L },
    { "av", "vendor_id", SW, L }, { "av", "artist", PER, M }, { "av", "album_artist", PER, M },
    { "av", "author", PER, M }, { "av", "composer", PER, M }, { "av", "performer", PER, M },
    { "av", "copyright", PER, M }, { "av", "publisher", PER, M }, { "av", "creation_time", TIM, L },
    { "av", "date*", TIM, L }, { "av", "com.apple.quicktime.creationdate", TIM, L },
    { "av", "title", TXT, L }, { "av", "comment", TXT, L }, { "av", "description", TXT, L },
    { "av", "synopsis", TXT, L }, { "av", "album", TXT, L },
    /* MPEG-TS service descriptors, MXF identification sets and package UMIDs (a UMID
     * may embed the recorder's MAC address; SMPTE 330M) */
    { "av", "service_provider", MOD, M }, { "av", "service_name", TXT, L },
    { "av", "*umid*", DEV, H }, { "av", "uid", DOC, M }, { "av", "generation_uid", DOC, M },
    { "av", "product_uid", SW, L }, { "av", "company_name", MOD, M }, { "av", "product_name", MOD, M },
    { "av", "product_version*", SW, L }, { "av", "toolkit_version*", SW, L },
    { "av", "application_platform", SW, L }, { "av", "modification_date", TIM, L },
    { "av", "*", TXT, L },
};

#undef DEV
#undef LOC
#undef MOD
#undef SW
#undef PER
#undef TIM
#undef DOC
#undef TXT
#undef H
#undef M
#undef L

/* Glob with '*' anywhere, case-insensitive. */
static bool match(const char *pat, const char *s)
{
    if (!*pat) return !*s;
    if (*pat == '*') {
        for (;; s++) {
            if (match(pat + 1, s)) return true;
            if (!*s) return false;
        }
    }
    char a = *pat, b = *s;
    if (a >= 'A' && a <= 'Z') a = (char)(a + 32);
    if (b >= 'A' && b <= 'Z') b = (char)(b + 32);
    return *s && a == b && match(pat + 1, s + 1);
}

/* Where each namespace's rows are: the table keeps each namespace together, so a
 * lookup scans only its own section (built once; the table never changes). */
#define NS_MAX 32
static struct { const char *ns; size_t from, to; } sections[NS_MAX];
static size_t nsections;
static pthread_once_t sections_once = PTHREAD_ONCE_INIT;

static void index_sections(void)
{
    for (size_t i = 0; i < sizeof rows / sizeof *rows; i++) {
        if (nsections && strcmp(sections[nsections - 1].ns, rows[i].ns) == 0) {
            sections[nsections - 1].to = i + 1;
            continue;
        }
        if (nsections == NS_MAX) break;
        sections[nsections].ns = rows[i].ns;
        sections[nsections].from = i;
        sections[nsections].to = i + 1;
        nsections++;
    }
}

bool um_classify(const char *ns, const char *key, struct um_class *out)
{
    pthread_once(&sections_once, index_sections);
    /* Exact rows win over patterns, so order within a namespace matters only among
     * patterns: the first matching pattern row is taken. A namespace split into two
     * sections is still searched whole. */
    const struct row *pattern = NULL;
    for (size_t sct = 0; sct < nsections; sct++) {
        if (strcmp(sections[sct].ns, ns) != 0) continue;
        for (size_t i = sections[sct].from; i < sections[sct].to; i++) {
            if (!strchr(rows[i].key, '*')) {
                if (strcasecmp(rows[i].key, key) == 0) {
                    out->kind = rows[i].kind;
                    out->severity = rows[i].sev;
                    return true;
                }
            } else if (!pattern && match(rows[i].key, key)) {
                pattern = &rows[i];
            }
        }
    }
    if (!pattern) return false;
    out->kind = pattern->kind;
    out->severity = pattern->sev;
    return true;
}

