package contentkind_test

import (
	"regexp"
	"strconv"
	"testing"

	"github.com/filedex/filedex/core/internal/contentkind"
	"github.com/filedex/filedex/migrations"
)

// TestSchemaLookupTable checks that the migrations' content_kinds rows are
// exactly contentkind.All(): the detector must never produce a code the
// table lacks, and the table must name each code as the detector does.
func TestSchemaLookupTable(t *testing.T) {
	insert := regexp.MustCompile(`(?is)INSERT\s+INTO\s+content_kinds\s*\(id,\s*name\)\s*VALUES(.*?);`)
	row := regexp.MustCompile(`\(\s*(\d+)\s*,\s*'([^']*)'\s*\)`)
	got := map[int]string{}
	for _, m := range migrations.All() {
		for _, ins := range insert.FindAllStringSubmatch(m.Up, -1) {
			for _, r := range row.FindAllStringSubmatch(ins[1], -1) {
				code, _ := strconv.Atoi(r[1])
				if prev, dup := got[code]; dup {
					t.Errorf("code %d inserted twice (%q, %q)", code, prev, r[2])
				}
				got[code] = r[2]
			}
		}
	}
	for _, k := range contentkind.All() {
		if got[int(k)] != k.String() {
			t.Errorf("code %d: schema says %q, contentkind says %q", k, got[int(k)], k)
		}
	}
	if len(got) != len(contentkind.All()) {
		t.Errorf("schema has %d kinds, contentkind %d", len(got), len(contentkind.All()))
	}
}
