// The package version, read once from package.json beside the build output.

import { readFileSync } from 'node:fs';

const packageJson = new URL('../../../package.json', import.meta.url);

export const VERSION: string = (JSON.parse(readFileSync(packageJson, 'utf8')) as { version: string }).version;
