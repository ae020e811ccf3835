;; Built with: wat2wasm remember.wat -o remember.wasm (fixtures_test.go checks it).
;; A procedure with state: remember(x) stores x in a global and in memory
;; and returns what the previous call stored there, as [global, memory].
;; Shared instances hand it from one caller to the next; with
;; isolation "call" every call must see [0, 0].
(module
  (global $last (mut i64) (i64.const 0))
  (memory 1)
  (func (export "remember") (param $x i64) (result i64 i64)
    (global.get $last)
    (i64.load (i32.const 8))
    (global.set $last (local.get $x))
    (i64.store (i32.const 8) (local.get $x))))
