// UTF-8 validation: the ABI makes a str that is not valid UTF-8 invalid
// (as the MessagePack specification does), and AssemblyScript's decoder
// would quietly turn bad bytes into something else.

/** Reports whether the n bytes at p are valid UTF-8 (no overlong forms, surrogates or code points above U+10FFFF). */
export function validUTF8(p: usize, n: usize): bool {
  let end = p + n;
  while (p < end) {
    let c = <u32>load<u8>(p);
    if (c < 0x80) {
      p++;
      continue;
    }
    let need: usize;
    let min: u32;
    if ((c & 0xe0) == 0xc0) { need = 1; min = 0x80; c &= 0x1f; }
    else if ((c & 0xf0) == 0xe0) { need = 2; min = 0x800; c &= 0x0f; }
    else if ((c & 0xf8) == 0xf0) { need = 3; min = 0x10000; c &= 0x07; }
    else return false;
    if (end - p <= need) return false;
    for (let i: usize = 1; i <= need; i++) {
      let d = <u32>load<u8>(p + i);
      if ((d & 0xc0) != 0x80) return false;
      c = (c << 6) | (d & 0x3f);
    }
    if (c < min || c > 0x10ffff || (c >= 0xd800 && c <= 0xdfff)) return false;
    p += need + 1;
  }
  return true;
}
