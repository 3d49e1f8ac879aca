// Synthesizes the catcast manifests into cdk8s/dist/ (or --out DIR) from charts/catcast/values.yaml,
// optionally overlaid with values files, exactly like `helm template -f ...` would pick values.
//   npx tsx cdk8s/main.ts [--release NAME] [--out DIR] [-f values.yaml ...]
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { synthObjects, synthToDir } from './synth.js';
import { validateObjects } from './validate.js';
import { readValuesFile, resolveValues } from './values.js';

const here = dirname(fileURLToPath(import.meta.url));

function main(argv: string[]): number {
  const { values: args } = parseArgs({
    args: argv,
    options: {
      release: { type: 'string', default: 'catcast' },
      out: { type: 'string', default: join(here, 'dist') },
      values: { type: 'string', short: 'f', multiple: true, default: [] },
    },
  });
  const values = resolveValues(...(args.values ?? []).map((f) => readValuesFile(resolve(f))));
  // Validate before writing so that a broken manifest never lands in dist/.
  validateObjects(synthObjects(values, args.release));
  synthToDir(values, args.out ?? join(here, 'dist'), args.release);
  console.log(`synthesized release '${args.release}' into ${args.out}`);
  return 0;
}

try {
  process.exitCode = main(process.argv.slice(2));
} catch (err) {
  console.error(err instanceof Error ? err.message : err);
  process.exitCode = 1;
}
