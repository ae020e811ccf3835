// The four exports of an SDK module (abi/doc.go, "Exports of an SDK
// module"). A guest's entry file re-exports them:
//
//	export * from "<path to sdk/assemblyscript>/assembly/exports";

import { allocCallRegion, startCall } from "./arena";
import { dispatch, manifest } from "./registry";
import { Writer } from "./msgpack";
// The build points abort at abort.ts (asc --use abort=...): it must be part of the program.
import "./abort";

function packed(w: Writer): i64 {
  return (<i64>w.ptr << 32) | <i64>(<u32>w.len);
}

export function rpchost_abi_version(): i32 {
  return 1;
}

export function rpchost_alloc(size: i32): i32 {
  if (size < 0) unreachable();
  return <i32>allocCallRegion(<usize>size);
}

export function rpchost_describe(): i64 {
  startCall();
  return packed(manifest());
}

export function rpchost_call(ptr: i32, len: i32): i64 {
  startCall();
  return packed(dispatch(<usize>ptr, <usize>len));
}
