/** Text that would drive a terminal, for the tests of what the CLI prints. */

/** Every character that can drive a terminal or reorder what it shows: C0, DEL, C1, separators, bidi controls. */
export const UNSAFE = /[\u0000-\u001f\u007f-\u009f\u061c\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069]/;

/** [what, text]: named, since the texts themselves would drive the terminal showing the test titles. */
export const HOSTILE: readonly (readonly [string, string])[] = [
  ['an ESC sequence that clears the screen', '\u001b[2J\u001b[H'],
  ['an OSC 8 hyperlink', '\u001b]8;;https://evil.example\u0007link\u001b]8;;\u0007'],
  ['a C1 CSI sequence without ESC', '\u009b31m'],
  ['a right-to-left override', '\u202egnp.exe'],
  ['bidi isolates and marks', '\u2066isolated\u2069\u200f\u061c'],
  ['a carriage return', 'line\rover'],
  ['line and paragraph separators', 'one\u2028two\u2029three'],
  ['NUL, BEL, backspace and DEL', '\u0000\u0007\u0008\u007f'],
  ['a lone surrogate', 'lone \ud800 surrogate'],
];
