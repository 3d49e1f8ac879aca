import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';

const root = path.resolve(import.meta.dirname, '..');
const makefiles = ['Makefile', ...readdirSync(path.join(root, 'mk')).map((f) => `mk/${f}`)].filter(
  (f) => f === 'Makefile' || f.endsWith('.mk'),
);

/** Every rule's target line (`name: deps`), without pattern rules, variables or file targets. */
function targets(file: string): { name: string; line: string }[] {
  return readFileSync(path.join(root, file), 'utf8')
    .split('\n')
    .filter((line) => /^[a-zA-Z0-9_-]+:(?!=)/.test(line))
    .map((line) => ({ name: line.slice(0, line.indexOf(':')), line }));
}

describe('the Makefile front door', () => {
  it.each(makefiles)('%s: every verb has a `## description`, so make help lists it', (file) => {
    const undocumented = targets(file)
      .filter((t) => !/:.*?## \S/.test(t.line))
      .map((t) => t.name);
    expect(undocumented).toEqual([]);
  });

  it('make help lists every target make itself knows (other than files)', () => {
    // make's own rule database, so targets written in forms the line scan above misses count too.
    // (-q: run nothing; its exit status only says whether the default goal is up to date.)
    const database = spawnSync('make', ['--no-print-directory', '-qp'], {
      cwd: root,
      encoding: 'utf8',
      maxBuffer: 64 * 1024 * 1024,
    }).stdout;
    const known = new Set(
      [...database.matchAll(/^([a-zA-Z0-9][a-zA-Z0-9_.-]*):(?!=)/gm)]
        .map((m) => m[1]!)
        .filter((name) => !existsSync(path.join(root, name))),
    );
    const help = execFileSync('make', ['--no-print-directory', 'help'], { cwd: root, encoding: 'utf8' })
      .split(String.fromCharCode(27)) // the colour escapes
      .join('')
      .replace(/\[[0-9;]*m/g, '')
      .split('\n')
      .map((line) => line.trim().split(/\s+/)[0])
      .filter(Boolean);
    expect([...known].filter((name) => !help.includes(name))).toEqual([]);
    expect(known.size).toBeGreaterThan(40);
  });

  it('make test lists every test-* target as a suite', () => {
    const script = readFileSync(path.join(root, 'scripts/test.sh'), 'utf8');
    const listed = /^MAKE_SUITES=\(([^)]*)\)/m.exec(script)?.[1]?.split(/\s+/).filter(Boolean) ?? [];
    const viaVitest = /^VITEST_SUITES=\(([^)]*)\)/m.exec(script)?.[1]?.split(/\s+/).filter(Boolean) ?? [];
    const declared = makefiles
      .flatMap(targets)
      .map((t) => t.name)
      .filter((n) => n.startsWith('test-'));
    // test-<project> targets that only run a vitest project are covered by that project.
    const missing = declared.filter((n) => !listed.includes(n) && !viaVitest.includes(n.slice(5)));
    expect(missing).toEqual([]);
  });
});
