;; Imports a function of module "rpchost" that ABI v1 does not have:
;; refused at load, listing the capabilities there are.
;; Built with: wat2wasm unknown_capability.wat -o unknown_capability.wasm
(module
  (import "rpchost" "launch_missiles" (func))
  (func (export "answer") (result i32) i32.const 42))
