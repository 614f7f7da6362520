// The package's types: tsc --noEmit over usage files, resolved the way Node
// and bundlers resolve `redplay`, against the .d.ts the build generated.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { fileURLToPath } from 'node:url';
import { run, ROOT } from './lib.mjs';

const TSC = fileURLToPath(new URL('node_modules/.bin/tsc', ROOT));

for (const flavour of ['node', 'browser']) {
  test(`tsc --noEmit: the ${flavour} entry's generated types`, async () => {
    const project = fileURLToPath(new URL(`types/tsconfig.${flavour}.json`, import.meta.url));
    const result = await run(TSC, ['--noEmit', '-p', project]).catch((e) => e);
    assert.equal(result.stdout, '', result.stdout);
    assert.ok(!(result instanceof Error), String(result));
  });
}
