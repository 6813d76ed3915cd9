package core

import (
	"bytes"
	"context"
	"database/sql"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"slices"
	"sort"
	"strings"

	"github.com/google/uuid"
)

// Shared data (tags, labels, user metadata, tag and label membership) is kept as
// last-writer-wins registers in sync_registers (migration 0010): one per (item, field),
// holding the write with the highest (hlc, device). The visible tables are a function of the
// registers alone (deriveShared), so devices holding the same registers show the same tables,
// whatever order the writes arrived in:
//
//   - tags: the live tags; two live tags of one name are one tag, the one with the smaller
//     UUID, which also carries the other's members;
//   - labels: the same per (parent, name); a parent that would close a cycle is dropped
//     (the label becomes top-level) for the label of the cycle whose parent was written last;
//   - metadata and memberships of the entries present here.
//
// Local edits go to the tables as before; staging (stageShared) compares the tables with what
// the registers derive and writes a register for every difference.

type regKey struct {
	item  uuid.UUID
	field string
}

type register struct {
	hlc    int64
	device uuid.UUID
	value  string // JSON; "null" clears a field, "false" ends a tag's life or a membership
}

// wins reports whether a beats b: the higher clock, ties broken by the device UUID.
func (a register) wins(b register) bool {
	if a.hlc != b.hlc {
		return a.hlc > b.hlc
	}
	return bytes.Compare(a.device[:], b.device[:]) > 0
}

type wireRegs struct {
	R []wireReg `json:"r"`
}

type wireReg struct {
	Item  uuid.UUID `json:"i"`
	Field string    `json:"f"`
	HLC   int64     `json:"h"`
	Value string    `json:"v"`
}

func loadRegisters(ctx context.Context, tx *sql.Tx) (map[regKey]register, error) {
	rows, err := tx.QueryContext(ctx, `SELECT item, field, hlc, device, value FROM sync_registers`)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := map[regKey]register{}
	for rows.Next() {
		var k regKey
		var r register
		var item, dev []byte
		var v sql.NullString
		if err := rows.Scan(&item, &k.field, &r.hlc, &dev, &v); err != nil {
			return nil, err
		}
		copy(k.item[:], item)
		copy(r.device[:], dev)
		r.value = v.String
		out[k] = r
	}
	return out, rows.Err()
}

// tick advances the hybrid logical clock and returns the new value.
func (l *Library) tick(ctx context.Context, tx *sql.Tx) (int64, error) {
	var h int64
	err := tx.QueryRowContext(ctx, `UPDATE sync_state SET hlc = max(hlc + 1, ? << 16) WHERE id = 1 RETURNING hlc`, ms(l.now())).Scan(&h)
	return h, err
}

func putRegister(ctx context.Context, tx *sql.Tx, k regKey, r register) (bool, error) {
	res, err := tx.ExecContext(ctx, `INSERT INTO sync_registers (item, field, hlc, device, value) VALUES (?1, ?2, ?3, ?4, ?5)
ON CONFLICT (item, field) DO UPDATE SET hlc = ?3, device = ?4, value = ?5
WHERE ?3 > sync_registers.hlc OR (?3 = sync_registers.hlc AND ?4 > sync_registers.device)`, k.item[:], k.field, r.hlc, r.device[:], r.value)
	if err != nil {
		return false, err
	}
	n, _ := res.RowsAffected()
	return n > 0, nil
}

// applyRegisters applies a batch of another device's register writes; the writer is the
// message's device, never a field of the body, so a device cannot write in another's name.
func (l *Library) applyRegisters(ctx context.Context, tx *sql.Tx, dev uuid.UUID, body []byte) error {
	var w wireRegs
	if err := json.Unmarshal(body, &w); err != nil {
		return fmt.Errorf("%w: registers: %w", ErrInvalid, err)
	}
	var maxH int64
	for _, r := range w.R {
		if !validField(r.Field) || !json.Valid([]byte(r.Value)) || r.HLC <= 0 {
			return fmt.Errorf("%w: register %q", ErrInvalid, r.Field)
		}
		if _, err := putRegister(ctx, tx, regKey{r.Item, r.Field}, register{r.HLC, dev, r.Value}); err != nil {
			return err
		}
		maxH = max(maxH, r.HLC)
	}
	// The clock never falls behind a clock seen: a later local edit must win over it.
	_, err := tx.ExecContext(ctx, `UPDATE sync_state SET hlc = max(hlc, ?) WHERE id = 1`, maxH)
	return err
}

