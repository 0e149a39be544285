// The `yaml` package, loaded on first use: the fast parser (fast-yaml.ts) and the
// document cache read most files without it, so most commands never pay for loading it.

import { createRequire } from 'node:module';

type YamlModule = typeof import('yaml');

const require = createRequire(import.meta.url);
let loaded: YamlModule | undefined;

export function yaml(): YamlModule {
  return (loaded ??= require('yaml') as YamlModule);
}
