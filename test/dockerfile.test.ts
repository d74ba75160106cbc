// The Dockerfile cannot be built here (no registry for base images): check what can be checked.
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, it } from 'node:test';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const lines = readFileSync(join(ROOT, 'Dockerfile'), 'utf8')
  .split('\n')
  .filter((line) => line.trim() !== '' && !line.trim().startsWith('#'));
const stages = lines.reduce<string[][]>((all, line) => (line.startsWith('FROM ') ? [...all, [line]] : (all.at(-1)!.push(line), all)), []);
/** `.dockerignore` as written: ignore everything, then re-include these names. */
const included = readFileSync(join(ROOT, '.dockerignore'), 'utf8')
  .split('\n')
  .filter((line) => line.startsWith('!'))
  .map((line) => line.slice(1));

describe('Dockerfile', () => {
  it('is multi-stage; every COPY from the context exists and is not ignored', () => {
    assert.ok(stages.length >= 2);
    for (const line of lines.filter((candidate) => candidate.startsWith('COPY ') && !candidate.includes('--from='))) {
      const sources = line.split(/\s+/).slice(1, -1);
      for (const source of sources) {
        assert.ok(existsSync(join(ROOT, source)), `${source} exists`);
        assert.ok(included.includes(source.replace(/\/$/, '')), `${source} is in .dockerignore's allow list`);
      }
    }
  });

  it('the build stage runs npm scripts that exist; the runtime stage is one file, non-root, grpclb-probe as entrypoint', () => {
    const scripts = (JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { scripts: Record<string, string> }).scripts;
    for (const line of stages[0]!.filter((candidate) => /^RUN npm run /.test(candidate))) {
      assert.ok(scripts[line.split(/\s+/)[3]!], line);
    }
    const runtime = stages.at(-1)!;
    assert.deepEqual(runtime.filter((line) => line.startsWith('RUN ')), [], 'no RUN (no shell, no npm) in the runtime stage');
    assert.deepEqual(runtime.filter((line) => line.startsWith('COPY ')).length, 1);
    const user = runtime.find((line) => line.startsWith('USER '))!.split(/\s+/)[1]!;
    assert.match(user, /^[1-9]\d*(:\d+)?$/, 'numeric non-root user, so runAsNonRoot can verify it');
    assert.ok(runtime.includes('ENTRYPOINT ["grpclb-probe"]'));
    assert.match(runtime.find((line) => line.startsWith('COPY '))!, /\/usr\/local\/bin\/grpclb-probe$/);
  });
});
