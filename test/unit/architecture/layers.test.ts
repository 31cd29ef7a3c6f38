/**
 * The house's rules, checked on every file of src/: data flows one way through the layers of docs/architecture.md,
 * and no module imports itself round a cycle. A new import that breaks either fails here with the file and line.
 */
import assert from 'node:assert/strict';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';

const src = resolve(__dirname, '..', '..', '..', 'src');

/** From the top: a file may import only from its own layer or lower ones. render and live are siblings. */
const LAYERS: [layer: string, rank: number, matches: (file: string) => boolean][] = [
  [
    'entry points (cli, vscode, extension, extensionEntry)',
    9,
    (f) => f.startsWith('cli/') || f.startsWith('vscode/') || f === 'extension.ts' || f === 'extensionEntry.ts',
  ],
  ['node adapters', 8, (f) => f.startsWith('node/')],
  [
    'engine',
    7,
    (f) =>
      [
        'core/engine.ts',
        'core/authoringTools.ts',
        'core/putBackService.ts',
        'core/revertService.ts',
        'core/historyService.ts',
      ].includes(f),
  ],
  ['authoring', 6, (f) => f.startsWith('core/authoring/') || f.startsWith('core/editor/')],
  ['history', 6, (f) => f.startsWith('core/history/')],
  ['promote', 5, (f) => f.startsWith('core/promote/')],
  ['repo', 4, (f) => f.startsWith('core/repo/')],
  ['drift', 3, (f) => f.startsWith('core/drift/')],
  ['render', 2, (f) => f.startsWith('core/render/')],
  ['live', 2, (f) => f.startsWith('core/live/')],
  ['base (k8s, yaml, model, ports)', 1, (f) => /^core\/(k8s|yaml|model)\//.test(f) || /^core\/[^/]+\.ts$/.test(f)],
];

interface Import {
  from: string;
  to: string;
  line: number;
}

function sourceFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    return statSync(path).isDirectory() ? sourceFiles(path) : path.endsWith('.ts') ? [path] : [];
  });
}

function imports(): Import[] {
  const out: Import[] = [];
  for (const file of sourceFiles(src)) {
    const text = readFileSync(file, 'utf8');
    // Over the whole text: a formatter splits long import lists over several lines.
    for (const m of text.matchAll(/^(?:import|export)\b[^'";]*?from\s+'(\.[^']+)'|^import\s+'(\.[^']+)'/gm)) {
      const target = resolve(dirname(file), m[1] ?? m[2]).replace(/\.js$/, '');
      const line = text.slice(0, m.index).split('\n').length;
      out.push({
        from: relative(src, file),
        to: relative(src, target.endsWith('.json') ? target : `${target}.ts`),
        line,
      });
    }
  }
  return out;
}

function layerOf(file: string): [string, number] {
  const found = LAYERS.find(([, , matches]) => matches(file));
  assert.ok(found, `${file} belongs to no layer: add it to LAYERS and docs/architecture.md`);
  return [found[0], found[1]];
}

describe('architecture (docs/architecture.md)', () => {
  const all = imports().filter((i) => !i.to.endsWith('.json'));

  it('imports only from the same layer or lower ones; render and live do not import each other', () => {
    const upward = all.flatMap((i) => {
      const [from, fromRank] = layerOf(i.from);
      const [to, toRank] = layerOf(i.to);
      const bad = toRank > fromRank || (fromRank === toRank && fromRank === 2 && from !== to);
      return bad ? [`src/${i.from}:${i.line} (${from}) imports src/${i.to} (${to})`] : [];
    });
    assert.deepEqual(upward, []);
  });

  it('has no import cycle', () => {
    const edges = new Map<string, string[]>();
    for (const i of all) edges.set(i.from, [...(edges.get(i.from) ?? []), i.to]);
    // Tarjan's strongly connected components: any component of more than one file is a cycle.
    let index = 0;
    const indexOf = new Map<string, number>();
    const low = new Map<string, number>();
    const stack: string[] = [];
    const onStack = new Set<string>();
    const cycles: string[][] = [];
    const visit = (v: string): void => {
      indexOf.set(v, index);
      low.set(v, index++);
      stack.push(v);
      onStack.add(v);
      for (const w of edges.get(v) ?? []) {
        if (!indexOf.has(w)) {
          visit(w);
          low.set(v, Math.min(low.get(v)!, low.get(w)!));
        } else if (onStack.has(w)) low.set(v, Math.min(low.get(v)!, indexOf.get(w)!));
      }
      if (low.get(v) === indexOf.get(v)) {
        const component: string[] = [];
        let w: string;
        do {
          w = stack.pop()!;
          onStack.delete(w);
          component.push(w);
        } while (w !== v);
        if (component.length > 1) cycles.push(component.sort());
      }
    };
    for (const v of edges.keys()) if (!indexOf.has(v)) visit(v);
    assert.deepEqual(cycles, []);
  });
});
