import { existsSync } from 'node:fs';
import * as path from 'node:path';
import { Document, visit } from 'yaml';
import { type CliCommand, type CliIO, UsageError, parseArgs } from '../command';
import { formatLocation } from '../../core/model/location';
import { renderKustomization } from '../../core/render/kustomize';
import { NodeFileSystem } from '../../node/nodeFileSystem';

const usage = `Usage: gitops-drift render DIR [--origins] [--repo-root PATH]

Renders the kustomization in DIR in-process and prints what \`kustomize build DIR\` prints.

Options:
  --origins          print JSON instead: for each object its key and, per field path, the file:line that set it
  --repo-root PATH   nothing outside PATH is read (default: nearest ancestor of DIR with .git or
                     .gitops-drift.yaml, else the root directory)`;

/** `gitops-drift render DIR`: multi-document YAML like `kustomize build`, or field origins as JSON. */
export const renderCommand: CliCommand = {
  name: 'render',
  summary: 'Render a kustomization in-process (like kustomize build); --origins shows where each field came from',
  usage,
  async run(args: string[], io: CliIO): Promise<number> {
    const { options, positionals } = parseArgs(args, { strings: ['repo-root'], booleans: ['origins'] });
    if (positionals.length !== 1) throw new UsageError('expected exactly one DIR');
    const dir = path.resolve(io.cwd, positionals[0]);
    const repoRoot = typeof options['repo-root'] === 'string' ? path.resolve(io.cwd, options['repo-root']) : findRepoRoot(dir);
    const rel = path.relative(repoRoot, dir);
    if (rel.startsWith('..') || path.isAbsolute(rel)) throw new UsageError(`${dir} is not inside the repo root ${repoRoot}`);
    const result = await renderKustomization(toPosix(rel) || '.', { fs: new NodeFileSystem(), repoRoot: toPosix(repoRoot) });
    for (const p of result.problems) io.stderr(`${p.severity}: ${p.location ? formatLocation(p.location) + ': ' : ''}${p.message}\n`);
    if (options.origins) {
      const objects = result.objects.map((o) => ({ key: o.key, origins: Object.fromEntries(o.origins) }));
      io.stdout(JSON.stringify({ objects }, null, 2) + '\n');
    } else {
      io.stdout(result.objects.map((o) => toKustomizeYaml(o.exactIntegers ? withExactIntegers(o.object, o.exactIntegers) : o.object)).join('---\n'));
    }
    return 0;
  },
};

/** Strings a YAML 1.1 or 1.2 reader would take for a bool, null, number or timestamp. */
const ambiguous =
  /^(?:[yYnN]|yes|Yes|YES|no|No|NO|true|True|TRUE|false|False|FALSE|on|On|ON|off|Off|OFF|~|null|Null|NULL|[-+]?(?:0b[01_]+|0o[0-7_]+|0x[0-9a-fA-F_]+|[0-9][0-9_]*(?::[0-5]?[0-9])*|(?:[0-9][0-9_]*)?\.[0-9_]*(?:[eE][-+]?[0-9]+)?|[0-9][0-9_]*[eE][-+]?[0-9]+)|[-+]?\.(?:inf|Inf|INF)|\.(?:nan|NaN|NAN)|\d{4}-\d\d?-\d\d?(?:[Tt ].*)?)$/;

/**
 * YAML as `kustomize build` prints it (go-yaml): sorted keys, lists not indented, strings that other types could
 * be read from in double quotes (so YAML 1.1 readers such as kubectl keep them strings), other quoting in single
 * quotes, multi-line text as `|` blocks unless it holds control characters.
 */
function toKustomizeYaml(object: unknown): string {
  const doc = new Document(object, { version: '1.1', sortMapEntries: true, aliasDuplicateObjects: false });
  visit(doc, {
    Scalar(_, node) {
      if (typeof node.value === 'string' && (node.value === '' || ambiguous.test(node.value) || /[\x00-\x09\x0b-\x1f\x7f]/.test(node.value))) node.type = 'QUOTE_DOUBLE';
    },
  });
  return doc.toString({ singleQuote: true, indentSeq: false, lineWidth: 0, minContentWidth: 0 });
}

/** A copy of `object` with integers beyond ±2^53 as bigints, so they print with every digit. */
function withExactIntegers(object: unknown, exact: Map<string, bigint>): unknown {
  const copy = structuredClone(object) as Record<string, unknown>;
  for (const [pointer, value] of exact) {
    const tokens = pointer.split('/').slice(1).map((t) => t.replace(/~1/g, '/').replace(/~0/g, '~'));
    const last = tokens.pop();
    let parent: unknown = copy;
    for (const t of tokens) parent = (parent as Record<string, unknown>)[t];
    if (last !== undefined) (parent as Record<string, unknown>)[last] = value;
  }
  return copy;
}

function findRepoRoot(dir: string): string {
  for (let d = dir; ; d = path.dirname(d)) {
    if (existsSync(path.join(d, '.git')) || existsSync(path.join(d, '.gitops-drift.yaml'))) return d;
    if (path.dirname(d) === d) return d;
  }
}

function toPosix(p: string): string {
  return p.split(path.sep).join('/');
}
