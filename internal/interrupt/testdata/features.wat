;; Fixture for package interrupt: loops of several shapes, a loop-free
;; function, and instructions with every kind of immediate (memory
;; arguments, lanes, 16-byte constants, vectors of labels and types, two
;; indices, prefixed opcodes), which Instrument must step over exactly.
;; Imports a global, so the flag's index must count imported globals.
;; Built with: wat2wasm features.wat -o features.wasm (interrupt_test.go checks it).
(module
  (import "env" "base" (global $base i32))
  (type $binop (func (param i32 i32) (result i32)))
  (memory (export "memory") 1)
  (table $t 4 funcref)
  (global $counter (mut i32) (i32.const 0))
  (global $wide i64 (i64.const -9223372036854775808))
  (data $passive "\01\02\03\04\05\06\07\08")
  (elem (table $t) (i32.const 0) func $add $sub)
  (elem declare func $answer)

  (func $add (type $binop) (i32.add (local.get 0) (local.get 1)))
  (func $sub (type $binop) (i32.sub (local.get 0) (local.get 1)))

  ;; No loop: only the entry check can stop it.
  (func $answer (export "answer") (result i32) (i32.const 42))

  ;; Runs until stopped.
  (func (export "spin")
    (loop $l
      (global.set $counter (i32.add (global.get $counter) (i32.const 1)))
      (br $l)))

  ;; A loop taking and returning a value: the check must leave it in place.
  (func (export "countdown") (param $n i32) (result i32)
    (local.get $n)
    (loop $l (param i32) (result i32)
      (i32.sub (i32.const 1))
      (local.tee $n)
      (br_if $l (i32.gt_s (local.get $n) (i32.const 0)))))

  ;; Nested loops: sum of i*j for i, j < n.
  (func (export "nested") (param $n i32) (result i64)
    (local $i i32) (local $j i32) (local $acc i64)
    (block $done_i
      (loop $next_i
        (br_if $done_i (i32.ge_u (local.get $i) (local.get $n)))
        (local.set $j (i32.const 0))
        (block $done_j
          (loop $next_j
            (br_if $done_j (i32.ge_u (local.get $j) (local.get $n)))
            (local.set $acc (i64.add (local.get $acc)
              (i64.extend_i32_u (i32.mul (local.get $i) (local.get $j)))))
            (local.set $j (i32.add (local.get $j) (i32.const 1)))
            (br $next_j)))
        (local.set $i (i32.add (local.get $i) (i32.const 1)))
        (br $next_i)))
    (local.get $acc))

  ;; Every kind of immediate, folded into one number.
  (func (export "mix") (param $x i32) (result i64)
    (local $v v128) (local $r i64)
    ;; br_table over three blocks
    (block $c (block $b (block $a
      (br_table $a $b $c (i32.and (local.get $x) (i32.const 3))))
      (local.set $r (i64.const 100)) (br $c))
      (local.set $r (i64.const 200)))
    ;; call_indirect (type and table index), select with a type
    (local.set $r (i64.add (local.get $r) (i64.extend_i32_s
      (call_indirect $t (type $binop) (i32.const 7) (i32.const 5) (i32.const 1)))))
    (local.set $r (i64.add (local.get $r) (i64.extend_i32_s
      (select (result i32) (global.get $base) (i32.const 1) (local.get $x)))))
    ;; memory: fill, init from passive data, copy, loads and stores with offsets
    (memory.fill (i32.const 64) (i32.const 9) (i32.const 16))
    (memory.init $passive (i32.const 128) (i32.const 0) (i32.const 8))
    (data.drop $passive)
    (memory.copy (i32.const 256) (i32.const 128) (i32.const 8))
    (i64.store offset=8 align=4 (i32.const 512) (i64.load (i32.const 256)))
    (local.set $r (i64.add (local.get $r) (i64.load32_u offset=8 (i32.const 512))))
    (local.set $r (i64.add (local.get $r) (i64.extend_i32_u (i32.load8_u (i32.const 64)))))
    ;; SIMD: const, shuffle, lanes, load and store lane
    (local.set $v (v128.const i32x4 1 2 3 4))
    (local.set $v (i8x16.shuffle 4 5 6 7 0 1 2 3 12 13 14 15 8 9 10 11 (local.get $v) (local.get $v)))
    (local.set $v (i32x4.replace_lane 3 (local.get $v) (i32.const 40)))
    (local.set $v (i32x4.add (local.get $v) (v128.load offset=128 (i32.const 0))))
    (v128.store32_lane 1 (i32.const 600) (local.get $v))
    (local.set $v (v128.load32_zero (i32.const 600)))
    (local.set $r (i64.add (local.get $r) (i64.extend_i32_u (i32x4.extract_lane 0 (local.get $v)))))
    (local.set $r (i64.add (local.get $r) (i64.extend_i32_u (i32x4.extract_lane 3 (i32x4.splat (i32.const 3))))))
    ;; floats: constants, saturating truncation, sign extension
    (local.set $r (i64.add (local.get $r) (i64.trunc_sat_f64_s (f64.const 1e30))))
    (local.set $r (i64.add (local.get $r) (i64.trunc_sat_f32_u (f32.const 2.5))))
    (local.set $r (i64.add (local.get $r) (i64.extend8_s (i64.const 0xff))))
    ;; tables and references
    (local.set $r (i64.add (local.get $r) (i64.extend_i32_u (table.size $t))))
    (drop (table.grow $t (ref.null func) (i32.const 2)))
    (table.set $t (i32.const 5) (ref.func $answer))
    (local.set $r (i64.add (local.get $r) (i64.extend_i32_u (ref.is_null (table.get $t (i32.const 4))))))
    (table.fill $t (i32.const 2) (ref.func $answer) (i32.const 2))
    (local.set $r (i64.add (local.get $r) (i64.extend_i32_s
      (call_indirect $t (type $binop) (i32.const 9) (i32.const 4) (i32.const 1)))))
    (local.set $r (i64.add (local.get $r) (i64.extend_i32_u (memory.size))))
    (drop (memory.grow (i32.const 0)))
    (local.set $r (i64.xor (local.get $r) (global.get $wide)))
    (local.get $r))
)
