import { runeLength } from "../shell/utf8";

/** A value `goMarshal` can encode: strings (or raw bytes), arrays, and objects in key insertion order. */
export type GoJsonValue = string | Buffer | readonly GoJsonValue[] | { readonly [key: string]: GoJsonValue };

const HEX = "0123456789abcdef";
const SHORT_ESCAPES: Readonly<Record<number, string>> = {
  34: '\\"',
  92: "\\\\",
  8: "\\b",
  12: "\\f",
  10: "\\n",
  13: "\\r",
  9: "\\t",
};

/**
 * Encodes like Go's `json.Marshal` (Go 1.22+, with its default HTML escaping), byte for byte: `<`, `>`, `&`
 * become \u003c \u003e \u0026, other C0 controls \u00XX (except \b \f \n \r \t), U+2028/U+2029 are escaped,
 * and each byte that is not part of valid UTF-8 becomes \ufffd. (Go before 1.22 wrote \u0008 and \u000c.)
 */
export function goMarshal(value: GoJsonValue): string {
  if (typeof value === "string") return goQuote(Buffer.from(value, "utf8"));
  if (Buffer.isBuffer(value)) return goQuote(value);
  if (Array.isArray(value)) return `[${value.map(goMarshal).join(",")}]`;
  const fields = Object.entries(value as { readonly [key: string]: GoJsonValue });
  return `{${fields.map(([key, field]) => `${goMarshal(key)}:${goMarshal(field)}`).join(",")}}`;
}

function goQuote(bytes: Buffer): string {
  let out = '"';
  let start = 0; // start of the run of bytes copied literally
  let i = 0;
  const flush = (to: number) => {
    out += bytes.toString("utf8", start, to);
  };
  while (i < bytes.length) {
    const b = bytes[i]!;
    if (b < 0x80) {
      if (b >= 0x20 && b !== 0x22 && b !== 0x5c && b !== 0x3c && b !== 0x3e && b !== 0x26) {
        i++;
        continue;
      }
      flush(i);
      out += SHORT_ESCAPES[b] ?? `\\u00${HEX[b >> 4]}${HEX[b & 0xf]}`;
      start = ++i;
      continue;
    }
    const n = runeLength(bytes, i);
    if (n === 0) {
      flush(i);
      out += "\\ufffd";
      start = ++i;
    } else if (
      n === 3 &&
      b === 0xe2 &&
      bytes[i + 1] === 0x80 &&
      (bytes[i + 2] === 0xa8 || bytes[i + 2] === 0xa9)
    ) {
      flush(i);
      out += bytes[i + 2] === 0xa8 ? "\\u2028" : "\\u2029";
      i += 3;
      start = i;
    } else {
      i += n;
    }
  }
  flush(i);
  return `${out}"`;
}