var sharedFields = []string{"tag.live", "tag.name", "tag.color", "tag.icon",
	"label.live", "label.name", "label.color", "label.parent",
	"meta.uuid", "meta.notes", "meta.favorite", "meta.hidden", "meta.data"}

func validField(f string) bool {
	if slices.Contains(sharedFields, f) {
		return true
	}
	for _, p := range []string{"tag:", "label:"} {
		if s, ok := strings.CutPrefix(f, p); ok {
			_, err := uuid.Parse(s)
			return err == nil
		}
	}
	return false
}

func jsonString(s string) string { b, _ := json.Marshal(s); return string(b) }

func unJSONString(v string) (string, bool) {
	var s string
	if json.Unmarshal([]byte(v), &s) != nil {
		return "", false
	}
	return s, true
}

// projection is the shared data as registers would hold it: item/field → JSON value.
type projection map[regKey]string

// projectTables reads the visible shared tables as a projection.
func (l *Library) projectTables(ctx context.Context, tx *sql.Tx) (projection, error) {
	p := projection{}
	tagUUID := map[int64]uuid.UUID{}
	rows, err := tx.QueryContext(ctx, `SELECT id, uuid, name, color, icon FROM tags`)
	if err != nil {
		return nil, err
	}
	for rows.Next() {
		var id int64
		var u uuid.UUID
		var name string
		var color, icon sql.NullString
		if err := rows.Scan(&id, &u, &name, &color, &icon); err != nil {
			rows.Close()
			return nil, err
		}
		tagUUID[id] = u
		p[regKey{u, "tag.live"}] = "true"
		p[regKey{u, "tag.name"}] = jsonString(name)
		if color.Valid {
			p[regKey{u, "tag.color"}] = jsonString(color.String)
		}
		if icon.Valid {
			p[regKey{u, "tag.icon"}] = jsonString(icon.String)
		}
	}
	rows.Close()
	labelUUID := map[int64]uuid.UUID{}
	type lab struct {
		u      uuid.UUID
		parent sql.NullInt64
	}
	var labs []lab
	rows, err = tx.QueryContext(ctx, `SELECT id, uuid, name, color, parent_id FROM labels`)
	if err != nil {
		return nil, err
	}
	for rows.Next() {
		var id int64
		var x lab
		var name string
		var color sql.NullString
		if err := rows.Scan(&id, &x.u, &name, &color, &x.parent); err != nil {
			rows.Close()
			return nil, err
		}
		labelUUID[id] = x.u
		labs = append(labs, x)
		p[regKey{x.u, "label.live"}] = "true"
		p[regKey{x.u, "label.name"}] = jsonString(name)
		if color.Valid {
			p[regKey{x.u, "label.color"}] = jsonString(color.String)
		}
	}
	rows.Close()
	for _, x := range labs {
		if x.parent.Valid {
			p[regKey{x.u, "label.parent"}] = jsonString(labelUUID[x.parent.Int64].String())
		}
	}
	rows, err = tx.QueryContext(ctx, `SELECT e.id, m.uuid, m.notes, m.favorite, m.hidden, m.custom_data,
  (SELECT json_group_array(tag_id) FROM metadata_tag WHERE metadata_id = m.id),
  (SELECT json_group_array(label_id) FROM metadata_label WHERE metadata_id = m.id)
FROM entries e JOIN user_metadata m ON m.id = e.metadata_id`)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	for rows.Next() {
		var id int64
		var mu uuid.UUID
		var notes, data sql.NullString
		var fav, hidden bool
		var tagsJ, labelsJ string
		if err := rows.Scan(&id, &mu, &notes, &fav, &hidden, &data, &tagsJ, &labelsJ); err != nil {
			return nil, err
		}
		e := l.entryUUID(id)
		var tids, lids []int64
		json.Unmarshal([]byte(tagsJ), &tids)
		json.Unmarshal([]byte(labelsJ), &lids)
		any := false
		if notes.Valid && notes.String != "" {
			p[regKey{e, "meta.notes"}] = jsonString(notes.String)
			any = true
		}
		if fav {
			p[regKey{e, "meta.favorite"}] = "true"
			any = true
		}
		if hidden {
			p[regKey{e, "meta.hidden"}] = "true"
			any = true
		}
		if data.Valid && data.String != "" && data.String != "{}" {
			p[regKey{e, "meta.data"}] = data.String
			any = true
		}
		for _, t := range tids {
			p[regKey{e, "tag:" + tagUUID[t].String()}] = "true"
			any = true
		}
		for _, lb := range lids {
			p[regKey{e, "label:" + labelUUID[lb].String()}] = "true"
			any = true
		}
		if any {
			p[regKey{e, "meta.uuid"}] = jsonString(mu.String())
		}
	}
	return p, rows.Err()
}

