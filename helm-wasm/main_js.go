//go:build js && wasm

package main

import "syscall/js"

func main() {
	js.Global().Set("gitopsDriftHelmRender", js.FuncOf(func(_ js.Value, args []js.Value) any {
		if len(args) != 1 || args[0].Type() != js.TypeString {
			return handle("")
		}
		return handle(args[0].String())
	}))
	// Tell the host the engine is ready, then keep the Go runtime alive for later calls.
	if ready := js.Global().Get("gitopsDriftHelmReady"); ready.Type() == js.TypeFunction {
		ready.Invoke()
	}
	select {}
}
