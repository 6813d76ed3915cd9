package core_test

import (
	"context"
	"encoding/json"
	"path/filepath"
	"testing"

	"github.com/google/uuid"

	"github.com/filedex/filedex/core"
)

// FuzzSyncApply feeds arbitrary message bodies (another device's listings, tombstones,
// register batches, descriptions) to SyncApply: it must refuse or apply them, never panic,
// and leave a library that passes Check.
func FuzzSyncApply(f *testing.F) {
	f.Add("d.x.1", `{"t":"dir","l":{"u":"33333333-3333-4333-8333-333333333333","p":"/srv","m":"metadata"},"e":{"i":1,"n":"srv","k":1,"m":1},"c":[{"i":2,"n":"a","s":5,"m":1},{"i":3,"n":"sub","k":1,"m":1}]}`)
	f.Add("d.x.3", `{"t":"dir","l":{"u":"33333333-3333-4333-8333-333333333333","p":"/srv","m":"metadata"},"p":"sub","a":[{"i":1,"n":"srv"}],"e":{"i":3,"n":"sub","k":1,"m":1},"c":[{"i":4,"n":"b","s":7,"m":1,"h":42,"hk":1}]}`)
	f.Add("d.x.3", `{"t":"del","l":{"u":"33333333-3333-4333-8333-333333333333"},"p":"sub","e":{"i":3}}`)
	f.Add("o.1", `{"r":[{"i":"33333333-3333-4333-8333-333333333333","f":"tag.live","h":5,"v":"true"},{"i":"33333333-3333-4333-8333-333333333333","f":"tag.name","h":5,"v":"\"x\""}]}`)
	f.Add("dev", `{"name":"n","os":"o","hardware_model":"h"}`)
	dev := uuid.MustParse("11111111-1111-4111-8111-111111111111")
	d := core.NamedDevice("fuzz")
	l, err := core.Open(filepath.Join(f.TempDir(), "lib"), core.Options{Device: &d})
	if err != nil {
		f.Fatal(err)
	}
	defer l.Close()
	seq := int64(0)
	f.Fuzz(func(t *testing.T, subject, body string) {
		if !json.Valid([]byte(body)) {
			return // the transports deliver JSON bodies only (sync.apply's params are JSON)
		}
		seq++
		ctx := context.Background()
		l.SyncApply(ctx, []core.SyncMessage{{Device: dev, Seq: seq, Subject: subject, Body: json.RawMessage(body)}})
		rep, err := l.Check(ctx)
		if err != nil {
			t.Fatalf("check after %s %s: %v", subject, body, err)
		}
		if !rep.OK {
			t.Fatalf("check after %s %s: %+v", subject, body, rep)
		}
	})
}
