import * as fs from 'node:fs';
import * as path from 'node:path';
import type { FunctionDefinition } from '../../sandbox/function-definition';
import { synthesizeFunction } from '../../sandbox/synthesized-function';
import { unpackPackage, type BuiltPackage } from './package-dir';

export interface SuspensePackage extends BuiltPackage {
  /** The function as the stack declares it: runtime, handler, memory and its environment variables. */
  readonly definition: FunctionDefinition;
}

/**
 * The shipped check function: synthesizes the app as `cdktf synth` does (cdktf.json's app command, in a child
 * process), takes the zip the dev stack references, and unpacks it. The same code path as a deploy, so the figures
 * are the deployed function's.
 */
export async function buildSuspensePackage(workDir: string): Promise<SuspensePackage> {
  const { definition } = await synthesizeFunction(path.join(workDir, 'synth'), 'benchmark');
  const [handlerFile, exportName] = definition.handler.split('.');
  if (exportName !== 'handler') throw new Error(`the function's handler is ${definition.handler}; the benchmark invokes an export named handler`);
  const zipFile = path.join(workDir, 'suspense.zip');
  fs.copyFileSync(definition.zipFile, zipFile);
  const built = unpackPackage(fs.readFileSync(zipFile), zipFile, path.join(workDir, 'suspense'), `${handlerFile}.js`);
  return { ...built, definition };
}
