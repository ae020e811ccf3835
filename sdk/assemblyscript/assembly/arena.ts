// Memory for one call at a time. The module is built with AssemblyScript's
// stub runtime, a bump allocator that never frees (RATIONALE.md, "The
// AssemblyScript SDK's memory"): everything a call allocates is dropped at
// once when the next call starts, by moving the allocator's offset back.
//
// The stub runtime keeps its offset private, but its __free gives the
// most recent block back, so the offset can be moved down to any block
// boundary m: write at m a block header whose size reaches the current
// offset, and free it. Block boundaries are where the next block would
// start; mark() returns one.

// The stub runtime's block header is one u32, mmInfo: the payload's size
// (std/assembly/rt/common.ts, BLOCK_OVERHEAD).
const BLOCK_OVERHEAD: usize = 4;

/** The allocator's current offset: where its next block starts. */
export function mark(): usize {
  let p = heap.alloc(0);
  heap.free(p); // the last block: the offset goes back to where it was
  return p - BLOCK_OVERHEAD;
}

/** Frees everything allocated since m was marked. */
export function release(m: usize): void {
  let top = mark();
  if (top <= m) return;
  store<u32>(m, <u32>(top - m - BLOCK_OVERHEAD)); // one block from m to the top
  heap.free(m + BLOCK_OVERHEAD);
}

// base is the offset once the module's top-level code (register, ...) has
// run: what it allocated lives below, for the instance's life. callBase
// is above the region rpchost_alloc handed out, which the next
// rpchost_call reads.
let base: usize = 0;
let callBase: usize = 0;

function init(): void {
  if (base == 0) {
    base = mark();
    callBase = base;
  }
}

/** A region of size bytes for the host to write a call into; it frees every earlier call's memory. */
export function allocCallRegion(size: usize): usize {
  init();
  release(base);
  let p = heap.alloc(size);
  callBase = mark();
  return p;
}

/** Frees the previous call's memory, keeping the region allocCallRegion handed out. */
export function startCall(): void {
  init();
  release(callBase);
}
