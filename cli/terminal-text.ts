/**
 * Text on its way to an operator's terminal: the one place the CLI makes it safe. Whatever is printed may come
 * from the command line, the table (items written by any tool), AWS or the function's log, and a control or
 * bidirectional character in it could move the cursor, rewrite the screen or reorder what the operator reads.
 *
 * Human output replaces such characters with U+FFFD. `--json` output holds none of them as they are, so it parses
 * back to the very same data: JSON.stringify already writes \b \t \n \f \r as short escapes and the other C0
 * controls and lone surrogates as \uXXXX; this module writes DEL, the C1 controls, the separators and the bidi
 * characters as \uXXXX too.
 */

import { cutText, loneSurrogates, unsafeCharacters } from '../functions/switch/stored-text';

/** The switch library's list (functions/switch/stored-text.ts): what its writes refuse is what is replaced here. */
const UNSAFE = unsafeCharacters('g');
/** Unpaired surrogates cannot be encoded as UTF-8; a terminal would show garbage or nothing. */
const LONE_SURROGATE = loneSurrogates('g');

const REPLACEMENT = '\ufffd';

export interface TerminalTextOptions {
  /** Longest result in characters (code points), the last one then `…`. @default no limit */
  readonly maxLength?: number;
  /** Keep line feeds and tabs (a log tail, a payload); else they are replaced too. @default false */
  readonly multiline?: boolean;
}

/** `text` with every unsafe character replaced by U+FFFD, cut to `maxLength`. */
export function terminalText(text: string, options: TerminalTextOptions = {}): string {
  const keep = options.multiline ? (char: string) => char === '\n' || char === '\t' : () => false;
  const safe = text.replace(UNSAFE, (char) => (keep(char) ? char : REPLACEMENT)).replace(LONE_SURROGATE, REPLACEMENT);
  return options.maxLength === undefined ? safe : cutText(safe, options.maxLength);
}

/** One line for stderr: line breaks (and the space around them) become one space, the rest as terminalText. */
export function oneLine(text: string, maxLength = 600): string {
  return terminalText(text.replace(/\s*[\r\n]+\s*/g, ' '), { maxLength });
}

/**
 * `value` as indented JSON, newline-terminated, in which no character can drive a terminal: the characters
 * JSON.stringify leaves as they are (C1 controls, DEL, separators, bidi) are written as \uXXXX escapes. They can
 * only occur inside strings, so the result parses back to exactly `value`.
 */
export function terminalJson(value: unknown): string {
  // C0 characters left in JSON.stringify's output are its own line breaks: inside strings it escapes them itself.
  const json = JSON.stringify(value, null, 2).replace(UNSAFE, (char) => (char < ' ' ? char : `\\u${char.charCodeAt(0).toString(16).padStart(4, '0')}`));
  return `${json}\n`;
}

