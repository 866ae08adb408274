import * as fs from 'node:fs';
import { isBuiltin } from 'node:module';
import * as path from 'node:path';
import { buildSync, transformSync } from 'esbuild';
import { esbuildTargetFor, type NodeRuntime } from '../../stacks/bundling/esbuild-bundle';
import { PROJECT_ROOT } from '../../stacks/project-root';
import { CHECK_FUNCTION_ENTRY } from '../../stacks/suspense-stack';
import { zipAndUnpack, type BuiltPackage } from './package-dir';

/**
 * The proof of concept's packaging carried to Node: the handler's own modules compiled file by file to CommonJS
 * (no bundling) into a folder that mirrors the repository, and beside them a node_modules holding the production
 * dependency closure of the packages those modules require, copied as installed. What `npm ci --omit=dev` and a
 * zip of the folder would ship.
 */
export function buildPocStylePackage(workDir: string, runtime: NodeRuntime): BuiltPackage {
  const buildDir = path.join(workDir, 'poc-style-build');
  fs.rmSync(buildDir, { recursive: true, force: true });
  const { localFiles, packages } = moduleGraphOf(CHECK_FUNCTION_ENTRY);

  for (const file of localFiles) {
    const { code } = transformSync(fs.readFileSync(path.join(PROJECT_ROOT, file), 'utf8'), {
      loader: 'ts',
      format: 'cjs',
      target: esbuildTargetFor(runtime),
      sourcefile: file,
    });
    const target = path.join(buildDir, file.replace(/\.ts$/, '.js'));
    fs.mkdirSync(path.dirname(target), { recursive: true });
    fs.writeFileSync(target, code);
  }

  const installedRoot = path.join(PROJECT_ROOT, 'node_modules');
  for (const packageDir of dependencyClosure(packages, PROJECT_ROOT)) {
    const installedAs = path.relative(installedRoot, packageDir);
    if (installedAs.startsWith('..')) throw new Error(`${packageDir} is installed outside ${installedRoot}`);
    const target = path.join(buildDir, 'node_modules', installedAs);
    // A package's own nested node_modules are copied only when they are in the closure themselves.
    fs.cpSync(packageDir, target, {
      recursive: true,
      filter: (source) => !path.relative(packageDir, source).split(path.sep).includes('node_modules'),
    });
  }

  const handlerPath = CHECK_FUNCTION_ENTRY.replace(/\.ts$/, '.js');
  return zipAndUnpack(buildDir, path.join(workDir, 'poc-style.zip'), path.join(workDir, 'poc-style'), handlerPath);
}

/** The repository files `entry` reaches and the packages they require, found by esbuild's resolver. */
function moduleGraphOf(entry: string): { localFiles: string[]; packages: string[] } {
  const { metafile } = buildSync({
    absWorkingDir: PROJECT_ROOT,
    entryPoints: [entry],
    bundle: true,
    packages: 'external',
    platform: 'node',
    format: 'cjs',
    write: false,
    metafile: true,
    logLevel: 'silent',
  });
  const packages = new Set<string>();
  for (const input of Object.values(metafile.inputs)) {
    for (const imported of input.imports) {
      if (imported.external && !isBuiltin(imported.path)) packages.add(packageNameOf(imported.path));
    }
  }
  return { localFiles: Object.keys(metafile.inputs).sort(), packages: [...packages].sort() };
}

/** `@scope/name` or `name` of a bare specifier such as `@scope/name/sub/path`. */
function packageNameOf(specifier: string): string {
  const parts = specifier.split('/');
  return specifier.startsWith('@') ? parts.slice(0, 2).join('/') : parts[0]!;
}

/**
 * Installed folders of `roots` and of everything they depend on at run time (dependencies, optional and peer
 * dependencies that are installed), resolved from each requiring package's folder as Node resolves them.
 */
function dependencyClosure(roots: readonly string[], fromDir: string): string[] {
  const found = new Set<string>();
  const queue: Array<{ name: string; from: string; required: boolean }> = roots.map((name) => ({ name, from: fromDir, required: true }));
  while (queue.length > 0) {
    const { name, from, required } = queue.shift()!;
    const dir = installedPackageDir(name, from);
    if (!dir) {
      if (required) throw new Error(`${name} is required from ${from} but is not installed: run npm ci`);
      continue;
    }
    if (found.has(dir)) continue;
    found.add(dir);
    const manifest = JSON.parse(fs.readFileSync(path.join(dir, 'package.json'), 'utf8')) as {
      dependencies?: Record<string, string>;
      optionalDependencies?: Record<string, string>;
      peerDependencies?: Record<string, string>;
    };
    for (const dependency of Object.keys(manifest.dependencies ?? {})) {
      queue.push({ name: dependency, from: dir, required: !(dependency in (manifest.optionalDependencies ?? {})) });
    }
    for (const dependency of Object.keys({ ...manifest.optionalDependencies, ...manifest.peerDependencies })) {
      queue.push({ name: dependency, from: dir, required: false });
    }
  }
  return [...found].sort();
}

/** The folder Node would load package `name` from when required in `from`, or undefined. */
function installedPackageDir(name: string, from: string): string | undefined {
  for (let dir = from; ; dir = path.dirname(dir)) {
    const candidate = path.join(dir, 'node_modules', name);
    if (fs.existsSync(path.join(candidate, 'package.json'))) return fs.realpathSync(candidate);
    if (dir === path.dirname(dir)) return undefined;
  }
}
