// Package contentkind classifies file content (image, video, document, ...)
// from its first bytes and its name's extension.
//
// # Codes
//
// A [Kind] is stored as a small INTEGER with a lookup table of names. The
// codes are the ones the system filedex's design came from uses for its
// ContentKind (spacedriveapp/spacedrive, core/src/domain/content_identity.rs),
// so libraries can be compared kind for kind. Codes never change meaning;
// new kinds get new codes. [All] lists every kind for the migration's lookup
// table and its test.
//
// # Detection
//
// Magic bytes come first, via github.com/gabriel-vasile/mimetype, from the
// head bytes the content id already read (see cas.IDHead): no second read.
// The extension decides when the bytes say little: plain text (source code,
// configuration), no signature at all, or a container format that many kinds
// share (a ZIP may be an archive, a package or a book; XML and JSON may be
// configuration or data).
package contentkind

import (
	"bytes"
	"strings"

	"github.com/gabriel-vasile/mimetype"
)

// Kind is a content kind. The zero value is [Unknown].
type Kind uint8

// Content kinds, with their stable codes.
const (
	Unknown      Kind = 0
	Image        Kind = 1
	Video        Kind = 2
	Audio        Kind = 3
	Document     Kind = 4
	Archive      Kind = 5
	Code         Kind = 6
	Text         Kind = 7
	Database     Kind = 8
	Book         Kind = 9
	Font         Kind = 10
	Mesh         Kind = 11
	Config       Kind = 12
	Encrypted    Kind = 13
	Key          Kind = 14
	Executable   Kind = 15
	Binary       Kind = 16
	Spreadsheet  Kind = 17
	Presentation Kind = 18
	Email        Kind = 19
	Calendar     Kind = 20
	Contact      Kind = 21
	Web          Kind = 22
	Shortcut     Kind = 23
	Package      Kind = 24
	// ModelEntry is kept so the codes match the original system's; filedex
	// never detects it.
	ModelEntry Kind = 25
)

var names = [...]string{
	Unknown: "unknown", Image: "image", Video: "video", Audio: "audio",
	Document: "document", Archive: "archive", Code: "code", Text: "text",
	Database: "database", Book: "book", Font: "font", Mesh: "mesh",
	Config: "config", Encrypted: "encrypted", Key: "key",
	Executable: "executable", Binary: "binary", Spreadsheet: "spreadsheet",
	Presentation: "presentation", Email: "email", Calendar: "calendar",
	Contact: "contact", Web: "web", Shortcut: "shortcut", Package: "package",
	ModelEntry: "model_entry",
}

// String returns the kind's lowercase name, as stored in the lookup table
// and accepted by `find --kind`.
func (k Kind) String() string {
	if int(k) < len(names) {
		return names[k]
	}
	return "unknown"
}

// All returns every kind in code order.
func All() []Kind {
	out := make([]Kind, len(names))
	for i := range out {
		out[i] = Kind(i)
	}
	return out
}

// Parse returns the kind named name (case-insensitive).
func Parse(name string) (Kind, bool) {
	for i, n := range names {
		if strings.EqualFold(n, name) {
			return Kind(i), true
		}
	}
	return Unknown, false
}

// HeadSize is how many leading bytes callers should keep for [Detect] and
// for image probing (package media): the 8 KiB every content id reads
// anyway. Detect itself sniffs the first [SniffSize] of them.
const HeadSize = 8 << 10

// SniffSize is how many leading bytes [Detect] examines (mimetype's default
// read limit).
const SniffSize = 3 << 10

// Detect returns the content kind and MIME type (without parameters) of a
// file named name whose content starts with head. An empty head (an empty file, or content not
// read) is classified by extension alone, with MIME type "".
func Detect(name string, head []byte) (Kind, string) {
	ext := Ext(name)
	byExt, extKnown := extKinds[ext]
	if !extKnown {
		byExt, extKnown = baseKinds[asciiLower(name)]
	}
	if len(head) == 0 {
		if extKnown {
			return byExt, ""
		}
		return Unknown, ""
	}
	// Sniffing text is the slow case (about 20 µs for SniffSize bytes: every text
	// format's detector scans it, against 1 µs for a binary head), and in
	// a source or document tree most files are text. Text whose extension
	// names a text kind is taken at its word; a binary signature always
	// contains a NUL byte in its first KiB in practice (PNG, JPEG, ZIP,
	// ELF, Mach-O, PE, SQLite ...), so a mislabelled binary is still
	// sniffed. Text with another or no extension is sniffed too, to tell
	// HTML, XML, JSON and scripts apart.
	if bytes.IndexByte(head[:min(len(head), SniffSize)], 0) < 0 {
		switch {
		case extKnown && textKinds[byExt]:
			return byExt, "text/plain"
		case !extKnown && bytes.HasPrefix(head, []byte("#!")):
			// An interpreter line: a script, whatever the interpreter
			// (the many extensionless files in bin directories).
			return Code, "text/plain"
		}
	}
	m := mimetype.Detect(head)
	mime := bare(m.String())
	byMagic, weak := Unknown, true
	for mm := m; mm != nil; mm = mm.Parent() {
		t := bare(mm.String())
		if k, ok := mimeKinds[t]; ok {
			byMagic, weak = k.kind, k.weak
			break
		}
		if k, ok := prefixKind(t); ok {
			byMagic, weak = k, false
			break
		}
	}
	switch {
	case !weak:
		return byMagic, mime
	case byMagic == Text && binaryKinds[byExt]:
		// Text content under an extension of a binary format ("photo.jpg"
		// holding an error page) is text, whatever the name claims.
		return Text, mime
	case extKnown:
		return byExt, mime
	case byMagic != Unknown:
		return byMagic, mime
	case mime == "application/octet-stream":
		// Bytes no signature matched, not text, no known extension.
		return Binary, mime
	}
	return Unknown, mime
}

