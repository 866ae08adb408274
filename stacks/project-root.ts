import * as path from 'node:path';

/** The repository root: bundles and assets are resolved against it, never against the working directory. */
export const PROJECT_ROOT = path.resolve(__dirname, '..');
