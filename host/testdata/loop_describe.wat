;; An ABI v1 module whose rpchost_describe never returns: loading it must
;; end in a rejection at limits.load_timeout.
;; Built with: wat2wasm loop_describe.wat -o loop_describe.wasm
(module
  (memory (export "memory") 1)
  (func (export "rpchost_abi_version") (result i32) i32.const 1)
  (func (export "rpchost_alloc") (param i32) (result i32) i32.const 0)
  (func (export "rpchost_describe") (result i64) (loop $l (br $l)) i64.const 0)
  (func (export "rpchost_call") (param i32 i32) (result i64) i64.const 0))
