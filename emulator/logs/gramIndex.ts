/**
 * An index for literal searches in one stream (a marker in a large group): for each block of
 * BLOCK_EVENTS consecutive events, a bit set of the hashes of every 4-character window ("gram") of their
 * messages, i.e. a one-hash Bloom filter. A message containing a literal contains each of its grams, so a
 * block whose set lacks one of them holds no match and is skipped; the other blocks are scanned with the
 * full matcher, so the results are exactly those of a scan. A 20-character marker has 17 grams: a block
 * passes wrongly only if all 17 bits are set, so a small, well-filled set is enough (1 KiB per block).
 * Literals shorter than GRAM characters cannot use it.
 *
 * The index covers a prefix of the stream and is extended on demand: appends only add to it, an insert in
 * the middle (an older timestamp) drops the blocks from the insert position on.
 */

export const GRAM = 4;
export const BLOCK_SHIFT = 6;
export const BLOCK_EVENTS = 1 << BLOCK_SHIFT;
const BITS_SHIFT = 13;
const WORDS = (1 << BITS_SHIFT) >> 5;

/** The bit of a gram (the low bytes of its 4 UTF-16 units, packed; collisions only cost a scan). */
const gramBit = (gram: number) => Math.imul(gram, 0x9e3779b1) >>> (32 - BITS_SHIFT);

/** A literal's grams, ready for `mayContain`; undefined when it is too short to have any. */
export function gramProbe(literal: string): Uint16Array | undefined {
  if (literal.length < GRAM) return undefined;
  const bits = new Set<number>();
  let g = 0;
  for (let p = 0; p < literal.length; p++) {
    g = (g << 8) | (literal.charCodeAt(p) & 0xff);
    if (p >= GRAM - 1) bits.add(gramBit(g));
  }
  return Uint16Array.from(bits);
}

export class GramIndex {
  /** One bit set per block, in event order. */
  private readonly blocks: Uint32Array[] = [];
  /** Events indexed: the first `indexed` events of the stream. */
  private indexed = 0;

  /** Indexes messages[indexed..count). */
  extend(messages: readonly string[], count: number): void {
    for (let i = this.indexed; i < count; i++) {
      const b = i >> BLOCK_SHIFT;
      if (this.blocks.length === b) this.blocks.push(new Uint32Array(WORDS));
      const set = this.blocks[b]!;
      const text = messages[i]!;
      let g = 0;
      for (let p = 0; p < text.length; p++) {
        g = (g << 8) | (text.charCodeAt(p) & 0xff);
        if (p >= GRAM - 1) {
          const bit = gramBit(g);
          set[bit >> 5]! |= 1 << (bit & 31);
        }
      }
    }
    this.indexed = Math.max(this.indexed, count);
  }

  /** Forgets the events from `index` on (the whole block holding it), e.g. before a merge moves them. */
  truncate(index: number): void {
    if (index >= this.indexed) return;
    const keep = index >> BLOCK_SHIFT;
    this.blocks.length = keep;
    this.indexed = keep << BLOCK_SHIFT;
  }

  /** False when no message of block `block` can contain the probed literal. */
  mayContain(block: number, probe: Uint16Array): boolean {
    const set = this.blocks[block];
    if (!set) return true;
    for (let k = 0; k < probe.length; k++) {
      const bit = probe[k]!;
      if ((set[bit >> 5]! & (1 << (bit & 31))) === 0) return false;
    }
    return true;
  }
}
