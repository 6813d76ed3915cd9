//go:build filedex_embed

package wasmhost

import _ "embed"

// libfiledex.wasm is copied here by `make embed` (it is git-ignored).
//
//go:embed libfiledex.wasm
var embeddedModule []byte

func init() { embedded = embeddedModule }
