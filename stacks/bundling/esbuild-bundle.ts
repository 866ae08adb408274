import * as fs from 'node:fs';
import * as path from 'node:path';
import { buildSync, type BuildOptions } from 'esbuild';

/** Lambda Node.js runtimes this project can target, and the esbuild target that matches each. */
const ESBUILD_TARGETS = {
  'nodejs20.x': 'node20',
  'nodejs22.x': 'node22',
} as const;

export type NodeRuntime = keyof typeof ESBUILD_TARGETS;

/** The esbuild target for a Lambda runtime: derived here, never written twice. */
export function esbuildTargetFor(runtime: NodeRuntime): string {
  const target = ESBUILD_TARGETS[runtime];
  if (!target) {
    throw new Error(`unsupported Lambda runtime "${runtime}"; supported: ${Object.keys(ESBUILD_TARGETS).join(', ')}`);
  }
  return target;
}

export interface BundleProps {
  /** The handler module, absolute or relative to `projectRoot`. */
  readonly entry: string;
  /** Lambda runtime the bundle runs on; sets the esbuild target. */
  readonly runtime: NodeRuntime;
  /** Folder the bundle is written to; it is emptied first so stale files never reach the archive. */
  readonly outDir: string;
  /** Root the bundle's source paths are relative to, so the checkout's location never reaches the output. */
  readonly projectRoot: string;
}

export interface Bundle {
  readonly outDir: string;
  /** Path of the bundled handler module, `index.js` in `outDir`. */
  readonly handlerFile: string;
  /** The files esbuild read (its metafile's inputs), relative to the project root. */
  readonly inputs: readonly string[];
}

/**
 * Packages replaced in function bundles by a smaller module with the same behaviour in Lambda; each substitute's
 * header says why it is safe. Paths are relative to the project root.
 */
export const BUNDLE_SUBSTITUTES: Readonly<Record<string, string>> = {
  // The SDK's default credential chain: in Lambda only its first link (environment variables) ever answers.
  '@aws-sdk/credential-provider-node': 'functions/bundle-substitutes/credential-provider-node.ts',
  // Loaded by aws-xray-sdk-core for one version comparison in its SDK v2 patcher, never called here.
  semver: 'functions/bundle-substitutes/semver.ts',
};

/**
 * The esbuild settings the shipped function is built with. Exported so that anything measured against the
 * shipped function (the benchmark's contenders) is built the same way.
 */
export function functionBuildOptions(props: Omit<BundleProps, 'outDir'>): BuildOptions {
  return {
    absWorkingDir: props.projectRoot,
    entryPoints: [props.entry],
    bundle: true,
    platform: 'node',
    target: esbuildTargetFor(props.runtime),
    // CommonJS: aws-xray-sdk-core's cls-hooked calls require() at run time, which an ESM bundle lacks.
    format: 'cjs',
    // Prefer the ES module builds of the AWS SDK: they tree-shake far better than its CommonJS builds.
    mainFields: ['module', 'main'],
    alias: Object.fromEntries(Object.entries(BUNDLE_SUBSTITUTES).map(([name, file]) => [name, path.join(props.projectRoot, file)])),
    // The SDK's ES builds load node:http with import(); left as is, the first request would start Node's ES module
    // loader (milliseconds of a cold start) just to load a built-in. Compiled to require() it costs nothing.
    supported: { 'dynamic-import': false },
    minify: true,
    treeShaking: true,
    legalComments: 'none',
    charset: 'utf8',
    sourcemap: false,
    define: { 'process.env.NODE_ENV': '"production"' },
    logLevel: 'silent',
  };
}

/** Bundles a handler into `outDir/index.js`, emptying `outDir` first. */
export function bundleFunction(props: BundleProps): Bundle {
  const outDir = path.resolve(props.projectRoot, props.outDir);
  fs.rmSync(outDir, { recursive: true, force: true });
  fs.mkdirSync(outDir, { recursive: true });
  const handlerFile = path.join(outDir, 'index.js');
  const result = buildSync({ ...functionBuildOptions(props), outfile: handlerFile, metafile: true });
  return { outDir, handlerFile, inputs: Object.keys(result.metafile.inputs) };
}
