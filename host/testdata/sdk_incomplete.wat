;; Exports rpchost_abi_version and nothing else of ABI v1, not even its
;; memory: refused at load with one problem per missing export.
;; Built with: wat2wasm sdk_incomplete.wat -o sdk_incomplete.wasm
(module
  (func (export "rpchost_abi_version") (result i32) i32.const 1))
