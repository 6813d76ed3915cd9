// Package sqlbind binds Go values to the parameters of a raw SQLite statement
// (github.com/ncruces/go-sqlite3), for the hot paths that skip database/sql: the indexer's
// writer and the benchmarks' bulk loaders.
package sqlbind

import (
	"fmt"

	"github.com/ncruces/go-sqlite3"
)

// Args binds args to parameters 1…len(args) of st. nil, nil slices and nil pointers bind
// NULL; int, int64, float64, string, []byte, bool, *int64 and *string bind their values.
func Args(st *sqlite3.Stmt, args ...any) error {
	for i, a := range args {
		var err error
		switch v := a.(type) {
		case nil:
			err = st.BindNull(i + 1)
		case int64:
			err = st.BindInt64(i+1, v)
		case int:
			err = st.BindInt64(i+1, int64(v))
		case float64:
			err = st.BindFloat(i+1, v)
		case string:
			err = st.BindText(i+1, v)
		case []byte:
			if v == nil {
				err = st.BindNull(i + 1)
			} else {
				err = st.BindBlob(i+1, v)
			}
		case bool:
			err = st.BindBool(i+1, v)
		case *int64:
			if v == nil {
				err = st.BindNull(i + 1)
			} else {
				err = st.BindInt64(i+1, *v)
			}
		case *string:
			if v == nil {
				err = st.BindNull(i + 1)
			} else {
				err = st.BindText(i+1, *v)
			}
		default:
			return fmt.Errorf("bind %d: unsupported type %T", i+1, a)
		}
		if err != nil {
			return err
		}
	}
	return nil
}
