import { runeLength } from "../shell/utf8";

/** Options of stripAnsi. */
export interface StripOptions {
  /**
   * The decoder tests for C1 controls byte by byte, so UTF-8 continuation bytes 0x80-0x9F are taken for C1
   * controls too: `€` (E2 82 AC) loses its 0x82 and later decodes to U+FFFD U+FFFD, and a 0x9B inside a
   * character starts a CSI. Default true, as the agent does; false treats valid UTF-8 sequences as text.
   */
  c1ByteQuirk?: boolean;
}

const ESC = 0x1b;
const BEL = 0x07;
const C1_CSI = 0x9b;

/** [max parameters (-1 = any), min parameters] for each final byte in `finals`, after `intermediate`. */
function limits(
  finals: string,
  max: number,
  min: number,
  intermediate = "",
): [string, readonly [number, number]][] {
  return [...finals].map((final) => [intermediate + final, [max, min]]);
}

/**
 * Parameter limits of the ECMA-48 CSI functions (pborman/ansi's table), keyed by intermediate and final
 * bytes. Functions missing here (DECSTBM `r`, bracketed paste `~`...) are not checked.
 */
const CSI_PARAMS: ReadonlyMap<string, readonly [number, number]> = new Map([
  ...limits("@ABCDEFGIJKLMNOPQSTUVXYZ[\\]^`abcdegijkn", 1, 0),
  ...limits("@AIJKLPQRXZ\\_ef", 1, 0, " "),
  ...limits("HRf", 2, 0),
  ...limits("BDSY", 2, 0, " "),
  ...limits("Whlmo", -1, 0),
  ...limits("FH]", -1, 0, " "),
  ...limits("CEOMUVW[^`abdghij", 1, 1, " "),
  ...limits("GTk", 2, 2, " "),
  ...limits("c", 2, 1, " "),
]);

const CONTROL_STRING_OPENERS = new Set([0x50, 0x58, 0x5d, 0x5e, 0x5f]); // P X ] ^ _

interface Step {
  /** Index just past the decoded item. */
  end: number;
  /** Plain text (kept) rather than a sequence (removed). */
  text: boolean;
  error: boolean;
}

/**
 * ANSI stripping with the semantics of `github.com/pborman/ansi` v1 `Strip`, which the agent applies to each
 * streamed line (spec 13.5), followed by the agent's rule that a line with any decoding error is kept
 * unstripped (`processMessage`). Takes one line, newline included as the agent passes it. Works on bytes:
 * - removed: CSI sequences (7-bit `ESC [` and 8-bit 0x9B), control strings (`ESC _ P ] ^ X` ... up to the
 *   first BEL or `ESC \`), 2-byte `ESC` sequences with a final byte 0x40-0x7E (`ESC N`/`ESC O` also take the
 *   next byte), and single C1 bytes 0x80-0x9F (0x8E/0x8F also take the next byte);
 * - kept: all other bytes, C0 controls (BS, BEL, CR, TAB...) included;
 * - errors (the line is returned unchanged): an ESC at the end, an ESC followed by a byte not described
 *   above (`ESC (`, `ESC 7`, `ESC =`...), a CSI cut short or holding a byte outside the ECMA-48 ranges, a CSI
 *   function of the ECMA-48 table given more or fewer parameters than it takes (`ESC [1;2K`), a control
 *   string without terminator or containing `ESC X`.
 */
export function stripAnsi(line: Buffer, options: StripOptions = {}): Buffer {
  const quirk = options.c1ByteQuirk ?? true;
  const kept: Buffer[] = [];
  let i = 0;
  while (i < line.length) {
    const step = decode(line, i, quirk);
    if (step.error) return line;
    if (step.text) kept.push(line.subarray(i, step.end));
    i = step.end;
  }
  return kept.length === 1 ? kept[0]! : Buffer.concat(kept);
}

function decode(b: Buffer, i: number, quirk: boolean): Step {
  let j = i;
  while (j < b.length) {
    const c = b[j]!;
    if (c === ESC || (c & 0xe0) === 0x80) break;
    const n = !quirk && c >= 0x80 ? runeLength(b, j) : 1;
    j += n || 1;
  }
  if (j > i) return { end: j, text: true, error: false };

  const c = b[i]!;
  if (c === C1_CSI) return csi(b, i + 1);
  if (c !== ESC) return sequence(c === 0x8e || c === 0x8f ? Math.min(b.length, i + 2) : i + 1); // SS2/SS3 take a byte
  if (i + 1 === b.length) return failure();
  const d = b[i + 1]!;
  if (d === 0x5b) return csi(b, i + 2);
  if (CONTROL_STRING_OPENERS.has(d)) return controlString(b, i + 2);
  if (d >= 0x40 && d <= 0x5f) return sequence(d === 0x4e || d === 0x4f ? Math.min(b.length, i + 3) : i + 2);
  if (d >= 0x60 && d <= 0x7e) return sequence(i + 2);
  return failure();
}

/** CSI: parameter bytes 0x30-0x3F, intermediate bytes 0x20-0x2F, one final byte 0x40-0x7E. */
function csi(b: Buffer, start: number): Step {
  let p = start;
  while (p < b.length && b[p]! >= 0x30 && b[p]! <= 0x3f) p++;
  let q = p;
  while (q < b.length && b[q]! >= 0x20 && b[q]! <= 0x2f) q++;
  if (q === b.length) return failure();
  const final = b[q]!;
  if (final < 0x40 || final > 0x7e) return failure();
  const limits = CSI_PARAMS.get(b.toString("latin1", p, q + 1));
  if (limits !== undefined) {
    const [max, min] = limits;
    const count = parameterCount(b, start, p);
    if (count < min || (max >= 0 && count > max)) return failure();
  }
  return sequence(q + 1);
}

/** Parameters are split on `;` unless the string starts with a private-use byte (`<=>?`): then it is one. */
function parameterCount(b: Buffer, start: number, end: number): number {
  if (end === start) return 0;
  if (b[start]! > 0x3b) return 1;
  let count = 1;
  for (let k = start; k < end; k++) if (b[k] === 0x3b) count++;
  return count;
}

/** Control string body up to the first BEL or ST (`ESC \`); it must not contain SOS (`ESC X`). */
function controlString(b: Buffer, start: number): Step {
  for (let k = start; k < b.length; k++) {
    if (b[k] === BEL) return sequence(k + 1);
    if (b[k] === ESC && k + 1 < b.length) {
      if (b[k + 1] === 0x5c) return sequence(k + 2);
      if (b[k + 1] === 0x58) return failure();
    }
  }
  return failure();
}

function sequence(end: number): Step {
  return { end, text: false, error: false };
}

function failure(): Step {
  return { end: 0, text: false, error: true };
}
