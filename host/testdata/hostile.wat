;; A catalogue of hostile procedures, one export per way a module can
;; misbehave; sandbox_test.go expects a specific fault from each, and the
;; server to keep serving everyone else.
;; Built with: wat2wasm hostile.wat -o hostile.wasm
(module
  (import "wasi_snapshot_preview1" "fd_write" (func $fd_write (param i32 i32 i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "proc_exit" (func $proc_exit (param i32)))
  (import "wasi_snapshot_preview1" "random_get" (func $random_get (param i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "poll_oneoff" (func $poll_oneoff (param i32 i32 i32 i32) (result i32)))
  (memory (export "memory") 1)
  ;; iovec at 0: 4096 bytes from address 16; fd_write stores its count at 8.
  (data (i32.const 0) "\10\00\00\00\00\10\00\00")
  (data (i32.const 16) "hostile output\n")

  ;; Never returns: stopped by the call's time limit.
  (func (export "spin") (result i32)
    (loop $forever (br $forever))
    i32.const 0)

  ;; Grows memory until the limit refuses, then aborts as a C program's
  ;; failed malloc would.
  (func (export "bomb") (result i32)
    (loop $grow
      (br_if $grow (i32.ne (memory.grow (i32.const 128)) (i32.const -1))))
    unreachable)

  ;; Unbounded recursion: a stack overflow.
  (func $recurse (export "recurse") (param i64) (result i64)
    (i64.add (call $recurse (i64.add (local.get 0) (i64.const 1))) (i64.const 1)))

  (func (export "crash") (result i32)
    unreachable)

  (func (export "divzero") (param i32) (result i32)
    (i32.div_s (i32.const 1) (local.get 0)))

  (func (export "oob") (result i32)
    (i32.load (i32.const 0x7ffffff0)))

  ;; Writes n blocks of 4 KiB to stdout.
  (func (export "spew") (param $n i32) (result i32)
    (local $i i32)
    (loop $write
      (drop (call $fd_write (i32.const 1) (i32.const 0) (i32.const 1) (i32.const 8)))
      (local.set $i (i32.add (local.get $i) (i32.const 1)))
      (br_if $write (i32.lt_u (local.get $i) (local.get $n))))
    (local.get $i))

  ;; Calls WASI proc_exit(3) in the middle of a call.
  (func (export "quit") (result i32)
    (call $proc_exit (i32.const 3))
    i32.const 0)

  ;; The slow iterations below each run until stopped; an iteration is
  ;; long (a bulk instruction or a host call over 60 MiB), so a time limit
  ;; counted in iterations would let them run for minutes.

  ;; Grows memory to at least $bytes, or traps.
  (func $room (param $bytes i32)
    (local $need i32)
    (local.set $need (i32.sub
      (i32.shr_u (i32.add (local.get $bytes) (i32.const 65535)) (i32.const 16))
      (memory.size)))
    (if (i32.gt_s (local.get $need) (i32.const 0))
      (then (if (i32.eq (memory.grow (local.get $need)) (i32.const -1)) (then unreachable)))))

  ;; memory.fill over 60 MiB per iteration.
  (func (export "fill") (result i32)
    (call $room (i32.const 62914560))
    (loop $l
      (memory.fill (i32.const 0) (i32.const 1) (i32.const 62914560))
      (br $l))
    i32.const 0)

  ;; memory.copy of 30 MiB per iteration.
  (func (export "copy") (result i32)
    (call $room (i32.const 62914560))
    (loop $l
      (memory.copy (i32.const 0) (i32.const 31457280) (i32.const 31457280))
      (br $l))
    i32.const 0)

  ;; WASI random_get of 60 MiB per iteration.
  (func (export "random") (result i32)
    (call $room (i32.const 62914560))
    (loop $l
      (drop (call $random_get (i32.const 0) (i32.const 62914560)))
      (br $l))
    i32.const 0)

  ;; WASI fd_write of a million empty iovecs (at 64 KiB) per iteration:
  ;; no output, so only time can stop it.
  (func (export "iovecs") (result i32)
    (call $room (i32.const 8454144))
    (loop $l
      (drop (call $fd_write (i32.const 1) (i32.const 65536) (i32.const 1048576) (i32.const 8)))
      (br $l))
    i32.const 0)

  ;; WASI poll_oneoff of 700,000 clock subscriptions (zeroed: a timeout of
  ;; 0) per iteration: 33.6 MB read, 22.4 MB of events written.
  (func (export "polls") (result i32)
    (call $room (i32.const 62914560))
    (loop $l
      (drop (call $poll_oneoff (i32.const 0) (i32.const 33600000) (i32.const 700000) (i32.const 60000000)))
      (br $l))
    i32.const 0))
