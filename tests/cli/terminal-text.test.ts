import fc from 'fast-check';
import { oneLine, terminalJson, terminalText } from '../../cli/terminal-text';
import { cutText } from '../../functions/switch/stored-text';
import { HOSTILE, UNSAFE } from './hostile-text';


describe('terminal text', () => {
  it.each(HOSTILE)('replaces every unsafe character of %s with U+FFFD, keeping the rest', (_what, text) => {
    const shown = terminalText(text);

    expect(shown).not.toMatch(UNSAFE);
    expect([...shown]).toHaveLength([...text].length);
    expect(shown.replace(/\ufffd/g, '')).toBe([...text].filter((c) => !UNSAFE.test(c) && !/[\ud800-\udfff]/.test(c)).join(''));
  });

  it('keeps line feeds and tabs only in multiline text, such as a log tail', () => {
    expect(terminalText('a\tb\nc\u001b[0m\r\n', { multiline: true })).toBe('a\tb\nc\ufffd[0m\ufffd\n');
    expect(terminalText('a\tb\nc')).toBe('a\ufffdb\ufffdc');
  });

  it('cuts to maxLength characters, counted in code points, the last one an ellipsis', () => {
    expect(terminalText('abcdef', { maxLength: 4 })).toBe('abc…');
    expect(terminalText('abcd', { maxLength: 4 })).toBe('abcd');
    expect(cutText('😀😀😀😀😀', 3)).toBe('😀😀…');
    expect([...cutText('r'.repeat(350_000), 500)]).toHaveLength(500);
  });

  it('makes one line of an error message: line breaks become a space, controls are replaced', () => {
    expect(oneLine('first\n  second\r\nthird\u001b[2J')).toBe('first second third\ufffd[2J');
    expect(oneLine('x'.repeat(700))).toHaveLength(600);
  });

  it.each(HOSTILE)('writes %s in JSON as escapes that parse back to the same text', (_what, text) => {
    const json = terminalJson({ reason: text, nested: [text] });

    // JSON's own layout uses line feeds; nothing else of the kind is left.
    expect(json.replace(/\n/g, '')).not.toMatch(UNSAFE);
    expect(JSON.parse(json)).toEqual({ reason: text, nested: [text] });
  });

  it('keeps any JSON value the same data, with no character that drives a terminal except its own line breaks', () => {
    fc.assert(
      fc.property(fc.jsonValue(), fc.string({ unit: 'binary' }), (value, text) => {
        const data = { value, text };
        const json = terminalJson(data);
        expect(JSON.parse(json)).toEqual(JSON.parse(JSON.stringify(data)));
        // JSON's layout uses line feeds; nothing else unsafe, and no raw line feed inside a string.
        expect(json.replace(/\n/g, '')).not.toMatch(UNSAFE);
      }),
      { numRuns: 500 },
    );
  });
});
