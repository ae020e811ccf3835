;; Version 1 of a plugin whose answer changes between versions, for the
;; hot-reload tests. Built with: wat2wasm answer1.wat -o answer1.wasm
(module
  (func (export "answer") (result i64) i64.const 1)
  (func (export "slow") (param i64) (result i64)
    (local $i i64)
    (loop $spin
      (local.set $i (i64.add (local.get $i) (i64.const 1)))
      (br_if $spin (i64.lt_u (local.get $i) (local.get 0))))
    i64.const 1))
