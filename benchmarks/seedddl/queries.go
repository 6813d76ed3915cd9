package seedddl

// The seed's queries, as its SeaORM examples would run them on its DDL.
// Where the seed gives a query, it is translated as written; where issue 4
// asks for a query the seed does not show, the natural query on the seed's
// schema is used and marked "(no seed query)".
const (
	// EntryByPath: the (location_id, relative_path) index, then name.
	EntryByPath = `SELECT * FROM entries WHERE location_id = 1 AND relative_path = ? AND name = ?`

	// FullPath: "Reconstruct full path": fetch by id, join in the client.
	FullPath = `SELECT relative_path, name FROM entries WHERE id = ?`

	// ListDir: the first page of a directory, in name order, with the seed's
	// LIMIT/OFFSET pagination (offset 0 here).
	ListDir = `SELECT * FROM entries WHERE location_id = 1 AND relative_path = ? ORDER BY name LIMIT 50 OFFSET ?`

	// PaginateFiles: "Limit result sets for UI pagination":
	// kind = 'file' ORDER BY name LIMIT 50 OFFSET page*50.
	PaginateFiles = `SELECT * FROM entries WHERE kind = 'file' ORDER BY name LIMIT 50 OFFSET ?`

	// SubtreeStats: "Direct path matching with LIKE patterns"
	// (relative_path = 'x' OR relative_path LIKE 'x/%'). (no seed query for
	// the aggregate itself)
	SubtreeStats = `SELECT count(*) FILTER (WHERE kind = 'file'), count(*) FILTER (WHERE kind = 'directory'), coalesce(sum(size), 0)
		FROM entries WHERE location_id = 1 AND (relative_path = ?1 OR relative_path LIKE ?1 || '/%')`

	// MoveDirChildren rewrites the materialized paths below a moved
	// directory; MoveDirSelf renames the directory itself. (no seed query)
	MoveDirChildren = `UPDATE entries SET relative_path = ?2 || substr(relative_path, length(?1) + 1)
		WHERE location_id = 1 AND (relative_path = ?1 OR relative_path LIKE ?1 || '/%')`
	MoveDirSelf = `UPDATE entries SET relative_path = ?3, name = ?4 WHERE location_id = 1 AND relative_path = ?1 AND name = ?2`

	// ExtAll: "Find files by name pattern": name LIKE '%.pdf' AND kind = 'file', all rows.
	ExtAll = `SELECT * FROM entries WHERE name LIKE ?1 AND kind = 'file'`
	// ExtFirstPage is the same with the first page of a name-ordered listing.
	ExtFirstPage = `SELECT * FROM entries WHERE name LIKE ?1 AND kind = 'file' ORDER BY name LIMIT 50`

	// GlobFirstPage: a name glob (Keys.Glob, e.g. IMG_20??????_*) as the seed would write it,
	// LIKE with escaped wildcards. (no seed query)
	GlobFirstPage = `SELECT * FROM entries WHERE name LIKE ?1 ESCAPE '\' AND kind = 'file' ORDER BY name LIMIT 50`

	// WordPrefix stands in for the FTS prefix query ("rep*") the seed lists
	// as future: a word-prefix LIKE on names. (no seed query)
	WordPrefix = `SELECT * FROM entries WHERE (name LIKE ?1 || '%' OR name LIKE '% ' || ?1 || '%') ORDER BY name LIMIT 50`

	// TagEntries: "Find files with specific tag": entries ⋈ user_metadata ⋈
	// metadata_tag ⋈ tags WHERE tags.name = ?.
	TagEntries = `SELECT e.* FROM entries e JOIN user_metadata m ON m.id = e.metadata_id
		JOIN metadata_tag mt ON mt.metadata_id = m.id JOIN tags t ON t.id = mt.tag_id WHERE t.name = ?`

	// LabelEntries: entries with a label or any descendant label, by a
	// recursive CTE over labels.parent_id. (no seed query)
	LabelEntries = `WITH RECURSIVE sub(id) AS (SELECT id FROM labels WHERE name = ?
		UNION SELECT l.id FROM labels l JOIN sub ON l.parent_id = sub.id)
		SELECT e.* FROM entries e JOIN metadata_label ml ON ml.metadata_id = e.metadata_id WHERE ml.label_id IN (SELECT id FROM sub)`

	// Favorites: favourite entries, first page. (no seed query)
	Favorites = `SELECT e.* FROM entries e JOIN user_metadata m ON m.id = e.metadata_id WHERE m.favorite = 1 ORDER BY e.name LIMIT 50`

	// Duplicates: "Find duplicate content": content_identity ⋈ entries GROUP
	// BY cas_id HAVING count > 1, ordered by wasted bytes as issue 4 asks.
	Duplicates = `SELECT c.cas_id, c.size_bytes, count(e.id) AS n, c.size_bytes * (count(e.id) - 1) AS wasted
		FROM content_identity c JOIN entries e ON e.content_id = c.id
		GROUP BY c.cas_id HAVING count(e.id) > 1 ORDER BY wasted DESC`

	// LargeFilesByDir: "Find large files by directory", as written (> 100 MB).
	LargeFilesByDir = `SELECT relative_path AS directory, sum(size) AS total_size, count(id) AS file_count
		FROM entries WHERE kind = 'file' AND size > 104857600 GROUP BY relative_path ORDER BY sum(size) DESC`

	// TagStats: "Tag usage statistics", as written (unused tags included).
	TagStats = `SELECT t.name, count(mt.metadata_id) AS usage_count FROM tags t
		LEFT JOIN metadata_tag mt ON mt.tag_id = t.id GROUP BY t.id ORDER BY count(mt.metadata_id) DESC`

	// TopLargest: the N largest files. (no seed query)
	TopLargest = `SELECT * FROM entries WHERE kind = 'file' ORDER BY size DESC LIMIT 100`

	// DirSizes: bytes per directory (direct children), the base of a usage
	// tree. (no seed query)
	DirSizes = `SELECT relative_path, sum(size), count(*) FROM entries WHERE kind = 'file' GROUP BY relative_path`
)