type tagState struct {
	name, color, icon string
	created, updated  int64 // Unix ms, from the registers' clocks
}

type labelState struct {
	name, color      string
	parent           uuid.UUID // uuid.Nil: top level
	created, updated int64
}

type metaState struct {
	muuid                 uuid.UUID
	notes, data           string
	favorite, hidden      bool
	tags, labels          []uuid.UUID
	entryID               int64
	created, updated      int64
	hasNotes, hasDataJSON bool
}

// derived is the shared data the registers describe.
type derived struct {
	tags     map[uuid.UUID]tagState
	tagAlias map[uuid.UUID]uuid.UUID // every live tag → the tag it is shown as
	labels   map[uuid.UUID]labelState
	labAlias map[uuid.UUID]uuid.UUID
	meta     map[uuid.UUID]*metaState // by entry UUID, entries present here only
}

func hlcMS(h int64) int64 { return h >> 16 }

func (l *Library) derive(ctx context.Context, tx *sql.Tx, regs map[regKey]register) (*derived, error) {
	byItem := map[uuid.UUID]map[string]register{}
	for k, r := range regs {
		m := byItem[k.item]
		if m == nil {
			m = map[string]register{}
			byItem[k.item] = m
		}
		m[k.field] = r
	}
	d := &derived{tags: map[uuid.UUID]tagState{}, tagAlias: map[uuid.UUID]uuid.UUID{},
		labels: map[uuid.UUID]labelState{}, labAlias: map[uuid.UUID]uuid.UUID{}, meta: map[uuid.UUID]*metaState{}}
	str := func(m map[string]register, f string) string {
		s, _ := unJSONString(m[f].value)
		return s
	}
	span := func(m map[string]register, prefix string) (lo, hi int64) {
		lo = 1 << 62
		for f, r := range m {
			if strings.HasPrefix(f, prefix) {
				lo, hi = min(lo, hlcMS(r.hlc)), max(hi, hlcMS(r.hlc))
			}
		}
		return lo, hi
	}
	less := func(a, b uuid.UUID) bool { return bytes.Compare(a[:], b[:]) < 0 }

	// Tags: live ones, one per name.
	byName := map[string]uuid.UUID{}
	var live []uuid.UUID
	for u, m := range byItem {
		if m["tag.live"].value == "true" && str(m, "tag.name") != "" {
			live = append(live, u)
		}
	}
	sort.Slice(live, func(i, j int) bool { return less(live[i], live[j]) })
	for _, u := range live {
		m := byItem[u]
		name := str(m, "tag.name")
		if c, ok := byName[name]; ok {
			d.tagAlias[u] = c
			continue
		}
		byName[name] = u
		d.tagAlias[u] = u
		lo, hi := span(m, "tag.")
		color := str(m, "tag.color")
		if !ValidColor(color) {
			color = ""
		}
		d.tags[u] = tagState{name: name, color: color, icon: str(m, "tag.icon"), created: lo, updated: hi}
	}

	// Labels: live ones; parents resolved, cycles broken, siblings of one name merged. Each
	// step can change the next one's input, so they repeat until nothing changes.
	var liveLabels []uuid.UUID
	for u, m := range byItem {
		if m["label.live"].value == "true" && str(m, "label.name") != "" && !strings.Contains(str(m, "label.name"), "/") {
			liveLabels = append(liveLabels, u)
		}
	}
	sort.Slice(liveLabels, func(i, j int) bool { return less(liveLabels[i], liveLabels[j]) })
	isLive := map[uuid.UUID]bool{}
	for _, u := range liveLabels {
		isLive[u] = true
	}
	parent := map[uuid.UUID]uuid.UUID{}
	for _, u := range liveLabels {
		if p, err := uuid.Parse(str(byItem[u], "label.parent")); err == nil && isLive[p] && p != u {
			parent[u] = p
		}
	}
	alias := map[uuid.UUID]uuid.UUID{}
	for _, u := range liveLabels {
		alias[u] = u
	}
	resolve := func(u uuid.UUID) uuid.UUID {
		for i := 0; i < len(liveLabels)+1 && alias[u] != u; i++ {
			u = alias[u]
		}
		return u
	}
	for round := 0; round < len(liveLabels)+2; round++ {
		changed := false
		// Cycles: walk up from each canonical label; a walk that returns to a label on its
		// path found a cycle, which loses the parent written last.
		for _, u := range liveLabels {
			if resolve(u) != u {
				continue
			}
			var path []uuid.UUID
			on := map[uuid.UUID]bool{}
			for x := u; x != uuid.Nil; {
				if on[x] {
					i := slices.Index(path, x)
					cyc := path[i:]
					worst := cyc[0]
					for _, c := range cyc[1:] {
						if byItem[c]["label.parent"].wins(byItem[worst]["label.parent"]) {
							worst = c
						}
					}
					delete(parent, worst)
					changed = true
					break
				}
				on[x] = true
				path = append(path, x)
				p, ok := parent[x]
				if !ok {
					break
				}
				x = resolve(p)
			}
		}
		// Siblings of one name: the smaller UUID is the label shown.
		seen := map[string]uuid.UUID{}
		for _, u := range liveLabels {
			if resolve(u) != u {
				continue
			}
			p := uuid.Nil
			if x, ok := parent[u]; ok {
				p = resolve(x)
			}
			key := p.String() + "/" + str(byItem[u], "label.name")
			if c, ok := seen[key]; ok {
				alias[u] = c
				changed = true
				continue
			}
			seen[key] = u
		}
		if !changed {
			break
		}
	}
	for _, u := range liveLabels {
		c := resolve(u)
		d.labAlias[u] = c
		if c != u {
			continue
		}
		m := byItem[u]
		p := uuid.Nil
		if x, ok := parent[u]; ok {
			p = resolve(x)
		}
		lo, hi := span(m, "label.")
		color := str(m, "label.color")
		if !ValidColor(color) {
			color = ""
		}
		d.labels[u] = labelState{name: str(m, "label.name"), color: color, parent: p, created: lo, updated: hi}
	}

	// Metadata of the entries present here.
	for e, m := range byItem {
		ms := &metaState{}
		any := false
		for f, r := range m {
			switch {
			case f == "meta.notes":
				ms.notes, _ = unJSONString(r.value)
				ms.hasNotes = ms.notes != ""
				any = any || ms.hasNotes
			case f == "meta.favorite":
				ms.favorite = r.value == "true"
				any = any || ms.favorite
			case f == "meta.hidden":
				ms.hidden = r.value == "true"
				any = any || ms.hidden
			case f == "meta.data":
				if r.value != "null" && r.value != "{}" && strings.HasPrefix(r.value, "{") {
					ms.data, ms.hasDataJSON = r.value, true
					any = true
				}
			case strings.HasPrefix(f, "tag:"):
				t, _ := uuid.Parse(f[4:])
				if c, ok := d.tagAlias[t]; ok && r.value == "true" && !slices.Contains(ms.tags, c) {
					ms.tags = append(ms.tags, c)
					any = true
				}
			case strings.HasPrefix(f, "label:"):
				t, _ := uuid.Parse(f[6:])
				if c, ok := d.labAlias[t]; ok && r.value == "true" && !slices.Contains(ms.labels, c) {
					ms.labels = append(ms.labels, c)
					any = true
				}
			}
		}
		if !any {
			continue
		}
		id, ok := l.entryIDOfUUID(e)
		if !ok {
			continue
		}
		var exists bool
		if err := tx.QueryRowContext(ctx, `SELECT EXISTS (SELECT 1 FROM entries WHERE id = ?)`, id).Scan(&exists); err != nil {
			return nil, err
		}
		if !exists {
			continue
		}
		ms.entryID = id
		if u, err := uuid.Parse(str(m, "meta.uuid")); err == nil {
			ms.muuid = u
		} else {
			ms.muuid = uuid.NewSHA1(e, []byte("metadata"))
		}
		slices.SortFunc(ms.tags, func(a, b uuid.UUID) int { return bytes.Compare(a[:], b[:]) })
		slices.SortFunc(ms.labels, func(a, b uuid.UUID) int { return bytes.Compare(a[:], b[:]) })
		ms.created, ms.updated = span(m, "")
		d.meta[e] = ms
	}
	return d, nil
}

