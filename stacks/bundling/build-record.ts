import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { version as esbuildVersion, type BuildOptions } from 'esbuild';

/**
 * A cross-process cache of the function build. Every jest test file and every `cdktf synth` is a fresh process
 * that would otherwise bundle the same handler again. A record describes one build: the esbuild version and
 * options, and the content digest of every file that decided its output. A later build request whose files all
 * still hash the same is served the recorded archive without running esbuild. The archive is a Lambda deployment
 * package, so anything unexpected (no record, a malformed one, another esbuild or options, a missing input, a
 * changed or missing zip) is a miss and the caller builds.
 */

/** Where records are kept, inside the archive folder; `pruneArchives` leaves this folder alone. */
export const RECORD_FOLDER = 'build-records';

const RECORD_FORMAT = 1;

/**
 * Files esbuild consults without listing them in the metafile: a tsconfig.json or jsconfig.json (class-field
 * semantics, decorators, paths) and the nearest package.json (`sideEffects`, `type`, `exports`) of every folder
 * an input lies in, up to the file system's root. Recorded present or absent, so a new one is a change too.
 */
const CONSULTED_NAMES = ['package.json', 'tsconfig.json', 'jsconfig.json'];

/**
 * Written by npm on every install: a dependency upgraded, added or removed (which may change how an import
 * resolves without changing any file the last build read) changes it.
 */
const INSTALL_LOCK = 'node_modules/.package-lock.json';

export interface RecordedArchive {
  /** Hex SHA-256 of the archive's contents (the folder name in the archive folder). */
  readonly sha256Hex: string;
  readonly zipBytes: number;
  /** Hex SHA-256 of the zip file's bytes, checked on every hit: a zip replaced or damaged since is no hit. */
  readonly zipFileSha256: string;
}

interface BuildRecord {
  readonly format: typeof RECORD_FORMAT;
  readonly esbuild: string;
  readonly options: unknown;
  readonly runtime: string;
  /** Files esbuild read (the metafile's inputs): each must exist. Relative to the project root. */
  readonly inputs: readonly string[];
  /** Files esbuild may consult (CONSULTED_NAMES, INSTALL_LOCK): each hashed, or recorded as absent. */
  readonly consulted: readonly string[];
  /** Folders holding project sources (outside node_modules): a file added beside an input may shadow it. */
  readonly folders: readonly string[];
  readonly inputsDigest: string;
  readonly archive: RecordedArchive;
}

export interface BuildRecordKey {
  readonly projectRoot: string;
  /** The archive folder, absolute. */
  readonly archiveDir: string;
  /** The full esbuild options of the build, entry and target included. */
  readonly options: BuildOptions;
  readonly runtime: string;
}

const sha256Hex = (data: string | Buffer) => createHash('sha256').update(data).digest('hex');

function recordFile(key: BuildRecordKey): string {
  const name = sha256Hex(JSON.stringify([key.options, key.runtime])).slice(0, 32);
  return path.join(key.archiveDir, RECORD_FOLDER, `${name}.json`);
}

/**
 * Combined digest of the inputs' contents (throws when an input cannot be read), of the consulted files'
 * contents or absence, and of the source folders' listings. Contents, not modification times: a touched file
 * still hits, and a file restored to older content with an old time (git checkout, cp -p) still misses.
 */
function digestOf(projectRoot: string, record: Pick<BuildRecord, 'inputs' | 'consulted' | 'folders'>): string {
  const hash = createHash('sha256');
  for (const input of record.inputs) hash.update(`i\0${input}\0${sha256Hex(fs.readFileSync(path.resolve(projectRoot, input)))}\n`);
  for (const file of record.consulted) {
    let state = 'absent';
    try {
      state = sha256Hex(fs.readFileSync(path.resolve(projectRoot, file)));
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'ENOENT' && (error as NodeJS.ErrnoException).code !== 'ENOTDIR') throw error;
    }
    hash.update(`c\0${file}\0${state}\n`);
  }
  for (const folder of record.folders) hash.update(`f\0${folder}\0${fs.readdirSync(path.resolve(projectRoot, folder)).sort().join('\0')}\n`);
  return hash.digest('hex');
}

