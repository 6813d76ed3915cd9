package dataset

import (
	"fmt"
	"strings"
)

// words is a small vocabulary for directory and document names. It is
// deliberately plain English plus a few non-ASCII words: realistic names
// are what the search and FTS benchmarks tokenize.
var words = []string{
	"alpha", "archive", "backup", "budget", "build", "camera", "client", "config", "contract",
	"data", "design", "draft", "export", "family", "final", "finance", "garden", "holiday",
	"house", "invoice", "kids", "lecture", "letters", "meeting", "misc", "notes", "old",
	"personal", "photos", "plans", "presentation", "project", "proposal", "receipts", "recipes",
	"report", "research", "resume", "review", "school", "scans", "shared", "slides", "summer",
	"taxes", "team", "thesis", "travel", "trip", "university", "vacation", "wedding", "winter",
	"work", "quarterly", "annual", "minutes", "roadmap", "spec", "manual", "guide", "tutorial",
	"paris", "rome", "berlin", "tokyo", "lisbon", "oslo", "madrid", "vienna", "prague",
	"café", "résumé", "naïve", "straße", "año", "piñata", "crème", "façade", "jalapeño",
	"birthday", "christmas", "graduation", "concert", "hiking", "beach", "mountain", "city",
	"insurance", "mortgage", "medical", "car", "bank", "statement", "payslip", "bills",
}

// codeWords name source files and packages.
var codeWords = []string{
	"handler", "server", "client", "config", "util", "parser", "lexer", "token", "model", "view",
	"controller", "router", "store", "cache", "index", "query", "schema", "migrate", "worker",
	"queue", "event", "logger", "metrics", "auth", "session", "user", "account", "order",
	"payment", "invoice", "report", "export", "import", "api", "types", "errors", "helpers",
	"main", "app", "test", "mock", "fixture", "db", "conn", "pool", "stream", "buffer", "codec",
}

var artists = []string{
	"The Beatles", "Miles Davis", "Nina Simone", "Radiohead", "Björk", "Daft Punk", "ABBA",
	"Fleetwood Mac", "Kraftwerk", "Sigur Rós", "Portishead", "Massive Attack", "Air", "Moby",
	"Nirvana", "Pink Floyd", "Queen", "Bach", "Mozart", "Chopin", "Beyoncé", "Adele", "Muse",
}

// Kind values mirror the content kinds the indexer assigns.
const (
	KindImage    = "image"
	KindVideo    = "video"
	KindAudio    = "audio"
	KindDocument = "document"
	KindArchive  = "archive"
	KindCode     = "code"
	KindText     = "text"
	KindOther    = "other"
)

// extKind maps an extension to its content kind.
var extKind = map[string]string{
	"jpg": KindImage, "jpeg": KindImage, "png": KindImage, "heic": KindImage, "gif": KindImage, "cr2": KindImage, "webp": KindImage,
	"mp4": KindVideo, "mkv": KindVideo, "mov": KindVideo, "avi": KindVideo,
	"mp3": KindAudio, "flac": KindAudio, "m4a": KindAudio, "wav": KindAudio,
	"pdf": KindDocument, "docx": KindDocument, "xlsx": KindDocument, "pptx": KindDocument, "odt": KindDocument,
	"zip": KindArchive, "gz": KindArchive, "tar": KindArchive, "dmg": KindArchive, "iso": KindArchive, "deb": KindArchive, "7z": KindArchive,
	"go": KindCode, "js": KindCode, "ts": KindCode, "py": KindCode, "c": KindCode, "h": KindCode, "rs": KindCode, "java": KindCode, "sh": KindCode,
	"txt": KindText, "md": KindText, "csv": KindText, "json": KindText, "yaml": KindText, "xml": KindText, "html": KindText, "css": KindText, "log": KindText,
}

// KindOf returns the content kind of an extension ("other" if unknown).
func KindOf(ext string) string {
	if k, ok := extKind[ext]; ok {
		return k
	}
	return KindOther
}

// area is one top-level region of a home directory. Areas differ in depth,
// fan-out, names, extensions and sizes, which is what makes a synthetic
// library look like a real one to the query planner (skewed extensions,
// huge flat photo folders, deep source trees).
type area struct {
	name     string
	weight   float64 // share of entries
	maxDepth int     // directory levels below the area root
	hidden   bool
	dirName  func(r *Rand, depth int) string
	file     func(r *Rand) (stem, ext string, size int64)
}

func titleWord(r *Rand) string {
	w := Pick(r, words)
	return strings.ToUpper(w[:1]) + w[1:]
}

func year(r *Rand) int { return r.Range(2008, 2025) }

