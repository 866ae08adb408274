import * as fs from 'node:fs';
import * as path from 'node:path';
import { deterministicZip, entriesOf } from '../../stacks/bundling/deterministic-zip';
import { unpackFunctionZip } from '../../sandbox/lambda-runner';

/** A contender's deployment package, built and unpacked as Lambda would unpack it. */
export interface BuiltPackage {
  readonly zipFile: string;
  readonly zipBytes: number;
  /** The unpacked package: Lambda's /var/task. Nothing else is in it, and no node_modules is above it. */
  readonly taskRoot: string;
  /** Absolute path of the module exporting `handler`. */
  readonly handlerModule: string;
}

/**
 * Zips `buildDir` with the project's deterministic zip (what the stack ships uses), writes it to `zipFile`, and
 * unpacks it into `taskRoot`.
 */
export function zipAndUnpack(buildDir: string, zipFile: string, taskRoot: string, handlerPath: string): BuiltPackage {
  const zip = deterministicZip(entriesOf(buildDir));
  fs.writeFileSync(zipFile, zip);
  return unpackPackage(zip, zipFile, taskRoot, handlerPath);
}

/** Unpacks a zip alone into `taskRoot` (emptied first), as the shared runner unpacks every package. */
export function unpackPackage(zip: Buffer, zipFile: string, taskRoot: string, handlerPath: string): BuiltPackage {
  fs.rmSync(taskRoot, { recursive: true, force: true });
  unpackFunctionZip(zip, taskRoot);
  const handlerModule = path.join(taskRoot, handlerPath);
  if (!fs.existsSync(handlerModule)) throw new Error(`the package ${zipFile} has no ${handlerPath}`);
  return { zipFile, zipBytes: zip.length, taskRoot, handlerModule };
}
