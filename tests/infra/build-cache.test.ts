import * as fs from 'node:fs';
import * as path from 'node:path';
import * as zlib from 'node:zlib';
import { RECORD_FOLDER } from '../../stacks/bundling/build-record';
import type * as FunctionArchiveModule from '../../stacks/bundling/function-archive';
import { PROJECT_ROOT } from '../../stacks/project-root';
import { useTempDirs } from '../support/temp-dirs';

const tempDir = useTempDirs();

// One esbuild for every fresh registry below: each esbuild module loaded would start a worker thread of its own.
const esbuild = jest.requireActual('esbuild');
jest.doMock('esbuild', () => esbuild);

/** buildFunctionArchive from a fresh module registry: no per-process map, as in a new jest file or `cdktf synth`. */
function freshBuildFunctionArchive(): typeof FunctionArchiveModule.buildFunctionArchive {
  let module!: typeof FunctionArchiveModule;
  jest.isolateModules(() => {
    module = require('../../stacks/bundling/function-archive');
  });
  return module.buildFunctionArchive;
}

/**
 * Writes a file dated a minute ago, as if saved before the build: a build does not record inputs modified after it
 * started (esbuild may have read them half-way), and the file system's clock ticks too coarsely to tell.
 */
function writeSaved(file: string, contents: string): void {
  fs.writeFileSync(file, contents);
  const earlier = new Date(Date.now() - 60_000);
  fs.utimesSync(file, earlier, earlier);
}

/** A tiny project: a handler importing `./lib`, and its tsconfig.json. */
function tinyProject(libFile = 'lib.ts', lib = 'export const answer = 41;\n'): string {
  const root = tempDir('suspense-build-cache-');
  writeSaved(path.join(root, 'handler.ts'), "import { answer } from './lib';\nexport const handler = async () => answer;\n");
  writeSaved(path.join(root, libFile), lib);
  writeSaved(path.join(root, 'tsconfig.json'), '{ "compilerOptions": { "strict": true } }\n');
  return root;
}

const build = (projectRoot: string) => freshBuildFunctionArchive()({ entry: 'handler.ts', runtime: 'nodejs22.x', projectRoot });
const archiveDir = (projectRoot: string) => path.join(projectRoot, '.build', 'archives');
const recordFileOf = (projectRoot: string) => {
  const folder = path.join(archiveDir(projectRoot), RECORD_FOLDER);
  const [name, ...others] = fs.readdirSync(folder);
  expect(others).toEqual([]);
  return path.join(folder, name!);
};
/** Every build rewrites the record under a temporary name and renames it: an unchanged inode means no build ran. */
const recordInode = (projectRoot: string) => fs.statSync(recordFileOf(projectRoot)).ino;

/** The bundled index.js of a one-entry zip (local header, then the deflated data). */
function bundledCode(zipFile: string): string {
  const zip = fs.readFileSync(zipFile);
  const nameLength = zip.readUInt16LE(26);
  const extraLength = zip.readUInt16LE(28);
  const compressedSize = zip.readUInt32LE(18);
  const start = 30 + nameLength + extraLength;
  expect(zip.subarray(30, 30 + nameLength).toString()).toBe('index.js');
  return zlib.inflateRawSync(zip.subarray(start, start + compressedSize)).toString('utf8');
}

