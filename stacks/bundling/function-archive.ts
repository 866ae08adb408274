import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { bundleFunction, type NodeRuntime } from './esbuild-bundle';
import { deterministicZip, entriesOf } from './deterministic-zip';

export interface FunctionArchiveProps {
  /** The handler module, relative to `projectRoot`. */
  readonly entry: string;
  readonly runtime: NodeRuntime;
  readonly projectRoot: string;
  /** Work folder for the bundle and the zip, relative to `projectRoot`. */
  readonly buildDir: string;
}

export interface FunctionArchive {
  /** The deployment package: the bundle and nothing else. */
  readonly zipFile: string;
  /** Base64 SHA-256 of the zip: the form of Lambda's CodeSha256 and Terraform's `source_code_hash`. */
  readonly sha256Base64: string;
  /** Hex SHA-256 of the zip, for file and folder names. */
  readonly sha256Hex: string;
  readonly zipBytes: number;
}

const built = new Map<string, FunctionArchive>();

/**
 * Bundles a handler and zips the bundle deterministically. Each (entry, runtime, buildDir) is built once per
 * process, so stacks that ship the same function share one build.
 */
export function buildFunctionArchive(props: FunctionArchiveProps): FunctionArchive {
  const key = JSON.stringify([props.entry, props.runtime, path.resolve(props.projectRoot, props.buildDir)]);
  const cached = built.get(key);
  if (cached) return cached;

  const buildDir = path.resolve(props.projectRoot, props.buildDir);
  const bundle = bundleFunction({ ...props, outDir: path.join(buildDir, 'bundle') });
  const zip = deterministicZip(entriesOf(bundle.outDir));
  const zipFile = path.join(buildDir, 'function.zip');
  fs.writeFileSync(zipFile, zip);
  const digest = createHash('sha256').update(zip).digest();
  const archive = { zipFile, sha256Base64: digest.toString('base64'), sha256Hex: digest.toString('hex'), zipBytes: zip.length };
  built.set(key, archive);
  return archive;
}
