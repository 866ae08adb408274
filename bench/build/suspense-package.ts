import * as fs from 'node:fs';
import * as path from 'node:path';
import { App } from 'cdktf';
import { addStacks, stackNameFor } from '../../stacks/app';
import { environments } from '../../stacks/environments';
import type { FunctionDefinition } from '../../sandbox/function-definition';
import { readFunctionDefinition } from '../../sandbox/synthesized-function';
import { unpackPackage, type BuiltPackage } from './package-dir';

/** The environment whose function is measured: every environment ships the same package. */
const MEASURED_ENVIRONMENT = 'dev';

export interface SuspensePackage extends BuiltPackage {
  /** The function as the stack declares it: runtime, handler, memory and its environment variables. */
  readonly definition: FunctionDefinition;
}

/**
 * The shipped check function: synthesizes the app as `cdktf synth` does (an App with every stack added), takes
 * the zip the dev stack references, and unpacks it. The same code path as a deploy, so the figures are the
 * deployed function's.
 */
export function buildSuspensePackage(workDir: string): SuspensePackage {
  const outdir = path.join(workDir, 'synth');
  const app = new App({ outdir });
  addStacks(app);
  app.synth();

  const config = environments().find((candidate) => candidate.environment === MEASURED_ENVIRONMENT);
  if (!config) throw new Error(`stacks/environments.ts defines no "${MEASURED_ENVIRONMENT}" environment`);
  const stackName = stackNameFor(config);
  const manifest = JSON.parse(fs.readFileSync(path.join(outdir, 'manifest.json'), 'utf8')) as {
    stacks: Record<string, { synthesizedStackPath: string; workingDirectory: string }>;
  };
  const entry = manifest.stacks[stackName];
  if (!entry) throw new Error(`the synth output has no stack "${stackName}"`);
  const stack = JSON.parse(fs.readFileSync(path.join(outdir, entry.synthesizedStackPath), 'utf8'));
  const definition = readFunctionDefinition(stackName, stack, path.join(outdir, entry.workingDirectory));

  const [handlerFile, exportName] = definition.handler.split('.');
  if (exportName !== 'handler') throw new Error(`the function's handler is ${definition.handler}; the benchmark invokes an export named handler`);
  const zipFile = path.join(workDir, 'suspense.zip');
  fs.copyFileSync(definition.zipFile, zipFile);
  const built = unpackPackage(fs.readFileSync(zipFile), zipFile, path.join(workDir, 'suspense'), `${handlerFile}.js`);
  return { ...built, definition };
}
