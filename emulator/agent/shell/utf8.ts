/**
 * UTF-8 validity with the rules of Go's `utf8.DecodeRune`, which the agent relies on both when it cuts
 * pty output into messages and (through `encoding/json`) when it serialises session data: a sequence is
 * valid only if it is complete, shortest-form, not a surrogate and not above U+10FFFF.
 */

/** Length (1-4) of the valid UTF-8 sequence starting at `buf[i]`, or 0 if it is invalid or incomplete. */
export function runeLength(buf: Uint8Array, i: number): number {
  const b0 = buf[i]!;
  if (b0 < 0x80) return 1;
  let n: number;
  let lo = 0x80;
  let hi = 0xbf;
  if (b0 >= 0xc2 && b0 <= 0xdf) n = 2;
  else if (b0 >= 0xe0 && b0 <= 0xef) {
    n = 3;
    if (b0 === 0xe0) lo = 0xa0;
    else if (b0 === 0xed) hi = 0x9f;
  } else if (b0 >= 0xf0 && b0 <= 0xf4) {
    n = 4;
    if (b0 === 0xf0) lo = 0x90;
    else if (b0 === 0xf4) hi = 0x8f;
  } else return 0;
  if (i + n > buf.length) return 0;
  const b1 = buf[i + 1]!;
  if (b1 < lo || b1 > hi) return 0;
  for (let k = 2; k < n; k++) {
    const b = buf[i + k]!;
    if (b < 0x80 || b > 0xbf) return 0;
  }
  return n;
}

/**
 * Decodes bytes the way Go converts them when it must produce valid text (`encoding/json`, `range` over a
 * string): every byte that does not start a valid sequence becomes one U+FFFD. (TextDecoder differs: it
 * replaces a truncated sequence as a whole, so the count of U+FFFD would not match the agent's.)
 */
export function decodeUtf8Go(buf: Uint8Array): string {
  let out = "";
  let start = 0;
  let i = 0;
  while (i < buf.length) {
    const n = runeLength(buf, i);
    if (n > 0) {
      i += n;
      continue;
    }
    out += Buffer.from(buf.buffer, buf.byteOffset + start, i - start).toString("utf8");
    out += "\ufffd";
    i += 1;
    start = i;
  }
  return out + Buffer.from(buf.buffer, buf.byteOffset + start, i - start).toString("utf8");
}
