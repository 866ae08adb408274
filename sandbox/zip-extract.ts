import * as fs from 'node:fs';
import * as path from 'node:path';
import * as zlib from 'node:zlib';

const END_OF_CENTRAL_DIRECTORY = 0x06054b50;
const CENTRAL_DIRECTORY_HEADER = 0x02014b50;
const LOCAL_FILE_HEADER = 0x04034b50;
const METHOD_STORED = 0;
const METHOD_DEFLATED = 8;
const FLAG_ENCRYPTED = 1;

export interface ExtractedFile {
  /** Path inside the archive, `/`-separated. */
  readonly name: string;
  readonly bytes: number;
}

/**
 * Unpacks a zip into `destination` the way Lambda unpacks a deployment package, with nothing but node:zlib: the
 * sandbox must not need a package that the function's environment would not have either. Reads the central
 * directory (the authoritative list; local headers may defer sizes to a data descriptor), checks every entry's
 * CRC-32 and size, and refuses entries that would land outside `destination` or that it cannot read faithfully
 * (encryption, Zip64, other compression methods) rather than unpacking something different from what Lambda
 * would run.
 */
export function extractZip(zip: Buffer, destination: string): ExtractedFile[] {
  const root = path.resolve(destination);
  const end = findEndOfCentralDirectory(zip);
  const entryCount = zip.readUInt16LE(end + 10);
  const centralSize = zip.readUInt32LE(end + 12);
  const centralOffset = zip.readUInt32LE(end + 16);
  if (entryCount === 0xffff || centralOffset === 0xffffffff || centralSize === 0xffffffff) {
    throw new Error('zip: Zip64 archives are not supported');
  }
  if (centralOffset + centralSize > end) throw new Error('zip: the central directory lies outside the archive');

  const extracted: ExtractedFile[] = [];
  let offset = centralOffset;
  for (let index = 0; index < entryCount; index++) {
    if (zip.readUInt32LE(offset) !== CENTRAL_DIRECTORY_HEADER) throw new Error(`zip: entry ${index} has no central directory header`);
    const flags = zip.readUInt16LE(offset + 8);
    const method = zip.readUInt16LE(offset + 10);
    const crc = zip.readUInt32LE(offset + 16);
    const compressedSize = zip.readUInt32LE(offset + 20);
    const size = zip.readUInt32LE(offset + 24);
    const nameLength = zip.readUInt16LE(offset + 28);
    const extraLength = zip.readUInt16LE(offset + 30);
    const commentLength = zip.readUInt16LE(offset + 32);
    const externalAttributes = zip.readUInt32LE(offset + 38);
    const localOffset = zip.readUInt32LE(offset + 42);
    const name = zip.subarray(offset + 46, offset + 46 + nameLength).toString('utf8');
    offset += 46 + nameLength + extraLength + commentLength;

    const target = safeTarget(root, name);
    if (name.endsWith('/')) {
      fs.mkdirSync(target, { recursive: true });
      continue;
    }
    if (flags & FLAG_ENCRYPTED) throw new Error(`zip: ${name} is encrypted`);
    if (zip.readUInt32LE(localOffset) !== LOCAL_FILE_HEADER) throw new Error(`zip: ${name} has no local file header`);
    const dataStart = localOffset + 30 + zip.readUInt16LE(localOffset + 26) + zip.readUInt16LE(localOffset + 28);
    const stored = zip.subarray(dataStart, dataStart + compressedSize);
    let data: Buffer;
    if (method === METHOD_DEFLATED) data = zlib.inflateRawSync(stored);
    else if (method === METHOD_STORED) data = Buffer.from(stored);
    else throw new Error(`zip: ${name} uses compression method ${method}; only stored and deflated are supported`);
    if (data.length !== size) throw new Error(`zip: ${name} unpacks to ${data.length} bytes, the directory says ${size}`);
    if (zlib.crc32(data) !== crc) throw new Error(`zip: ${name} fails its CRC-32 check`);

    fs.mkdirSync(path.dirname(target), { recursive: true });
    // Unix permission bits live in the high half of the external attributes when the archive was made on Unix.
    const unixMode = (externalAttributes >>> 16) & 0o777;
    fs.writeFileSync(target, data, { mode: unixMode || 0o644 });
    extracted.push({ name, bytes: data.length });
  }
  return extracted;
}

function findEndOfCentralDirectory(zip: Buffer): number {
  // The record is 22 bytes plus a comment of up to 65535 bytes, so it starts within the archive's last 65557 bytes.
  const earliest = Math.max(0, zip.length - 22 - 0xffff);
  for (let offset = zip.length - 22; offset >= earliest; offset--) {
    if (zip.readUInt32LE(offset) === END_OF_CENTRAL_DIRECTORY) return offset;
  }
  throw new Error('zip: no end of central directory record (not a zip archive?)');
}

/** Where an entry goes; throws for names that would escape `root` (absolute paths, `..`, backslashes). */
function safeTarget(root: string, name: string): string {
  if (name === '' || name.includes('\\') || name.includes('\0') || path.posix.isAbsolute(name)) {
    throw new Error(`zip: refusing entry name ${JSON.stringify(name)}`);
  }
  const target = path.resolve(root, ...name.split('/').filter(Boolean));
  if (target !== root && !target.startsWith(root + path.sep)) throw new Error(`zip: entry ${JSON.stringify(name)} escapes the destination`);
  return target;
}