// project renders derived data as a projection, for comparison with the tables'.
func (d *derived) project() projection {
	p := projection{}
	for u, t := range d.tags {
		p[regKey{u, "tag.live"}] = "true"
		p[regKey{u, "tag.name"}] = jsonString(t.name)
		if t.color != "" {
			p[regKey{u, "tag.color"}] = jsonString(t.color)
		}
		if t.icon != "" {
			p[regKey{u, "tag.icon"}] = jsonString(t.icon)
		}
	}
	for u, lb := range d.labels {
		p[regKey{u, "label.live"}] = "true"
		p[regKey{u, "label.name"}] = jsonString(lb.name)
		if lb.color != "" {
			p[regKey{u, "label.color"}] = jsonString(lb.color)
		}
		if lb.parent != uuid.Nil {
			p[regKey{u, "label.parent"}] = jsonString(lb.parent.String())
		}
	}
	for e, m := range d.meta {
		p[regKey{e, "meta.uuid"}] = jsonString(m.muuid.String())
		if m.hasNotes {
			p[regKey{e, "meta.notes"}] = jsonString(m.notes)
		}
		if m.favorite {
			p[regKey{e, "meta.favorite"}] = "true"
		}
		if m.hidden {
			p[regKey{e, "meta.hidden"}] = "true"
		}
		if m.hasDataJSON {
			p[regKey{e, "meta.data"}] = m.data
		}
		for _, t := range m.tags {
			p[regKey{e, "tag:" + t.String()}] = "true"
		}
		for _, lb := range m.labels {
			p[regKey{e, "label:" + lb.String()}] = "true"
		}
	}
	return p
}

