;; Writes and scans as much as a call can: the store's memory bounds
;; (store.max_txn_bytes, store.max_scan_bytes) under concurrent calls.
;; Built with: wat2wasm kvflood.wat -o kvflood.wasm (fixtures_test.go checks it).
(module
  (import "rpchost" "kv_put" (func $put (param i32 i32 i32 i32) (result i32)))
  (import "rpchost" "kv_scan" (func $scan (param i32 i32 i32) (result i32)))
  ;; an 8-byte key at 0, a 1 MiB value (zeros) at 64
  (memory (export "memory") 17)

  ;; $key writes i as 8 letters a-p (one per 4 bits): keys are UTF-8.
  (func $key (param $i i32)
    (local $j i32)
    (loop $next
      (i32.store8 (local.get $j)
        (i32.add (i32.const 97)
          (i32.and (i32.shr_u (local.get $i) (i32.mul (local.get $j) (i32.const 4))) (i32.const 15))))
      (local.set $j (i32.add (local.get $j) (i32.const 1)))
      (br_if $next (i32.lt_u (local.get $j) (i32.const 8)))))

  ;; Puts n values of 1 MiB under distinct keys, stopping at the first
  ;; refused put, and returns how many were accepted: it ignores the
  ;; refusal, as a careless guest would.
  (func (export "flood") (param $n i32) (result i32)
    (local $i i32)
    (block $done
      (loop $next
        (br_if $done (i32.ge_u (local.get $i) (local.get $n)))
        (call $key (local.get $i))
        (br_if $done (i32.ne
          (call $put (i32.const 0) (i32.const 8) (i32.const 64) (i32.const 1048576))
          (i32.const 0)))
        (local.set $i (i32.add (local.get $i) (i32.const 1)))
        (br $next)))
    (local.get $i))

  ;; Scans up to limit pairs of the whole namespace; returns kv_scan's
  ;; answer (the result's length, or a failure code below -1).
  (func (export "scan") (param $limit i32) (result i32)
    (call $scan (i32.const 0) (i32.const 0) (local.get $limit))))
