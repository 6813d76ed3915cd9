package bindings

// methodDoc is what a method's Go types cannot say: a one-line summary and an example of its
// params (a JSON object, checked against the method's own decoder by TestDiscover_Examples).
type methodDoc struct {
	summary, example string
}

// methodDocs documents the methods of the table. A method without an entry is still listed
// (its params and result come from its types), without a summary or example.
var methodDocs = map[string]methodDoc{
	"db.backup":         {"Writes a verified copy of the database to the library's backups/ directory, keeping the newest `keep`.", `{"keep":5}`},
	"db.check":          {"Checks SQLite's integrity and filedex's own invariants; reports what it found.", `{}`},
	"db.optimize":       {"Reclaims free space and refreshes the query planner's statistics.", `{}`},
	"db.restore":        {"Replaces the database with a backup file; the replaced one is kept beside it.", `{"file":"/home/me/.local/share/filedex/default/backups/2024-05-01T12-00-00Z.db"}`},
	"db.stats":          {"Library size: entries, database bytes, bytes per entry.", `{}`},
	"debug.echo":        {"Returns its params as sent: a probe for binding authors.", `{"value":{"a":[1,2]},"text":"héllo","count":3}`},
	"debug.panic":       {"Panics on purpose, to show a panic comes back as an internal error and never crosses a transport.", `{"message":"boom"}`},
	"duplicates.find":   {"Groups of entries with the same content, most wasted bytes first, a page at a time; `verify` reads the page's members in full.", `{"under":"/home/me/Pictures","min_size":1048576,"limit":20}`},
	"entry.find":        {"Searches entries; every given filter must match. `name` is a glob on the whole name, `text` a full-text search on names. A page at a time.", `{"name":"*.pdf","under":"/home/me/Documents","limit":100}`},
	"entry.get":         {"One entry by id, uuid or absolute path (`path_b64` for a path that is not UTF-8).", `{"path":"/home/me/Documents/report.pdf"}`},
	"entry.list":        {"The children of a directory, by name or directories first, a page at a time.", `{"path":"/home/me/Documents","dirs_first":true,"limit":50}`},
	"entry.move":        {"Moves or renames a file or directory on disk and in the index in one step.", `{"src":"/home/me/a.txt","dst":"/home/me/notes/a.txt"}`},
	"entry.path":        {"The absolute path of an entry.", `{"id":42}`},
	"job.cancel":        {"Cancels a job; a cancelled scan keeps what it indexed.", `{"id":3}`},
	"job.get":           {"One persisted job.", `{"id":3}`},
	"job.list":          {"Persisted jobs, newest first, a page at a time.", `{"active":true,"limit":50}`},
	"job.resume":        {"Continues a paused or interrupted job from its checkpoint.", `{"id":3}`},
	"job.run":           {"Runs a job for at most `budget_ms` milliseconds and returns its progress.", `{"id":3,"budget_ms":200}`},
	"label.apply":       {"Puts a label on entries (by id or path); returns how many changed.", `{"name":"Work/Clients","paths":["/home/me/contract.pdf"]}`},
	"label.create":      {"Creates a label, below `parent` (its path or unambiguous name) if given.", `{"name":"Clients","parent":"Work"}`},
	"label.delete":      {"Deletes a label that has no sub-labels.", `{"name":"Work/Old"}`},
	"label.list":        {"Every label, depth-first, with how many entries carry it.", `{}`},
	"label.remove":      {"Takes a label off entries.", `{"name":"Work/Clients","paths":["/home/me/contract.pdf"]}`},
	"library.info":      {"The library: its directory, UUID, schema version and device.", `{}`},
	"location.add":      {"Adds a directory as a location without scanning it.", `{"path":"/home/me/Pictures","name":"photos","mode":"deep"}`},
	"location.list":     {"Locations with their size and scan state, a page at a time.", `{"limit":100}`},
	"location.remove":   {"Forgets a location's index; files on disk are never touched.", `{"path":"/home/me/Pictures"}`},
	"location.scan":     {"Indexes a location (a new one for a `path` that is not one yet); with `budget_ms`, returns after about that long with the job paused, to be continued by job.run.", `{"path":"/home/me/Documents","mode":"content"}`},
	"metadata.get":      {"An entry and its user metadata (null until a user adds some).", `{"path":"/home/me/Documents/report.pdf"}`},
	"metadata.set":      {"Changes an entry's notes, favourite and hidden flags or custom data; absent members stay as they are.", `{"path":"/home/me/Documents/report.pdf","favorite":true,"notes":"final version"}`},
	"migrations.down":   {"Reverts the newest `steps` migrations.", `{"steps":1}`},
	"migrations.fresh":  {"Drops everything and applies every migration: an empty library. Needs `force`.", `{"force":true}`},
	"migrations.status": {"Applied and pending migrations.", `{}`},
	"migrations.up":     {"Applies pending migrations, up to `to` if given.", `{}`},
	"rpc.discover":      {"This reference as an OpenRPC document, generated from the method table.", `{}`},
	"tag.apply":         {"Tags entries (by id or path); returns how many changed.", `{"name":"important","paths":["/home/me/report.pdf"]}`},
	"tag.create":        {"Creates a tag.", `{"name":"important","color":"#d33682","icon":"star"}`},
	"tag.delete":        {"Deletes a tag; entries keep everything else.", `{"name":"old"}`},
	"tag.list":          {"Tags in name order with how many entries carry each, a page at a time.", `{"limit":100}`},
	"tag.remove":        {"Takes a tag off entries.", `{"name":"important","paths":["/home/me/report.pdf"]}`},
	"tree.large_files":  {"The directories holding files of at least `min_size` bytes, by their total, at most `limit` (default 100).", `{"min_size":104857600,"limit":20}`},
	"tree.stats":        {"Files, directories and bytes below a directory.", `{"path":"/home/me/Documents"}`},
	"tree.usage":        {"The sizes of a directory's subtree down to `depth` levels, and its `top` largest files.", `{"path":"/home/me/Documents","depth":2,"top":10}`},
}