// bare drops MIME parameters: "text/plain; charset=utf-8" is "text/plain".
func bare(mime string) string {
	t, _, _ := strings.Cut(mime, ";")
	return t
}

// Ext returns the extension of name without the dot, ASCII letters
// lowercased and every other byte kept: "gz" for "a.tar.gz", "" for
// "Makefile" and for dotfiles such as ".bashrc".
func Ext(name string) string {
	i := strings.LastIndexByte(name, '.')
	if i <= 0 || i == len(name)-1 {
		return ""
	}
	return asciiLower(name[i+1:])
}

// asciiLower lowercases A-Z only. strings.ToLower would also replace bytes
// that are not UTF-8 with U+FFFD, and names must keep their exact bytes.
func asciiLower(s string) string {
	for i := 0; i < len(s); i++ {
		if 'A' <= s[i] && s[i] <= 'Z' {
			b := []byte(s)
			for j := i; j < len(b); j++ {
				if 'A' <= b[j] && b[j] <= 'Z' {
					b[j] += 'a' - 'A'
				}
			}
			return string(b)
		}
	}
	return s
}

type magicKind struct {
	kind Kind
	// weak: the signature fits several kinds; a known extension overrides.
	weak bool
}

// prefixKind maps whole MIME families.
func prefixKind(mime string) (Kind, bool) {
	major, _, _ := strings.Cut(mime, "/")
	switch major {
	case "image":
		return Image, true
	case "video":
		return Video, true
	case "audio":
		return Audio, true
	case "font":
		return Font, true
	case "model":
		return Mesh, true
	}
	return Unknown, false
}