/** The recorded archive when the record matches this build request in every respect; undefined otherwise. */
export function recordedArchive(key: BuildRecordKey): RecordedArchive | undefined {
  try {
    const record = JSON.parse(fs.readFileSync(recordFile(key), 'utf8')) as BuildRecord;
    if (record.format !== RECORD_FORMAT || record.esbuild !== esbuildVersion || record.runtime !== key.runtime) return undefined;
    if (JSON.stringify(record.options) !== JSON.stringify(key.options)) return undefined;
    if (!Array.isArray(record.inputs) || record.inputs.length === 0 || !Array.isArray(record.consulted) || !Array.isArray(record.folders)) return undefined;
    if (digestOf(key.projectRoot, record) !== record.inputsDigest) return undefined;
    const { sha256Hex: archiveHex, zipBytes, zipFileSha256 } = record.archive;
    if (!/^[0-9a-f]{64}$/.test(archiveHex)) return undefined;
    const zip = fs.readFileSync(path.join(key.archiveDir, archiveHex, 'function.zip'));
    if (zip.length !== zipBytes || sha256Hex(zip) !== zipFileSha256) return undefined;
    return record.archive;
  } catch {
    // No record, a malformed one, an input gone: a miss, and the caller builds.
    return undefined;
  }
}

/**
 * Stores the record of a build that just finished. `startedMs` is the file system's time when the build started:
 * a file modified since may have been read by esbuild in its old state and hashed here in its new one, so such a
 * build is not recorded (the next request builds again). Digest first, then the check. A missing input (deleted
 * since esbuild read it) throws, and the build is not recorded either.
 */
export function writeBuildRecord(key: BuildRecordKey, build: { metafileInputs: readonly string[]; startedMs: number; archive: RecordedArchive }): void {
  const inputs = [...build.metafileInputs].sort();
  const folders = new Set<string>();
  const consulted = new Set<string>([INSTALL_LOCK]);
  for (const input of inputs) {
    const folder = path.dirname(input);
    if (!folder.split('/').includes('node_modules')) folders.add(folder);
    for (let dir = path.resolve(key.projectRoot, folder); ; dir = path.dirname(dir)) {
      for (const name of CONSULTED_NAMES) consulted.add(path.relative(key.projectRoot, path.join(dir, name)));
      if (dir === path.dirname(dir)) break;
    }
  }
  const lists = { inputs, consulted: [...consulted].sort(), folders: [...folders].sort() };
  let inputsDigest: string;
  try {
    inputsDigest = digestOf(key.projectRoot, lists);
  } catch {
    return;
  }
  // Checked after hashing, so that no edit can fall between the check and the hash.
  const modifiedSince = (file: string) => (fs.statSync(path.resolve(key.projectRoot, file), { throwIfNoEntry: false })?.mtimeMs ?? 0) >= build.startedMs;
  if ([...lists.inputs, ...lists.consulted].some(modifiedSince)) return;
  const record: BuildRecord = { format: RECORD_FORMAT, esbuild: esbuildVersion, options: key.options, runtime: key.runtime, ...lists, inputsDigest, archive: build.archive };
  const file = recordFile(key);
  fs.mkdirSync(path.dirname(file), { recursive: true });
  writeAtomically(file, JSON.stringify(record));
}

/** Parallel jest workers and two terminals may synth at once: each reads the old record or the new, never half. */
export function writeAtomically(file: string, contents: string | Buffer): void {
  const temporary = `${file}.${process.pid}-${++temporaryFiles}.partial`;
  try {
    fs.writeFileSync(temporary, contents);
    fs.renameSync(temporary, file);
  } finally {
    fs.rmSync(temporary, { force: true });
  }
}
let temporaryFiles = 0;

/**
 * Now by the file system's clock, the one that stamps source edits (Date.now() runs ahead of its coarse ticks), so
 * that a source saved while esbuild runs is newer than the build's start.
 */
export function fileSystemNow(folder: string): number {
  fs.mkdirSync(folder, { recursive: true });
  const probe = path.join(folder, `.now.${process.pid}-${++temporaryFiles}`);
  try {
    fs.writeFileSync(probe, '');
    return fs.statSync(probe).mtimeMs;
  } finally {
    fs.rmSync(probe, { force: true });
  }
}

/** Drops records whose archive is gone (pruned), so records do not pile up as options change. */
export function pruneRecords(archiveDir: string): void {
  const folder = path.join(archiveDir, RECORD_FOLDER);
  if (!fs.existsSync(folder)) return;
  for (const name of fs.readdirSync(folder, { withFileTypes: true }).filter((entry) => entry.isFile() && entry.name.endsWith('.json'))) {
    try {
      const record = JSON.parse(fs.readFileSync(path.join(folder, name.name), 'utf8')) as BuildRecord;
      if (fs.existsSync(path.join(archiveDir, record.archive.sha256Hex, 'function.zip'))) continue;
    } catch {
      // Malformed, or removed by another process meanwhile: removed below (force ignores the latter).
    }
    fs.rmSync(path.join(folder, name.name), { force: true });
  }
}
