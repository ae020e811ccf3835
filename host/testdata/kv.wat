;; Uses the host capabilities without an SDK, to test their semantics:
;; a call's writes are kept only if it succeeds, reads see the call's own
;; writes, and each plugin has its own namespace.
;; Built with: wat2wasm kv.wat -o kv.wasm
(module
  (import "rpchost" "kv_put" (func $put (param i32 i32 i32 i32) (result i32)))
  (import "rpchost" "kv_get" (func $get (param i32 i32) (result i32)))
  (import "rpchost" "time_now" (func $now (result i64)))
  (import "rpchost" "result_read" (func $read (param i32)))
  (import "rpchost" "log" (func $log (param i32 i32)))
  (memory (export "memory") 1)
  ;; key "a" at 0, key "b" at 1, value "1" at 2
  (data (i32.const 0) "ab1")
  ;; the log message [0, "incr", {}] in MessagePack at 16
  (data (i32.const 16) "\93\00\a4incr\80")

  (func (export "put_a") (result i32)
    (call $put (i32.const 0) (i32.const 1) (i32.const 2) (i32.const 1)))
  ;; The length of a's value (1), or -1 when a is not stored.
  (func (export "get_a") (result i32)
    (call $get (i32.const 0) (i32.const 1)))
  (func (export "get_b") (result i32)
    (call $get (i32.const 1) (i32.const 1)))
  (func (export "put_b_then_crash") (result i32)
    (drop (call $put (i32.const 1) (i32.const 1) (i32.const 2) (i32.const 1)))
    unreachable)
  (func (export "put_b_then_read") (result i32)
    (drop (call $put (i32.const 1) (i32.const 1) (i32.const 2) (i32.const 1)))
    (call $get (i32.const 1) (i32.const 1)))
  ;; An empty key is refused: the answer is a failure (-2 - message length).
  (func (export "put_empty_key") (result i32)
    (call $put (i32.const 0) (i32.const 0) (i32.const 2) (i32.const 1)))
  (func (export "now") (result i64)
    (call $now))

  ;; Increments the i64 counter stored under "a" and returns its new value:
  ;; a read-then-write that concurrent calls must not lose.
  (func $incr (export "incr") (result i64)
    (local $v i64)
    (if (i32.eq (call $get (i32.const 0) (i32.const 1)) (i32.const 8))
      (then
        (call $read (i32.const 64))
        (local.set $v (i64.load (i32.const 64)))))
    (local.set $v (i64.add (local.get $v) (i64.const 1)))
    (i64.store (i32.const 64) (local.get $v))
    (drop (call $put (i32.const 0) (i32.const 1) (i32.const 64) (i32.const 8)))
    (local.get $v))

  ;; incr that logs one line first: a retried attempt logs it again.
  (func (export "incr_logged") (result i64)
    (call $log (i32.const 16) (i32.const 8))
    (call $incr)))