func absentValue(field string) string {
	if field == "tag.live" || field == "label.live" || strings.Contains(field, ":") {
		return "false"
	}
	return "null"
}

// stageShared turns the local edits since the last stage into register writes and logs
// them as one message.
func (l *Library) stageShared(ctx context.Context, tx *sql.Tx) (int, error) {
	regs, err := loadRegisters(ctx, tx)
	if err != nil {
		return 0, err
	}
	d, err := l.derive(ctx, tx, regs)
	if err != nil {
		return 0, err
	}
	want := d.project()
	have, err := l.projectTables(ctx, tx)
	if err != nil {
		return 0, err
	}
	changes := map[regKey]string{}
	for k, v := range have {
		if want[k] != v {
			changes[k] = v
		}
	}
	for k := range want {
		if _, ok := have[k]; ok {
			continue
		}
		changes[k] = absentValue(k.field)
		// A membership shown through a merged tag or label ends on every register behind it.
		for _, p := range []struct {
			prefix string
			alias  map[uuid.UUID]uuid.UUID
		}{{"tag:", d.tagAlias}, {"label:", d.labAlias}} {
			s, ok := strings.CutPrefix(k.field, p.prefix)
			if !ok {
				continue
			}
			shown, _ := uuid.Parse(s)
			for from, to := range p.alias {
				if to == shown && from != shown {
					fk := regKey{k.item, p.prefix + from.String()}
					if r, ok := regs[fk]; ok && r.value == "true" {
						changes[fk] = "false"
					}
				}
			}
		}
	}
	if len(changes) == 0 {
		return 0, nil
	}
	h, err := l.tick(ctx, tx)
	if err != nil {
		return 0, err
	}
	var devUUID uuid.UUID
	if err := tx.QueryRowContext(ctx, `SELECT uuid FROM devices WHERE id = ?`, l.deviceID).Scan(&devUUID); err != nil {
		return 0, err
	}
	keys := make([]regKey, 0, len(changes))
	for k := range changes {
		keys = append(keys, k)
	}
	sort.Slice(keys, func(i, j int) bool {
		if c := bytes.Compare(keys[i].item[:], keys[j].item[:]); c != 0 {
			return c < 0
		}
		return keys[i].field < keys[j].field
	})
	var w wireRegs
	for _, k := range keys {
		r := register{h, devUUID, changes[k]}
		if _, err := putRegister(ctx, tx, k, r); err != nil {
			return 0, err
		}
		w.R = append(w.R, wireReg{Item: k.item, Field: k.field, HLC: h, Value: r.value})
	}
	body, _ := json.Marshal(w)
	var seq int64
	if err := tx.QueryRowContext(ctx, `SELECT log_seq + 1 FROM sync_state WHERE id = 1`).Scan(&seq); err != nil {
		return 0, err
	}
	if err := logMessage(ctx, tx, fmt.Sprintf("o.%d", seq), body); err != nil {
		return 0, err
	}
	// The tables now show what the registers derive (timestamps from the clock, merges).
	return 1, l.deriveShared(ctx, tx)
}

