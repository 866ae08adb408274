import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { deterministicZip } from '../../stacks/bundling/deterministic-zip';
import { extractZip } from '../../sandbox/zip-extract';

describe('zip extraction (the sandbox unpacking a deployment package)', () => {
  let destination: string;
  beforeEach(() => {
    destination = fs.mkdtempSync(path.join(os.tmpdir(), 'suspense-unzip-'));
  });
  afterEach(() => fs.rmSync(destination, { recursive: true, force: true }));

  it('unpacks, byte for byte, what the stack\'s zip writer packed', () => {
    const entries = [
      { name: 'index.js', data: Buffer.from('exports.handler = async () => 1;\n'.repeat(100)) },
      { name: 'lib/data.bin', data: Buffer.from([0, 1, 2, 255, 254]) },
      { name: 'empty.txt', data: Buffer.alloc(0) },
    ];

    const extracted = extractZip(deterministicZip(entries), destination);

    expect(extracted).toEqual(entries.map((entry) => ({ name: entry.name, bytes: entry.data.length })));
    for (const entry of entries) expect(fs.readFileSync(path.join(destination, entry.name))).toEqual(entry.data);
  });

  it('refuses an entry whose name would escape the destination, and writes nothing outside it', () => {
    const zip = deterministicZip([{ name: '../escaped.js', data: Buffer.from('x') }]);

    expect(() => extractZip(zip, destination)).toThrow('zip: entry "../escaped.js" escapes the destination');
    expect(fs.existsSync(path.join(path.dirname(destination), 'escaped.js'))).toBe(false);
  });

  it('refuses an archive whose content fails its CRC-32', () => {
    const zip = deterministicZip([{ name: 'index.js', data: Buffer.alloc(64, 'a') }]);
    // The central directory's CRC is the authoritative one: make it disagree with the content.
    const central = zip.indexOf(Buffer.from([0x50, 0x4b, 0x01, 0x02]));
    zip.writeUInt32LE(0xdeadbeef, central + 16);

    expect(() => extractZip(zip, destination)).toThrow('zip: index.js fails its CRC-32 check');
  });

  it('refuses what is not a zip archive', () => {
    expect(() => extractZip(Buffer.from('not a zip at all, not even close'), destination)).toThrow('zip: no end of central directory record');
  });
});