// mimeKinds maps the MIME types mimetype reports that need more than their
// family. Lookups walk up mimetype's tree (xlsx → zip → octet-stream), so a
// parent entry covers the children not listed.
var mimeKinds = map[string]magicKind{
	"application/octet-stream":  {Unknown, true},
	"text/plain":                {Text, true},
	"text/xml":                  {Text, true},
	"application/json":          {Text, true},
	"application/x-ndjson":      {Text, true},
	"application/zip":           {Archive, true},
	"application/x-ole-storage": {Binary, true},
	"application/gzip":          {Archive, true},
	"application/x-xz":          {Archive, true},
	"application/x-bzip2":       {Archive, true},
	"application/zstd":          {Archive, true},
	"application/lzip":          {Archive, true},
	"application/zlib":          {Archive, true},
	"application/x-tar":         {Archive, true},

	"application/x-7z-compressed":             {Archive, false},
	"application/vnd.rar":                     {Archive, false},
	"application/x-xar":                       {Archive, false},
	"application/x-cpio":                      {Archive, false},
	"application/vnd.ms-cab-compressed":       {Archive, false},
	"application/x-archive":                   {Archive, false},
	"application/vnd.google-earth.kmz":        {Archive, false},
	"application/x-installshield":             {Package, false},
	"application/vnd.debian.binary-package":   {Package, false},
	"application/x-rpm":                       {Package, false},
	"application/java-archive":                {Package, false},
	"application/vnd.android.package-archive": {Package, false},
	"application/x-chrome-extension":          {Package, false},
	"application/x-ms-installer":              {Package, false},

	"application/pdf":                           {Document, false},
	"application/vnd.fdf":                       {Document, false},
	"application/postscript":                    {Document, false},
	"application/msword":                        {Document, false},
	"text/rtf":                                  {Document, false},
	"application/vnd.wordperfect":               {Document, false},
	"application/vnd.framemaker":                {Document, false},
	"application/onenote":                       {Document, false},
	"application/vnd.ms-publisher":              {Document, false},
	"application/vnd.ms-visio.drawing.main+xml": {Document, false},
	"application/vnd.openxmlformats-officedocument.wordprocessingml.document": {Document, false},
	"application/vnd.oasis.opendocument.text":                                 {Document, false},
	"application/vnd.oasis.opendocument.text-template":                        {Document, false},
	"application/vnd.oasis.opendocument.graphics":                             {Document, false},
	"application/vnd.oasis.opendocument.graphics-template":                    {Document, false},
	"application/vnd.oasis.opendocument.formula":                              {Document, false},
	"image/vnd.djvu":           {Book, false},
	"application/vnd.ms-excel": {Spreadsheet, false},
	"application/vnd.openxmlformats-officedocument.spreadsheetml.sheet":         {Spreadsheet, false},
	"application/vnd.oasis.opendocument.spreadsheet":                            {Spreadsheet, false},
	"application/vnd.oasis.opendocument.spreadsheet-template":                   {Spreadsheet, false},
	"application/vnd.oasis.opendocument.chart":                                  {Spreadsheet, false},
	"application/vnd.sun.xml.calc":                                              {Spreadsheet, false},
	"application/vnd.lotus-1-2-3":                                               {Spreadsheet, false},
	"text/csv":                                                                  {Spreadsheet, false},
	"text/tab-separated-values":                                                 {Spreadsheet, false},
	"application/vnd.ms-powerpoint":                                             {Presentation, false},
	"application/vnd.openxmlformats-officedocument.presentationml.presentation": {Presentation, false},
	"application/vnd.oasis.opendocument.presentation":                           {Presentation, false},
	"application/vnd.oasis.opendocument.presentation-template":                  {Presentation, false},
	"application/epub+zip":                                                      {Book, false},
	"application/x-mobipocket-ebook":                                            {Book, false},
	"application/x-ms-reader":                                                   {Book, false},

	"application/vnd.sqlite3":        {Database, false},
	"application/x-msaccess":         {Database, false},
	"application/x-dbf":              {Database, false},
	"application/vnd.apache.parquet": {Database, false},

	"application/x-executable":                      {Executable, false},
	"application/x-sharedlib":                       {Executable, false},
	"application/x-mach-binary":                     {Executable, false},
	"application/vnd.microsoft.portable-executable": {Executable, false},
	"application/wasm":                              {Executable, false},
	"application/x-java-applet":                     {Executable, false},
	"application/x-bytecode.python":                 {Executable, false},
	"application/x-shockwave-flash":                 {Executable, false},
	"application/x-elf":                             {Binary, false},
	"application/x-object":                          {Binary, false},
	"application/x-coredump":                        {Binary, false},

	"application/vnd.ms-fontobject":                          {Font, false},
	"application/vnd.ms-package.3dmanufacturing-3dmodel+xml": {Mesh, false},
	"application/x-amf":                                      {Mesh, false},
	"image/vnd.dwg":                                          {Mesh, false},
	"image/vnd.dxf":                                          {Mesh, false},

	"text/html":             {Web, false},
	"application/xhtml+xml": {Web, false},
	"application/rss+xml":   {Web, false},
	"application/atom+xml":  {Web, false},
	"application/warc":      {Web, false},

	"text/javascript":    {Code, false},
	"text/x-php":         {Code, false},
	"text/x-lua":         {Code, false},
	"text/x-perl":        {Code, false},
	"text/x-python":      {Code, false},
	"text/x-ruby":        {Code, false},
	"text/x-shellscript": {Code, false},
	"text/x-tcl":         {Code, false},

	"message/rfc822":              {Email, false},
	"application/vnd.ms-outlook":  {Email, false},
	"text/calendar":               {Calendar, false},
	"text/vcard":                  {Contact, false},
	"application/x-ms-shortcut":   {Shortcut, false},
	"application/pkcs7-signature": {Key, false},
	"application/x-subrip":        {Text, false},
	"text/vtt":                    {Text, false},
}

// textKinds are the kinds whose files are text.
var textKinds = map[Kind]bool{
	Code: true, Text: true, Config: true, Web: true, Spreadsheet: true,
	Email: true, Calendar: true, Contact: true,
}

// binaryKinds are the kinds whose files are never plain text. (Meshes, keys,
// books and documents may be: OBJ, PEM, FB2, TeX.)
var binaryKinds = map[Kind]bool{
	Image: true, Video: true, Audio: true, Archive: true, Package: true,
	Executable: true, Font: true, Database: true, Binary: true,
}

// extKinds classifies by extension when the bytes are not decisive.
var extKinds = map[string]Kind{}