// deriveShared rewrites the shared tables to what the registers derive, touching only rows
// that differ.
func (l *Library) deriveShared(ctx context.Context, tx *sql.Tx) error {
	regs, err := loadRegisters(ctx, tx)
	if err != nil {
		return err
	}
	if len(regs) == 0 {
		return nil
	}
	d, err := l.derive(ctx, tx, regs)
	if err != nil {
		return err
	}
	// Tags.
	tagID := map[uuid.UUID]int64{}
	type row struct {
		id                int64
		name, color, icon string
		created, updated  int64
		parent            sql.NullInt64
	}
	readRows := func(q string) (map[uuid.UUID]row, error) {
		rows, err := tx.QueryContext(ctx, q)
		if err != nil {
			return nil, err
		}
		defer rows.Close()
		out := map[uuid.UUID]row{}
		for rows.Next() {
			var u uuid.UUID
			var r row
			var color, icon sql.NullString
			if err := rows.Scan(&r.id, &u, &r.name, &color, &icon, &r.parent, &r.created, &r.updated); err != nil {
				return nil, err
			}
			r.color, r.icon = color.String, icon.String
			out[u] = r
		}
		return out, rows.Err()
	}
	tags, err := readRows(`SELECT id, uuid, name, color, icon, NULL, created_at, updated_at FROM tags`)
	if err != nil {
		return err
	}
	for u, r := range tags {
		if _, ok := d.tags[u]; !ok {
			if _, err := tx.ExecContext(ctx, `DELETE FROM tags WHERE id = ?`, r.id); err != nil {
				return err
			}
		} else if r.name != d.tags[u].name {
			if _, err := tx.ExecContext(ctx, `UPDATE tags SET name = name || x'00' || id WHERE id = ?`, r.id); err != nil {
				return err
			}
		}
	}
	for _, u := range sortedUUIDs(d.tags) {
		t := d.tags[u]
		_, err := tx.ExecContext(ctx, `INSERT INTO tags (uuid, name, color, icon, created_at, updated_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6)
ON CONFLICT (uuid) DO UPDATE SET name = ?2, color = ?3, icon = ?4, created_at = ?5, updated_at = ?6
WHERE (name, color, icon, created_at, updated_at) IS NOT (?2, ?3, ?4, ?5, ?6)`, u[:], t.name, nullString(t.color), nullString(t.icon), t.created, t.updated)
		if err != nil {
			return err
		}
		var id int64
		if err := tx.QueryRowContext(ctx, `SELECT id FROM tags WHERE uuid = ?`, u[:]).Scan(&id); err != nil {
			return err
		}
		tagID[u] = id
	}
	// Labels: parents cleared first, so that no intermediate state is a cycle (the trigger
	// labels_no_cycle refuses those), then set.
	labels, err := readRows(`SELECT id, uuid, name, color, NULL, parent_id, created_at, updated_at FROM labels`)
	if err != nil {
		return err
	}
	for u, r := range labels {
		if _, ok := d.labels[u]; !ok {
			if _, err := tx.ExecContext(ctx, `UPDATE labels SET parent_id = NULL WHERE parent_id = ?`, r.id); err != nil {
				return err
			}
			if _, err := tx.ExecContext(ctx, `DELETE FROM labels WHERE id = ?`, r.id); err != nil {
				return err
			}
		}
	}
	if _, err := tx.ExecContext(ctx, `UPDATE labels SET parent_id = NULL, name = name || x'00' || id `); err != nil {
		return err
	}
	labelID := map[uuid.UUID]int64{}
	for _, u := range sortedUUIDs(d.labels) {
		lb := d.labels[u]
		var id int64
		if err := tx.QueryRowContext(ctx, `INSERT INTO labels (uuid, name, color, parent_id, created_at, updated_at) VALUES (?1, ?2 || x'00' || hex(?1), ?3, NULL, ?4, ?5)
ON CONFLICT (uuid) DO UPDATE SET name = ?2 || x'00' || hex(?1), color = ?3, created_at = ?4, updated_at = ?5 RETURNING id`,
			u[:], lb.name, nullString(lb.color), lb.created, lb.updated).Scan(&id); err != nil {
			return err
		}
		labelID[u] = id
	}
	for _, u := range sortedUUIDs(d.labels) {
		lb := d.labels[u]
		var p any
		if lb.parent != uuid.Nil {
			p = labelID[lb.parent]
		}
		if _, err := tx.ExecContext(ctx, `UPDATE labels SET name = ?, parent_id = ? WHERE id = ?`, lb.name, p, labelID[u]); err != nil {
			return err
		}
	}
	// Metadata of present entries.
	type mrow struct {
		entry, meta int64
	}
	existing := map[int64]int64{} // entry id → metadata id
	rows, err := tx.QueryContext(ctx, `SELECT id, metadata_id FROM entries WHERE metadata_id IS NOT NULL`)
	if err != nil {
		return err
	}
	for rows.Next() {
		var r mrow
		if err := rows.Scan(&r.entry, &r.meta); err != nil {
			rows.Close()
			return err
		}
		existing[r.entry] = r.meta
	}
	rows.Close()
	want := map[int64]*metaState{}
	for _, m := range d.meta {
		want[m.entryID] = m
	}
	for e, mid := range existing {
		if _, ok := want[e]; !ok {
			if _, err := tx.ExecContext(ctx, `DELETE FROM user_metadata WHERE id = ?`, mid); err != nil {
				return err
			}
		}
	}
	for _, e := range sortedKeys(want) {
		m := want[e]
		mid, ok := existing[e]
		var data any
		if m.hasDataJSON {
			data = m.data
		}
		if !ok {
			// A stale row of the same UUID (its entry went away and came back) is reused.
			if err := tx.QueryRowContext(ctx, `INSERT INTO user_metadata (uuid, notes, favorite, hidden, custom_data, created_at, updated_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)
ON CONFLICT (uuid) DO UPDATE SET notes = ?2 RETURNING id`,
				m.muuid[:], nullString(m.notes), m.favorite, m.hidden, data, m.created, m.updated).Scan(&mid); err != nil {
				return err
			}
			if _, err := tx.ExecContext(ctx, `UPDATE entries SET metadata_id = ? WHERE id = ?`, mid, e); err != nil {
				return err
			}
		}
		if _, err := tx.ExecContext(ctx, `UPDATE user_metadata SET uuid = ?1, notes = ?2, favorite = ?3, hidden = ?4, custom_data = ?5, created_at = ?6, updated_at = ?7
WHERE id = ?8 AND (uuid, notes, favorite, hidden, custom_data, created_at, updated_at) IS NOT (?1, ?2, ?3, ?4, ?5, ?6, ?7)`,
			m.muuid[:], nullString(m.notes), m.favorite, m.hidden, data, m.created, m.updated, mid); err != nil {
			return err
		}
		tids := make([]int64, 0, len(m.tags))
		for _, t := range m.tags {
			tids = append(tids, tagID[t])
		}
		lids := make([]int64, 0, len(m.labels))
		for _, t := range m.labels {
			lids = append(lids, labelID[t])
		}
		tj, _ := json.Marshal(tids)
		lj, _ := json.Marshal(lids)
		for _, q := range []string{
			`DELETE FROM metadata_tag WHERE metadata_id = ?1 AND tag_id NOT IN (SELECT value FROM json_each(?2))`,
			`INSERT INTO metadata_tag (metadata_id, tag_id) SELECT ?1, value FROM json_each(?2) WHERE true ON CONFLICT DO NOTHING`,
		} {
			if _, err := tx.ExecContext(ctx, q, mid, string(tj)); err != nil {
				return err
			}
		}
		for _, q := range []string{
			`DELETE FROM metadata_label WHERE metadata_id = ?1 AND label_id NOT IN (SELECT value FROM json_each(?2))`,
			`INSERT INTO metadata_label (metadata_id, label_id) SELECT ?1, value FROM json_each(?2) WHERE true ON CONFLICT DO NOTHING`,
		} {
			if _, err := tx.ExecContext(ctx, q, mid, string(lj)); err != nil {
				return err
			}
		}
	}
	return nil
}

