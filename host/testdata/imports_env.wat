;; A module importing a host function rpchost does not provide: refused at load.
;; Built with: wat2wasm imports_env.wat -o imports_env.wasm
(module
  (import "env" "launch_missiles" (func $launch (param i32)))
  (func (export "go") (param i32) (local.get 0) (call $launch)))
