;; An ABI v1 module whose one method, r, returns as its Result the bytes
;; of its base64 param, whatever they are: the tests hand the host any
;; result, well-formed or hostile, through every front end. The Call is
;; [ "r", [bin] ], so the bin's header is at byte 4 of it.
;; Built with: wat2wasm rawresult.wat -o rawresult.wasm
(module
  (memory (export "memory") 64)
  ;; The Manifest {"abi": 1, "methods": [{"name": "r"}]}, 23 bytes at 16.
  (data (i32.const 16) "\82\a3abi\01\a7methods\91\81\a4name\a1r")
  (func (export "rpchost_abi_version") (result i32) i32.const 1)
  (func (export "rpchost_alloc") (param i32) (result i32) i32.const 1024)
  (func (export "rpchost_describe") (result i64) i64.const 0x1000000017)
  (func $u8 (param $at i32) (result i32) (i32.load8_u (local.get $at)))
  (func (export "rpchost_call") (param $ptr i32) (param $len i32) (result i64)
    (local $fmt i32) (local $n i32) (local $data i32)
    (local.set $fmt (call $u8 (i32.add (local.get $ptr) (i32.const 4))))
    (if (i32.eq (local.get $fmt) (i32.const 0xc4))
      (then
        (local.set $n (call $u8 (i32.add (local.get $ptr) (i32.const 5))))
        (local.set $data (i32.add (local.get $ptr) (i32.const 6)))))
    (if (i32.eq (local.get $fmt) (i32.const 0xc5))
      (then
        (local.set $n (i32.or
          (i32.shl (call $u8 (i32.add (local.get $ptr) (i32.const 5))) (i32.const 8))
          (call $u8 (i32.add (local.get $ptr) (i32.const 6)))))
        (local.set $data (i32.add (local.get $ptr) (i32.const 7)))))
    (if (i32.eq (local.get $fmt) (i32.const 0xc6))
      (then
        (local.set $n (i32.or (i32.or
          (i32.shl (call $u8 (i32.add (local.get $ptr) (i32.const 5))) (i32.const 24))
          (i32.shl (call $u8 (i32.add (local.get $ptr) (i32.const 6))) (i32.const 16)))
          (i32.or
            (i32.shl (call $u8 (i32.add (local.get $ptr) (i32.const 7))) (i32.const 8))
            (call $u8 (i32.add (local.get $ptr) (i32.const 8))))))
        (local.set $data (i32.add (local.get $ptr) (i32.const 9)))))
    (i64.or
      (i64.shl (i64.extend_i32_u (local.get $data)) (i64.const 32))
      (i64.extend_i32_u (local.get $n)))))
