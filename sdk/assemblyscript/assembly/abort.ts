// What a failed assertion, a throw or an out-of-range index does:
// AssemblyScript calls abort, which by default is imported from module
// "env", and rpchost refuses any import outside wasi_snapshot_preview1 and
// "rpchost". The build points abort here (asc --use abort=...): the
// message goes to stderr, which the host writes to its log, and the
// module traps, which the client gets as fault -32000.

// @ts-ignore: decorator
@external("wasi_snapshot_preview1", "fd_write")
declare function fd_write(fd: i32, iovs: usize, iovsLen: i32, written: usize): i32;

export function rpchostAbort(message: string | null, fileName: string | null, line: u32, column: u32): void {
  let text = "rpchost guest: abort: " + (message != null ? message : "(no message)");
  if (fileName != null) text += " at " + fileName + ":" + line.toString() + ":" + column.toString();
  text += "\n";
  let b = String.UTF8.encode(text, false, String.UTF8.ErrorMode.REPLACE);
  let iov = memory.data(16);
  store<u32>(iov, changetype<usize>(b));
  store<u32>(iov + 4, <u32>b.byteLength);
  fd_write(2, iov, 1, iov + 8);
  unreachable();
}
