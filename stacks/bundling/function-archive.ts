import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { fileSystemNow, pruneRecords, RECORD_FOLDER, recordedArchive, writeAtomically, writeBuildRecord, type BuildRecordKey } from './build-record';
import { bundleFunction, functionBuildOptions, type NodeRuntime } from './esbuild-bundle';
import { deterministicZip, entriesOf, type ZipEntry } from './deterministic-zip';

export interface FunctionArchiveProps {
  /** The handler module, relative to `projectRoot`. */
  readonly entry: string;
  readonly runtime: NodeRuntime;
  readonly projectRoot: string;
  /** Where finished zips are kept, relative to `projectRoot`. @default '.build/archives' */
  readonly archiveDir?: string;
}

export interface FunctionArchive {
  /** The deployment package: the bundle and nothing else. */
  readonly zipFile: string;
  /** Base64 SHA-256 of the bundle's contents (see contentDigest), for Terraform's `source_code_hash`. */
  readonly sha256Base64: string;
  /** Hex SHA-256 of the bundle's contents, for file and folder names. */
  readonly sha256Hex: string;
  readonly zipBytes: number;
}

const built = new Map<string, FunctionArchive>();

/** Archives kept in `archiveDir`: enough for the builds of a few branches, without growing forever. */
const KEPT_ARCHIVES = 16;

/**
 * SHA-256 of what the zip holds (each entry's name, size and bytes, in archive order) rather than of the zip
 * itself: deflate's output can change with the zlib that Node bundles, and a hash of the zip would then change the
 * plan on a machine with another Node although the code is the same. The provider 5.x treats `source_code_hash`
 * as a change sentinel only, so any content hash serves.
 */
export function contentDigest(entries: readonly ZipEntry[]): Buffer {
  const hash = createHash('sha256');
  for (const entry of entries) {
    hash.update(`${entry.name}\0${entry.data.length}\0`);
    hash.update(entry.data);
  }
  return hash.digest();
}

/** Removes all but the `keep` most recently written archive folders of `archiveDir`. */
function pruneArchives(archiveDir: string, keep: number): void {
  // Another process may be pruning at the same time: a folder gone since the listing is simply skipped.
  const folders = fs
    .readdirSync(archiveDir, { withFileTypes: true })
    .filter((entry) => entry.isDirectory() && entry.name !== RECORD_FOLDER)
    .map((entry) => ({ folder: path.join(archiveDir, entry.name), mtimeMs: fs.statSync(path.join(archiveDir, entry.name), { throwIfNoEntry: false })?.mtimeMs ?? 0 }))
    .sort((a, b) => b.mtimeMs - a.mtimeMs);
  for (const { folder } of folders.slice(keep)) fs.rmSync(folder, { recursive: true, force: true });
  pruneRecords(archiveDir);
}

/**
 * Bundles a handler and zips the bundle deterministically. Each build bundles into a new, empty folder, so stale
 * files never reach the zip and concurrent synths (parallel tests, two terminals) never share a work folder.
 * Zips are stored by content digest (`<archiveDir>/<sha256>/function.zip`), written atomically. Each (entry,
 * runtime) is built once per process, so stacks that ship the same function share one build; across processes
 * (jest test files, `cdktf synth` runs) a build record serves the stored zip while every file the last build read
 * still has the same content (build-record.ts).
 */
export function buildFunctionArchive(props: FunctionArchiveProps): FunctionArchive {
  const archiveDir = path.resolve(props.projectRoot, props.archiveDir ?? path.join('.build', 'archives'));
  const key = JSON.stringify([path.resolve(props.projectRoot, props.entry), props.runtime, archiveDir]);
  const cached = built.get(key);
  if (cached && fs.existsSync(cached.zipFile)) return cached;

  const recordKey: BuildRecordKey = { projectRoot: props.projectRoot, archiveDir, options: functionBuildOptions(props), runtime: props.runtime };
  const recorded = recordedArchive(recordKey);
  if (recorded) {
    const archive = archiveOf(archiveDir, recorded.sha256Hex, recorded.zipBytes);
    built.set(key, archive);
    return archive;
  }

  const startedMs = fileSystemNow(archiveDir);
  const workDir = fs.mkdtempSync(path.join(os.tmpdir(), 'suspense-bundle-'));
  try {
    const bundle = bundleFunction({ ...props, outDir: workDir });
    const entries = entriesOf(bundle.outDir);
    const zip = deterministicZip(entries);
    const sha256Hex = contentDigest(entries).toString('hex');
    const archive = archiveOf(archiveDir, sha256Hex, zip.length);
    fs.mkdirSync(path.dirname(archive.zipFile), { recursive: true });
    writeAtomically(archive.zipFile, zip);
    const zipFileSha256 = createHash('sha256').update(zip).digest('hex');
    writeBuildRecord(recordKey, { metafileInputs: bundle.inputs, startedMs, archive: { sha256Hex, zipBytes: zip.length, zipFileSha256 } });
    built.set(key, archive);
    pruneArchives(archiveDir, KEPT_ARCHIVES);
    return archive;
  } finally {
    fs.rmSync(workDir, { recursive: true, force: true });
  }
}

function archiveOf(archiveDir: string, sha256Hex: string, zipBytes: number): FunctionArchive {
  const zipFile = path.join(archiveDir, sha256Hex, 'function.zip');
  return { zipFile, sha256Base64: Buffer.from(sha256Hex, 'hex').toString('base64'), sha256Hex, zipBytes };
}
