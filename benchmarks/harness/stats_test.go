package harness

import "testing"

func TestSummarize(t *testing.T) {
	s := make([]int64, 1000)
	for i := range s {
		s[i] = int64(1000 - i) // unsorted input
	}
	got := Summarize(s)
	if got.N != 1000 || got.Min != 1 || got.Max != 1000 || got.Median != 500.5 || got.P99 != 990 {
		t.Fatalf("%+v", got)
	}
	if one := Summarize([]int64{7}); one.Median != 7 || one.P99 != 7 {
		t.Fatalf("%+v", one)
	}
}

func TestRatios(t *testing.T) {
	rs := []Result{
		{Engine: "seed-ddl", RepNs: []int64{200, 400, 300}},
		{Engine: RefEngine, RepNs: []int64{100, 100, 100}},
	}
	ratios(rs)
	if r := rs[0].Ratio; r == nil || r.Ref != RefEngine || r.Median != 3 || r.Min != 2 || r.Max != 4 {
		t.Fatalf("%+v", rs[0].Ratio)
	}
	if rs[1].Ratio != nil {
		t.Fatal("reference has a ratio to itself")
	}
}