describe('function build cache across processes', () => {
  it('serves the shipped function from the record in a new process: the identical zip and hashes, esbuild not run', () => {
    const archives = tempDir('suspense-build-cache-archives-');
    const props = { entry: 'functions/check/handler.ts', runtime: 'nodejs22.x', projectRoot: PROJECT_ROOT, archiveDir: archives } as const;
    const first = freshBuildFunctionArchive()(props);
    const firstZip = fs.readFileSync(first.zipFile);
    const record = fs.readdirSync(path.join(archives, RECORD_FOLDER));
    const inode = fs.statSync(path.join(archives, RECORD_FOLDER, record[0]!)).ino;

    const second = freshBuildFunctionArchive()(props);

    expect(second).toEqual(first);
    expect(fs.readFileSync(second.zipFile).equals(firstZip)).toBe(true);
    expect(fs.statSync(path.join(archives, RECORD_FOLDER, record[0]!)).ino).toBe(inode);
    const { inputs, consulted } = JSON.parse(fs.readFileSync(path.join(archives, RECORD_FOLDER, record[0]!), 'utf8'));
    expect(inputs).toEqual(expect.arrayContaining(['functions/check/handler.ts', 'functions/bundle-substitutes/semver.ts']));
    expect(consulted).toEqual(expect.arrayContaining(['tsconfig.json', 'package.json', 'node_modules/.package-lock.json']));
    console.log(`build record: ${inputs.length} inputs, ${consulted.length} consulted files`);
  });

  it('rebuilds with the new code when an input changes, and hits again when a file is only touched', () => {
    const root = tinyProject();
    const first = build(root);
    expect(bundledCode(first.zipFile)).toContain('41');

    writeSaved(path.join(root, 'lib.ts'), 'export const answer = 42;\n');
    const changed = build(root);
    expect(changed.sha256Hex).not.toBe(first.sha256Hex);
    expect(bundledCode(changed.zipFile)).toContain('42');

    const inode = recordInode(root);
    const future = new Date(Date.now() + 60_000);
    fs.utimesSync(path.join(root, 'lib.ts'), future, future);
    expect(build(root)).toEqual(changed);
    expect(recordInode(root)).toBe(inode);
  });

  it('records no build whose input was modified after the build started: esbuild may have read it half-saved', () => {
    const root = tinyProject();
    const later = new Date(Date.now() + 60_000);
    fs.utimesSync(path.join(root, 'lib.ts'), later, later);
    build(root);
    expect(fs.existsSync(path.join(archiveDir(root), RECORD_FOLDER))).toBe(false);
  });

  it('rebuilds when tsconfig.json changes, though esbuild does not list it among its inputs', () => {
    const root = tinyProject();
    build(root);
    const inode = recordInode(root);
    writeSaved(path.join(root, 'tsconfig.json'), '{ "compilerOptions": { "strict": false } }\n');
    build(root);
    expect(recordInode(root)).not.toBe(inode);
  });

  it('rebuilds when an input is deleted, from what the import then resolves to', () => {
    const root = tinyProject();
    writeSaved(path.join(root, 'lib.js'), 'exports.answer = 7;\n');
    expect(bundledCode(build(root).zipFile)).toContain('41');
    fs.rmSync(path.join(root, 'lib.ts'));
    expect(bundledCode(build(root).zipFile)).toContain('7');
  });

  it('rebuilds when a file added beside an input takes over its import', () => {
    const root = tinyProject('lib.js', 'exports.answer = 7;\n');
    expect(bundledCode(build(root).zipFile)).toContain('7');
    writeSaved(path.join(root, 'lib.ts'), 'export const answer = 41;\n');
    expect(bundledCode(build(root).zipFile)).toContain('41');
  });

  it.each([
    ['a corrupted record', (root: string) => fs.writeFileSync(recordFileOf(root), '{"format":1,"esbu')],
    ['a missing zip', (_root: string, zipFile: string) => fs.rmSync(zipFile)],
    ['a damaged zip', (_root: string, zipFile: string) => fs.appendFileSync(zipFile, 'x')],
    [
      'a record written by another esbuild version',
      (root: string) => {
        const record = JSON.parse(fs.readFileSync(recordFileOf(root), 'utf8'));
        fs.writeFileSync(recordFileOf(root), JSON.stringify({ ...record, esbuild: '0.0.1' }));
      },
    ],
  ])('rebuilds after %s, to the same archive', (_, spoil) => {
    const root = tinyProject();
    const first = build(root);
    const zip = fs.readFileSync(first.zipFile);
    spoil(root, first.zipFile);
    const inode = recordInode(root);

    const again = build(root);

    expect(again).toEqual(first);
    expect(fs.readFileSync(again.zipFile).equals(zip)).toBe(true);
    expect(recordInode(root)).not.toBe(inode);
    expect(JSON.parse(fs.readFileSync(recordFileOf(root), 'utf8')).esbuild).toBe(require('esbuild').version);
  });
});