func sortedUUIDs[V any](m map[uuid.UUID]V) []uuid.UUID {
	out := make([]uuid.UUID, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	slices.SortFunc(out, func(a, b uuid.UUID) int { return bytes.Compare(a[:], b[:]) })
	return out
}

func sortedKeys[V any](m map[int64]V) []int64 {
	out := make([]int64, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	slices.Sort(out)
	return out
}

// SyncSharedDump renders the shared tables (tags, labels, metadata and memberships) by UUID,
// without local row ids: two devices that converged give the same text.
func (l *Library) SyncSharedDump(ctx context.Context) (string, error) {
	var b strings.Builder
	err := l.view(ctx, "sync.dump", func(tx *sql.Tx) error {
		for _, q := range []string{
			`SELECT 'tag', hex(uuid), name, coalesce(color, ''), coalesce(icon, ''), created_at, updated_at FROM tags ORDER BY uuid`,
			`SELECT 'label', hex(l.uuid), l.name, coalesce(l.color, ''), coalesce(hex(p.uuid), ''), l.created_at, l.updated_at FROM labels l LEFT JOIN labels p ON p.id = l.parent_id ORDER BY l.uuid`,
			`SELECT 'meta', e.id, hex(m.uuid), coalesce(m.notes, ''), m.favorite, m.hidden, coalesce(m.custom_data, '') FROM entries e JOIN user_metadata m ON m.id = e.metadata_id ORDER BY m.uuid`,
			`SELECT 'tagged', e.id, hex(t.uuid), '', '', '', '' FROM entries e JOIN metadata_tag mt ON mt.metadata_id = e.metadata_id JOIN tags t ON t.id = mt.tag_id ORDER BY 2, 3`,
			`SELECT 'labeled', e.id, hex(t.uuid), '', '', '', '' FROM entries e JOIN metadata_label mt ON mt.metadata_id = e.metadata_id JOIN labels t ON t.id = mt.label_id ORDER BY 2, 3`,
		} {
			rows, err := tx.QueryContext(ctx, q)
			if err != nil {
				return err
			}
			var lines []string
			for rows.Next() {
				var kind string
				var f [6]sql.NullString
				if err := rows.Scan(&kind, &f[0], &f[1], &f[2], &f[3], &f[4], &f[5]); err != nil {
					rows.Close()
					return err
				}
				if kind != "tag" && kind != "label" {
					// Entry ids differ between devices; their UUIDs do not.
					var id int64
					fmt.Sscan(f[0].String, &id)
					f[0].String = hex.EncodeToString(func() []byte { u := l.entryUUID(id); return u[:] }())
				}
				lines = append(lines, fmt.Sprintf("%s %s %q %q %q %s %s", kind, f[0].String, f[1].String, f[2].String, f[3].String, f[4].String, f[5].String))
			}
			rows.Close()
			if err := rows.Err(); err != nil {
				return err
			}
			sort.Strings(lines)
			for _, ln := range lines {
				b.WriteString(ln)
				b.WriteByte('\n')
			}
		}
		return nil
	})
	return b.String(), err
}
