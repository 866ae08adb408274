import type { NodeRuntime } from '../stacks/bundling/esbuild-bundle';
import type { FunctionDefinition } from '../sandbox/function-definition';
import { ENV } from '../functions/switch/schema';
import { buildEsbuildDefaultsPackage } from './build/esbuild-defaults-package';
import { buildWithFunctionSettings } from './build/function-settings-package';
import type { BuiltPackage } from './build/package-dir';
import { buildPocStylePackage } from './build/poc-style-package';
import { buildSuspensePackage } from './build/suspense-package';
import type { ContenderName } from './options';

/** A contender ready to run: its unpacked package and the variables it sets beyond the shipped function's. */
export interface Contender {
  readonly name: ContenderName;
  /** One line for the table's legend. */
  readonly description: string;
  readonly package: BuiltPackage;
  readonly overrides: Readonly<Record<string, string>>;
}

export interface BuiltContenders {
  /** The shipped function as synthesized: every contender runs with its settings and variables. */
  readonly definition: FunctionDefinition;
  readonly contenders: readonly Contender[];
  /**
   * One GetItem through the library's client and nothing else (bench/contenders/bare-get-item.ts): what the uncached
   * path is compared with, and the floor under every contender's cold start.
   */
  readonly bareGetItem: BuiltPackage;
}

const POWERTOOLS_CHECK_ENTRY = 'bench/contenders/powertools-check.ts';
const BARE_GET_ITEM_ENTRY = 'bench/contenders/bare-get-item.ts';

/** The cache off, for poc-style always and for every contender's uncached measurement. */
export const CACHE_OFF: Readonly<Record<string, string>> = { [ENV.cacheTtlSeconds]: '0' };

/** Builds every contender named (suspense always) into `workDir`, each unpacked into a folder of its own. */
export async function buildContenders(workDir: string, names: readonly ContenderName[]): Promise<BuiltContenders> {
  const suspense = await buildSuspensePackage(workDir);
  const { definition } = suspense;
  const runtime = definition.runtime as NodeRuntime;
  const build: Record<ContenderName, () => Contender> = {
    suspense: () => ({
      name: 'suspense',
      description: 'the zip `cdktf synth` ships (functionBuildOptions bundle)',
      package: suspense,
      overrides: {},
    }),
    'esbuild-defaults': () => ({
      name: 'esbuild-defaults',
      description: 'the same handler, `esbuild --bundle --platform=node` and nothing more',
      package: buildEsbuildDefaultsPackage(workDir),
      overrides: {},
    }),
    'poc-style': () => ({
      name: 'poc-style',
      description: `the same handler compiled file by file + its node_modules; a GetItem every call (${ENV.cacheTtlSeconds}=0)`,
      package: buildPocStylePackage(workDir, runtime),
      overrides: CACHE_OFF,
    }),
    powertools: () => ({
      name: 'powertools',
      description: 'Powertools Parameters DynamoDBProvider + Tracer, bundled with functionBuildOptions',
      package: buildWithFunctionSettings(workDir, 'powertools', POWERTOOLS_CHECK_ENTRY, runtime),
      overrides: {},
    }),
  };
  return {
    definition,
    contenders: names.map((name) => build[name]()),
    bareGetItem: buildWithFunctionSettings(workDir, 'bare-get-item', BARE_GET_ITEM_ENTRY, runtime),
  };
}
