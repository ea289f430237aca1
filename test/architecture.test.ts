import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';

/**
 * The shape the tree keeps: packages depend one way (storage <- barrier <- core <- server; the cli on none), no
 * source file is part of an import circle (type-only imports included), and only the composition root builds the
 * node's state machine.
 */
const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const PACKAGES = ['storage', 'barrier', 'core', 'server', 'cli'] as const;
const ALLOWED: Record<(typeof PACKAGES)[number], string[]> = {
  storage: [],
  barrier: ['storage'],
  core: ['storage', 'barrier'],
  server: ['storage', 'barrier', 'core'],
  cli: [],
};

function sourceFiles(dir: string): string[] {
  const out: string[] = [];
  for (const name of readdirSync(dir)) {
    const full = path.join(dir, name);
    if (statSync(full).isDirectory()) out.push(...sourceFiles(full));
    else if (name.endsWith('.ts')) out.push(full);
  }
  return out;
}

/** Every module specifier a file imports or re-exports, `import type` included. */
function specifiers(file: string): string[] {
  const text = readFileSync(file, 'utf8');
  const out: string[] = [];
  const re = /(?:^|\n)\s*(?:import|export)\s[^;]*?from\s+'([^']+)'|import\(\s*'([^']+)'\s*\)/g;
  for (let m = re.exec(text); m !== null; m = re.exec(text)) out.push((m[1] ?? m[2])!);
  return out;
}

function resolveLocal(from: string, spec: string): string {
  return path.resolve(path.dirname(from), spec.replace(/\.js$/, '.ts'));
}

/** The import circles among `files`, each as the list of files around it. */
function circles(files: string[]): string[][] {
  const graph = new Map(files.map((f) => [f, specifiers(f).filter((s) => s.startsWith('.')).map((s) => resolveLocal(f, s))]));
  const state = new Map<string, 'open' | 'done'>();
  const found: string[][] = [];
  const stack: string[] = [];
  const visit = (f: string): void => {
    state.set(f, 'open');
    stack.push(f);
    for (const next of graph.get(f) ?? []) {
      if (state.get(next) === 'open') found.push(stack.slice(stack.indexOf(next)).map((p) => path.relative(root, p)));
      else if (!state.has(next)) visit(next);
    }
    stack.pop();
    state.set(f, 'done');
  };
  for (const f of files) if (!state.has(f)) visit(f);
  return found;
}

describe('the shape of the tree', () => {
  for (const pkg of PACKAGES) {
    const files = sourceFiles(path.join(root, 'packages', pkg, 'src'));

    it(`${pkg}: no import circle among its source files`, () => {
      assert.deepEqual(circles(files), []);
    });

    it(`${pkg}: depends only on the packages below it`, () => {
      for (const f of files) {
        const rel = path.relative(root, f);
        // `strongroom server` runs the server in-process, as `vault server` does: loaded on demand by that one
        // command, so client commands talk HTTP only and never load the server.
        if (rel === 'packages/cli/src/server-module.ts') continue;
        for (const s of specifiers(f)) {
          const m = /^@strongroom\/([a-z]+)/.exec(s);
          if (m) assert.ok(ALLOWED[pkg].includes(m[1]!), `${rel} imports ${s}`);
        }
      }
    });
  }

  it('only the composition root and the package index import the state machine', () => {
    const core = path.join(root, 'packages', 'core', 'src');
    const importers = sourceFiles(core)
      .filter((f) => specifiers(f).some((s) => s.startsWith('.') && resolveLocal(f, s) === path.join(core, 'core.ts')))
      .map((f) => path.relative(core, f))
      .sort();
    assert.deepEqual(importers, ['index.ts', 'node.ts']);
  });

  it('finds a circle when there is one, through type-only imports too (the check itself works)', () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'strongroom-circle-'));
    try {
      writeFileSync(path.join(dir, 'a.ts'), "import type { B } from './b.js';\nexport type A = B;\n");
      writeFileSync(path.join(dir, 'b.ts'), "import { c } from './c.js';\nexport type B = string;\nexport const b = c;\n");
      writeFileSync(path.join(dir, 'c.ts'), "export { type A } from './a.js';\nexport const c = 1;\n");
      const found = circles(sourceFiles(dir));
      assert.equal(found.length, 1);
      assert.deepEqual(found[0]!.map((f) => path.basename(f)), ['a.ts', 'b.ts', 'c.ts']);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