// baseKinds classifies whole file names that carry no extension.
var baseKinds = map[string]Kind{
	"makefile": Code, "dockerfile": Code, "containerfile": Code, "justfile": Code,
	"rakefile": Code, "gemfile": Code, "cmakelists.txt": Code, "build": Code,
	".gitignore": Config, ".gitattributes": Config, ".gitmodules": Config,
	".editorconfig": Config, ".bashrc": Config, ".profile": Config, ".zshrc": Config,
	".env": Config, ".npmrc": Config, ".dockerignore": Config,
	"readme": Text, "license": Text, "copying": Text, "authors": Text, "changelog": Text,
	"copyright": Text, "news": Text, "todo": Text, "install": Text, "notice": Text,
	"id_rsa": Key, "id_ed25519": Key, "id_ecdsa": Key,
}

func init() {
	add := func(k Kind, exts ...string) {
		for _, e := range exts {
			extKinds[e] = k
		}
	}
	add(Image, "jpg", "jpeg", "png", "gif", "webp", "bmp", "tif", "tiff", "svg", "ico", "heic", "heif",
		"avif", "jxl", "raw", "cr2", "cr3", "nef", "arw", "dng", "orf", "rw2", "psd", "xcf")
	add(Video, "mp4", "m4v", "mkv", "webm", "mov", "avi", "wmv", "flv", "mpg", "mpeg", "3gp", "mts", "m2ts", "ogv")
	add(Audio, "mp3", "m4a", "aac", "flac", "wav", "ogg", "oga", "opus", "wma", "aiff", "aif", "mid", "midi", "ape")
	add(Document, "pdf", "doc", "docx", "odt", "rtf", "pages", "tex", "ps", "eps", "xps", "wpd")
	add(Spreadsheet, "xls", "xlsx", "ods", "csv", "tsv", "numbers")
	add(Presentation, "ppt", "pptx", "odp", "key")
	add(Book, "epub", "mobi", "azw", "azw3", "fb2", "djvu", "cbz", "cbr")
	add(Archive, "zip", "tar", "gz", "tgz", "bz2", "tbz2", "xz", "txz", "zst", "7z", "rar", "lz", "lzma", "cab", "iso", "dmg", "cpio")
	add(Package, "deb", "rpm", "apk", "ipa", "jar", "war", "whl", "nupkg", "vsix", "xpi", "crx", "msi", "snap", "flatpak", "appimage", "gem")
	add(Code, "go", "c", "h", "cc", "cpp", "cxx", "hpp", "hh", "rs", "py", "pyi", "rb", "js", "mjs", "cjs", "ts", "tsx", "jsx",
		"java", "kt", "kts", "scala", "swift", "m", "mm", "cs", "fs", "vb", "php", "pl", "pm", "lua", "r", "jl", "dart",
		"ex", "exs", "erl", "hrl", "hs", "ml", "mli", "clj", "cljs", "el", "lisp", "scm", "zig", "nim", "v", "sv", "vhd",
		"sh", "bash", "zsh", "fish", "ps1", "bat", "cmd", "sql", "asm", "s", "mk", "cmake", "gradle", "proto", "vue", "svelte",
		"ipynb", "wasm", "wat", "tcl", "awk", "sed", "d", "f90", "f", "pas", "groovy", "coffee", "elm", "purs")
	add(Text, "txt", "md", "markdown", "rst", "adoc", "org", "log", "srt", "vtt", "nfo")
	add(Config, "json", "jsonc", "json5", "yaml", "yml", "toml", "ini", "cfg", "conf", "config", "env", "properties",
		"plist", "xml", "lock", "editorconfig", "service")
	add(Web, "html", "htm", "xhtml", "css", "scss", "sass", "less", "mhtml", "webmanifest", "rss", "atom")
	add(Database, "sqlite", "sqlite3", "db", "db3", "mdb", "accdb", "dbf", "parquet", "realm")
	add(Font, "ttf", "otf", "woff", "woff2", "ttc", "eot", "fon", "pfb")
	add(Mesh, "obj", "stl", "fbx", "gltf", "glb", "blend", "dae", "3ds", "ply", "3mf", "usd", "usdz", "dwg", "dxf", "step", "stp")
	add(Encrypted, "gpg", "pgp", "asc", "age", "aes", "enc", "kdbx", "vc", "hc")
	add(Key, "pem", "crt", "cer", "der", "p12", "pfx", "pub", "jks", "keystore", "csr")
	add(Executable, "exe", "dll", "so", "dylib", "elf", "com", "app", "class", "pyc", "o")
	add(Email, "eml", "msg", "mbox", "emlx")
	add(Calendar, "ics", "ical", "ifb")
	add(Contact, "vcf", "vcard")
	add(Shortcut, "lnk", "url", "webloc", "desktop")
	// ".bin" says only "not text"; ".ts" is TypeScript far more often
	// than an MPEG transport stream in the trees people index.
	add(Binary, "bin", "dat", "img")
}
