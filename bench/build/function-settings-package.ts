import * as fs from 'node:fs';
import * as path from 'node:path';
import { buildSync } from 'esbuild';
import { functionBuildOptions, type NodeRuntime } from '../../stacks/bundling/esbuild-bundle';
import { PROJECT_ROOT } from '../../stacks/project-root';
import { zipAndUnpack, type BuiltPackage } from './package-dir';

/**
 * A benchmark-only handler (`entry`, relative to the repository root) bundled with exactly the settings the
 * shipped function is built with (functionBuildOptions), zipped and unpacked under `workDir/<name>`.
 */
export function buildWithFunctionSettings(workDir: string, name: string, entry: string, runtime: NodeRuntime): BuiltPackage {
  const buildDir = path.join(workDir, `${name}-build`);
  fs.rmSync(buildDir, { recursive: true, force: true });
  buildSync({
    ...functionBuildOptions({ entry, runtime, projectRoot: PROJECT_ROOT }),
    outfile: path.join(buildDir, 'index.js'),
  });
  return zipAndUnpack(buildDir, path.join(workDir, `${name}.zip`), path.join(workDir, name), 'index.js');
}
