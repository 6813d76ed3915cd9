//go:build wasip1

package main

import "context"

// WASI preview 1 has no sockets: the network commands answer unsupported (nativeOnly says
// so before these are reached with --engine wasi; the WASI command build lands here).

func (a *app) syncJoin(ctx context.Context, hub string, f *syncFlags) error { return errNoNetwork }
func (a *app) syncNow(ctx context.Context, f *syncFlags) error              { return errNoNetwork }
func (a *app) syncServe(ctx context.Context, f *syncFlags) error            { return errNoNetwork }
