package bindings

import (
	"errors"

	"github.com/filedex/filedex/core"
)

// coreCodes maps the core's stable error codes to wire codes.
var coreCodes = map[core.Code]int{
	core.CodeNotFound:     CodeNotFound,
	core.CodeConflict:     CodeConflict,
	core.CodeInvalid:      CodeInvalid,
	core.CodeReadOnly:     CodeReadOnly,
	core.CodeBusy:         CodeBusy,
	core.CodeSandbox:      CodeSandbox,
	core.CodeIncompatible: CodeIncompatible,
	core.CodeCancelled:    CodeCancelled,
	core.CodeInternal:     CodeInternal,
	core.CodeDiskFull:     CodeDiskFull,
	core.CodeUnsupported:  CodeUnsupported,
}

// coreError converts an error of the core. An invalid argument that names its
// field is reported as CodeInvalidParams with data.field, like a params
// decoding error: to a client both mean "fix this member of your request".
func coreError(err error) (*Error, bool) {
	var ce *core.Error
	isCore := errors.As(err, &ce)
	code := core.CodeOf(err)
	if !isCore && code == core.CodeInternal {
		return nil, false // not the core's: let toError decide
	}
	if isCore && ce.Field != "" && code == core.CodeInvalid {
		return &Error{Code: CodeInvalidParams, Message: err.Error(), Data: &ErrorData{Field: ce.Field}}, true
	}
	wire, ok := coreCodes[code]
	if !ok {
		wire = CodeInternal
	}
	return &Error{Code: wire, Message: err.Error()}, true
}
