import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { deterministicZip, entriesOf } from '../../stacks/bundling/deterministic-zip';
import { RECORD_FOLDER } from '../../stacks/bundling/build-record';
import { bundleFunction, esbuildTargetFor, type NodeRuntime } from '../../stacks/bundling/esbuild-bundle';
import { buildFunctionArchive, contentDigest } from '../../stacks/bundling/function-archive';
import { PROJECT_ROOT } from '../../stacks/project-root';
import { useTempDirs } from '../support/temp-dirs';

const tempDir = useTempDirs();
const tmp = () => tempDir('suspense-bundling-');

/** Lists a zip with Python's zipfile: an independent reader, so the writer is not checked by itself. */
function pythonZipListing(zipFile: string): Array<{ name: string; mode: string; date: number[]; size: number; sha: string }> {
  const script = `
import hashlib, json, sys, zipfile
z = zipfile.ZipFile(sys.argv[1])
assert z.testzip() is None
print(json.dumps([{"name": i.filename, "mode": oct(i.external_attr >> 16), "date": list(i.date_time), "size": i.file_size,
  "sha": hashlib.sha256(z.read(i.filename)).hexdigest()} for i in z.infolist()]))`;
  return JSON.parse(execFileSync('python3', ['-c', script, zipFile], { encoding: 'utf8' }));
}

describe('deterministic zip', () => {
  it('depends only on names and contents: file times, umask and listing order do not reach it', () => {
    const make = (mtime: Date, mode: number, order: string[]) => {
      const dir = tmp();
      for (const name of order) {
        fs.mkdirSync(path.dirname(path.join(dir, name)), { recursive: true });
        fs.writeFileSync(path.join(dir, name), `content of ${name}\n`.repeat(50), { mode });
        fs.utimesSync(path.join(dir, name), mtime, mtime);
      }
      return deterministicZip(entriesOf(dir));
    };
    const a = make(new Date('2001-02-03T04:05:06Z'), 0o600, ['index.js', 'lib/b.js', 'a.txt']);
    const b = make(new Date('2029-12-31T23:59:59Z'), 0o755, ['a.txt', 'lib/b.js', 'index.js']);
    expect(a.equals(b)).toBe(true);
  });

  it('is a valid archive that another zip reader extracts exactly, with fixed times and rw-r--r-- files', () => {
    const dir = tmp();
    fs.mkdirSync(path.join(dir, 'nested'));
    fs.writeFileSync(path.join(dir, 'index.js'), 'exports.handler = async () => 42;\n');
    fs.writeFileSync(path.join(dir, 'nested', 'data.bin'), Buffer.from(Array.from({ length: 5000 }, (_, i) => (i * 7) % 256)));
    const zipFile = path.join(dir, 'out.zip');
    fs.writeFileSync(zipFile, deterministicZip(entriesOf(dir)));
    const sha = (file: string) => require('node:crypto').createHash('sha256').update(fs.readFileSync(path.join(dir, file))).digest('hex');
    expect(pythonZipListing(zipFile)).toEqual([
      { name: 'index.js', mode: '0o100644', date: [1980, 1, 1, 0, 0, 0], size: 34, sha: sha('index.js') },
      { name: 'nested/data.bin', mode: '0o100644', date: [1980, 1, 1, 0, 0, 0], size: 5000, sha: sha('nested/data.bin') },
    ]);
  });
});

describe('content digest (source_code_hash)', () => {
  const entry = (name: string, text: string) => ({ name, data: Buffer.from(text) });

  it('depends on the names and bytes the zip holds, not on how they were compressed', () => {
    const entries = [entry('index.js', 'exports.handler = 1;'), entry('lib/a.js', 'a')];
    const digest = contentDigest(entries);
    expect(contentDigest(entries.map((e) => ({ name: e.name, data: Buffer.from(e.data) })))).toEqual(digest);
    expect(contentDigest([entries[0]!, entry('lib/a.js', 'b')])).not.toEqual(digest);
    expect(contentDigest([entries[0]!, entry('lib/b.js', 'a')])).not.toEqual(digest);
    // Moving a byte from one name to the next must not collide.
    expect(contentDigest([entry('ab', 'c')])).not.toEqual(contentDigest([entry('a', 'bc')]));
  });
});

describe('esbuild bundling', () => {
  it('derives the esbuild target from the Lambda runtime', () => {
    expect(esbuildTargetFor('nodejs22.x')).toBe('node22');
    expect(esbuildTargetFor('nodejs20.x')).toBe('node20');
    expect(() => esbuildTargetFor('nodejs16.x' as NodeRuntime)).toThrow('unsupported Lambda runtime "nodejs16.x"; supported: nodejs20.x, nodejs22.x');
  });

  it('empties the output folder first, so stale files never reach the archive', () => {
    const outDir = tmp();
    fs.writeFileSync(path.join(outDir, 'stale.js'), 'left over from an earlier build');
    bundleFunction({ entry: 'functions/check/handler.ts', runtime: 'nodejs22.x', outDir, projectRoot: PROJECT_ROOT });
    expect(fs.readdirSync(outDir)).toEqual(['index.js']);
  });

  it('keeps the most recent archives only, the one just built among them', () => {
    const archiveDir = tmp();
    for (let i = 0; i < 20; i++) {
      fs.mkdirSync(path.join(archiveDir, `old-${i}`));
      fs.utimesSync(path.join(archiveDir, `old-${i}`), new Date(2020, 0, 1 + i), new Date(2020, 0, 1 + i));
    }
    const archive = buildFunctionArchive({ entry: 'functions/check/handler.ts', runtime: 'nodejs22.x', projectRoot: PROJECT_ROOT, archiveDir });
    const kept = fs.readdirSync(archiveDir).filter((name) => name !== RECORD_FOLDER).sort();
    expect(kept).toHaveLength(16);
    expect(kept).toContain(archive.sha256Hex);
    expect(kept).not.toContain('old-0');
    expect(kept).toContain('old-19');
  });

  it('packs the handler as one CommonJS file with no node_modules, runnable without the repository', () => {
    const archiveDir = tmp();
    const archive = buildFunctionArchive({ entry: 'functions/check/handler.ts', runtime: 'nodejs22.x', projectRoot: PROJECT_ROOT, archiveDir });
    expect(archive.zipFile).toBe(path.join(archiveDir, archive.sha256Hex, 'function.zip'));
    const listing = pythonZipListing(archive.zipFile);
    expect(listing.map((entry) => entry.name)).toEqual(['index.js']);
    expect(archive.zipBytes).toBe(fs.statSync(archive.zipFile).size);
  });
});
