package harness

import "runtime/debug"

var readBuildInfo = debug.ReadBuildInfo
