import * as fs from 'node:fs';
import * as path from 'node:path';
import { buildSync } from 'esbuild';
import { PROJECT_ROOT } from '../../stacks/project-root';
import { CHECK_FUNCTION_ENTRY } from '../../stacks/suspense-stack';
import { zipAndUnpack, type BuiltPackage } from './package-dir';

/**
 * Suspense's own handler bundled the way a first esbuild attempt would: `esbuild --bundle --platform=node`, and
 * nothing more (no minification, default main fields, so the AWS SDK's CommonJS builds).
 */
export function buildEsbuildDefaultsPackage(workDir: string): BuiltPackage {
  const buildDir = path.join(workDir, 'esbuild-defaults-build');
  fs.rmSync(buildDir, { recursive: true, force: true });
  buildSync({
    absWorkingDir: PROJECT_ROOT,
    entryPoints: [CHECK_FUNCTION_ENTRY],
    bundle: true,
    platform: 'node',
    outfile: path.join(buildDir, 'index.js'),
    logLevel: 'silent',
  });
  return zipAndUnpack(buildDir, path.join(workDir, 'esbuild-defaults.zip'), path.join(workDir, 'esbuild-defaults'), 'index.js');
}