var areas = []area{
	{
		name: "Pictures", weight: 0.24, maxDepth: 3,
		dirName: func(r *Rand, d int) string {
			switch r.IntN(4) {
			case 0:
				return fmt.Sprint(year(r))
			case 1:
				return fmt.Sprintf("%d-%02d %s %s", year(r), r.Range(1, 12), titleWord(r), Pick(r, words))
			case 2:
				return "Camera Roll"
			default:
				return titleWord(r)
			}
		},
		file: func(r *Rand) (string, string, int64) {
			switch r.Weighted([]float64{50, 15, 15, 12, 5, 3}) {
			case 0:
				return fmt.Sprintf("IMG_%d%02d%02d_%02d%02d%02d", year(r), r.Range(1, 12), r.Range(1, 28), r.IntN(24), r.IntN(60), r.IntN(60)), "jpg", r.LogUniform(800<<10, 8<<20)
			case 1:
				return fmt.Sprintf("DSC%05d", r.IntN(100000)), "JPG", r.LogUniform(2<<20, 12<<20)
			case 2:
				return fmt.Sprintf("PXL_%d%02d%02d_%09d", year(r), r.Range(1, 12), r.Range(1, 28), r.IntN(1e9)), "heic", r.LogUniform(1<<20, 5<<20)
			case 3:
				return fmt.Sprintf("Screenshot %d-%02d-%02d at %02d.%02d.%02d", year(r), r.Range(1, 12), r.Range(1, 28), r.IntN(24), r.IntN(60), r.IntN(60)), "png", r.LogUniform(60<<10, 4<<20)
			case 4:
				return fmt.Sprintf("IMG_%04d", r.IntN(10000)), "cr2", r.LogUniform(18<<20, 40<<20)
			default:
				return Pick(r, words) + "_" + Pick(r, words), "gif", r.LogUniform(20<<10, 3<<20)
			}
		},
	},
	{
		name: "Projects", weight: 0.28, maxDepth: 9,
		dirName: func(r *Rand, d int) string {
			if d == 1 {
				return Pick(r, codeWords) + "-" + Pick(r, codeWords)
			}
			return Pick(r, []string{"src", "internal", "pkg", "cmd", "lib", "test", "docs", "node_modules", "vendor", "assets", "scripts", Pick(r, codeWords), Pick(r, codeWords)})
		},
		file: func(r *Rand) (string, string, int64) {
			switch r.Weighted([]float64{30, 20, 10, 10, 8, 8, 6, 5, 3}) {
			case 0:
				return Pick(r, codeWords) + "_" + Pick(r, codeWords), "go", r.LogUniform(300, 40<<10)
			case 1:
				return Pick(r, codeWords) + "." + Pick(r, []string{"min", "test", "spec", "index", "d"}), "js", r.LogUniform(200, 200<<10)
			case 2:
				return Pick(r, codeWords), "py", r.LogUniform(200, 30<<10)
			case 3:
				return Pick(r, codeWords), Pick(r, []string{"c", "h"}), r.LogUniform(200, 60<<10)
			case 4:
				return Pick(r, []string{"README", "CHANGELOG", "CONTRIBUTING", "notes", Pick(r, codeWords)}), "md", r.LogUniform(100, 20<<10)
			case 5:
				return Pick(r, []string{"package", "tsconfig", "config", "settings", Pick(r, codeWords)}), "json", r.LogUniform(50, 50<<10)
			case 6:
				// Git objects and Makefiles: names without an extension.
				return fmt.Sprintf("%016x%016x%08x", r.Uint64(), r.Uint64(), uint32(r.Uint64())), "", r.LogUniform(60, 20<<10)
			case 7:
				return Pick(r, codeWords), Pick(r, []string{"ts", "rs", "java", "sh", "yaml", "css", "html"}), r.LogUniform(200, 40<<10)
			default:
				return Pick(r, []string{"Makefile", "LICENSE", "Dockerfile", ".gitignore", ".editorconfig"}), "", r.LogUniform(30, 12<<10)
			}
		},
	},
	{
		name: "Documents", weight: 0.16, maxDepth: 5,
		dirName: func(r *Rand, d int) string {
			switch r.IntN(3) {
			case 0:
				return fmt.Sprint(year(r))
			default:
				return titleWord(r)
			}
		},
		file: func(r *Rand) (string, string, int64) {
			stem := fmt.Sprintf("%s %s %d", titleWord(r), Pick(r, words), year(r))
			if r.Chance(0.15) {
				stem += Pick(r, []string{" (final)", " (1)", " v2", " - copy", "_draft", " (signed)"})
			}
			switch r.Weighted([]float64{35, 20, 10, 5, 15, 10, 5}) {
			case 0:
				return stem, "pdf", r.LogUniform(30<<10, 8<<20)
			case 1:
				return stem, "docx", r.LogUniform(12<<10, 3<<20)
			case 2:
				return stem, "xlsx", r.LogUniform(8<<10, 2<<20)
			case 3:
				return stem, "pptx", r.LogUniform(200<<10, 30<<20)
			case 4:
				return stem, "txt", r.LogUniform(20, 40<<10)
			case 5:
				return stem, "csv", r.LogUniform(200, 5<<20)
			default:
				return stem, "odt", r.LogUniform(10<<10, 1<<20)
			}
		},
	},
	{
		name: "Music", weight: 0.10, maxDepth: 2,
		dirName: func(r *Rand, d int) string {
			if d == 1 {
				return Pick(r, artists)
			}
			return fmt.Sprintf("%s %s (%d)", titleWord(r), Pick(r, words), year(r))
		},
		file: func(r *Rand) (string, string, int64) {
			stem := fmt.Sprintf("%02d - %s %s", r.Range(1, 16), titleWord(r), Pick(r, words))
			switch r.Weighted([]float64{70, 15, 10, 5}) {
			case 0:
				return stem, "mp3", r.LogUniform(2<<20, 12<<20)
			case 1:
				return stem, "flac", r.LogUniform(15<<20, 60<<20)
			case 2:
				return stem, "m4a", r.LogUniform(2<<20, 10<<20)
			default:
				return "cover", "jpg", r.LogUniform(50<<10, 1<<20)
			}
		},
	},
	{
		name: "Downloads", weight: 0.08, maxDepth: 1,
		dirName: func(r *Rand, d int) string { return titleWord(r) + "-" + fmt.Sprint(r.Range(1, 9)) },
		file: func(r *Rand) (string, string, int64) {
			stem := Pick(r, codeWords) + "-" + fmt.Sprintf("%d.%d.%d", r.IntN(5), r.IntN(20), r.IntN(10))
			switch r.Weighted([]float64{25, 15, 15, 10, 10, 10, 10, 5}) {
			case 0:
				return stem, "zip", r.LogUniform(100<<10, 500<<20)
			case 1:
				return fmt.Sprintf("%s %s", titleWord(r), Pick(r, words)), "pdf", r.LogUniform(50<<10, 20<<20)
			case 2:
				return stem, "dmg", r.LogUniform(20<<20, 800<<20)
			case 3:
				return stem, "iso", r.LogUniform(300<<20, 4<<30)
			case 4:
				return stem, "deb", r.LogUniform(100<<10, 100<<20)
			case 5:
				return stem + ".tar", "gz", r.LogUniform(100<<10, 300<<20)
			case 6:
				return fmt.Sprintf("IMG_%04d", r.IntN(10000)), "jpg", r.LogUniform(200<<10, 6<<20)
			default:
				return stem, "7z", r.LogUniform(1<<20, 200<<20)
			}
		},
	},
	{
		name: "Videos", weight: 0.04, maxDepth: 2,
		dirName: func(r *Rand, d int) string { return fmt.Sprintf("%s %d", titleWord(r), year(r)) },
		file: func(r *Rand) (string, string, int64) {
			stem := fmt.Sprintf("VID_%d%02d%02d_%06d", year(r), r.Range(1, 12), r.Range(1, 28), r.IntN(1e6))
			switch r.Weighted([]float64{60, 20, 15, 5}) {
			case 0:
				return stem, "mp4", r.LogUniform(5<<20, 2<<30)
			case 1:
				return stem, "mov", r.LogUniform(10<<20, 3<<30)
			case 2:
				return titleWord(r) + " " + Pick(r, words), "mkv", r.LogUniform(200<<20, 2<<30)
			default:
				return stem, "avi", r.LogUniform(50<<20, 1<<30)
			}
		},
	},
	{
		name: "Desktop", weight: 0.03, maxDepth: 1,
		dirName: func(r *Rand, d int) string { return titleWord(r) },
		file: func(r *Rand) (string, string, int64) {
			ext := Pick(r, []string{"png", "pdf", "txt", "zip", "docx", "jpg", "md"})
			return fmt.Sprintf("%s %s", titleWord(r), Pick(r, words)), ext, r.LogUniform(100, 10<<20)
		},
	},
	{
		name: ".config", weight: 0.07, maxDepth: 4, hidden: true,
		dirName: func(r *Rand, d int) string {
			return Pick(r, []string{"", "."}) + Pick(r, codeWords)
		},
		file: func(r *Rand) (string, string, int64) {
			if r.Chance(0.3) {
				return "." + Pick(r, codeWords) + "rc", "", r.LogUniform(20, 8<<10)
			}
			return Pick(r, codeWords), Pick(r, []string{"json", "yaml", "log", "xml", "db", "cache"}), r.LogUniform(20, 2<<20)
		},
	},
}

// joinName returns stem + "." + ext, or stem alone without an extension.
func joinName(stem, ext string) string {
	if ext == "" {
		return stem
	}
	return stem + "." + ext
}
