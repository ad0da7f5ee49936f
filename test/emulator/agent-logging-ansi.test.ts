import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { stripAnsi } from "../../emulator/agent/logging/ansi";

const b = (s: string) => Buffer.from(s, "latin1");
const u = (s: string) => Buffer.from(s, "utf8");

/** [name, line, expected]; `null` expected means the line is kept unchanged (decoding error). */
const CASES: [string, Buffer, Buffer | null][] = [
  ["plain text", b("hello world\n"), b("hello world\n")],
  ["ls --color", b("\x1b[0m\x1b[01;34md\x1b[0m\n"), b("d\n")],
  [
    "ls --color -l",
    b("lrwxrwxrwx 1 root root 1 Nov 28 02:32 \x1b[01;36ml\x1b[0m -> f\n"),
    b("lrwxrwxrwx 1 root root 1 Nov 28 02:32 l -> f\n"),
  ],
  ["window title OSC ended by BEL", b("\x1b]0;root@host: ~\x07root@host:~# ls\n"), b("root@host:~# ls\n")],
  ["OSC ended by ST", b("\x1b]2;title\x1b\\x\n"), b("x\n")],
  ["bracketed paste mode", b("\x1b[?2004hroot@host:~# exit\n"), b("root@host:~# exit\n")],
  ["bracketed paste markers", b("\x1b[200~pasted\x1b[201~\n"), b("pasted\n")],
  ["cursor and erase sequences", b("\x1b[H\x1b[2J\x1b[1;1Htop\x1b[K\n"), b("top\n")],
  ["C0 controls are kept", b("a\bb\x07c\rd\te\n"), b("a\bb\x07c\rd\te\n")],
  ["2-byte ESC sequence (RI)", b("a\x1bMb\n"), b("ab\n")],
  ["SS3 takes the next byte", b("\x1bOAx\n"), b("x\n")],
  ["8-bit CSI", b("a\x9b31mb\n"), b("ab\n")],
  ["8-bit C1 byte", b("a\x85b\n"), b("ab\n")],
  ["incomplete CSI at end of line", b("abc\x1b[12"), null],
  ["CSI cut by the newline", b("abc\x1b[1;\n"), null],
  ["lone ESC at end", b("abc\x1b"), null],
  ["unknown escape (charset designation)", b("\x1b(B\x1b[mplain\n"), null],
  ["DECSC is not an ECMA-48 sequence", b("\x1b7saved\n"), null],
  ["too many parameters for EL", b("\x1b[1;2Kx\n"), null],
  ["too many parameters for CUP", b("\x1b[1;2;3Hx\n"), null],
  ["missing parameter for SCP", b("\x1b[ kx\n"), null],
  ["OSC without terminator", b("\x1b]0;title\n"), null],
  ["SOS inside a control string", b("\x1b]0;a\x1bXb\x07\n"), null],
  ["valid UTF-8 without C1 bytes is kept", u("héllo wörld ñ\n"), u("héllo wörld ñ\n")],
  ["C1 quirk: continuation bytes 0x80-0x9F are dropped", u("€\n"), b("\xe2\xac\n")],
];

describe("stripAnsi (pborman/ansi Strip + keep the line on error)", () => {
  for (const [name, line, expected] of CASES) {
    it(name, () => {
      assert.deepEqual(stripAnsi(line), expected ?? line);
    });
  }

  it("keeps valid UTF-8 whole when the C1 quirk is off", () => {
    assert.deepEqual(stripAnsi(u("\x1b[31m€ ›\x1b[0m\n"), { c1ByteQuirk: false }), u("€ ›\n"));
    assert.deepEqual(stripAnsi(b("a\x85b\n"), { c1ByteQuirk: false }), b("ab\n"));
  });

  it("with the quirk, a 0x9B inside a character starts a CSI", () => {
    // U+00DB is C3 9B: the 0x9B and the following "31m" form an 8-bit SGR.
    assert.deepEqual(stripAnsi(u("Û31mx\n")), b("\xc3x\n"));
  });
});
