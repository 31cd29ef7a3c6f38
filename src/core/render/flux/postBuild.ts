/**
 * A Flux Kustomization's `postBuild`, as kustomize-controller runs it on each built object
 * (github.com/fluxcd/pkg/kustomize, kustomize_varsub.go): variables from `substituteFrom` ConfigMaps and Secrets in
 * order, then the inline `substitute` map over them; newlines dropped from every value; names checked; then every
 * object not opted out (`kustomize.toolkit.fluxcd.io/substitute: disabled` as a label or annotation) is substituted.
 * With no variables at all (and `substituteStrategy` not `Always`) nothing is substituted, so `$${x}` stays as written.
 *
 * Flux substitutes the object's YAML text as kustomize wrote it and reads it back as JSON (go-yaml v2): this works on
 * values and keys instead, and a value written plain that a substitution changed is read back the way go-yaml v2
 * types it, so `replicas: ${REPLICAS}` becomes a number (and so does `"${PORT}"`: kustomize drops the quotes). An
 * unset variable without a default is the empty string, as in Flux's default (non-strict) mode, so a lone
 * `${UNSET}` reads back as null; with the StrictPostBuildSubstitutions feature gate it fails the build instead.
 *
 * Origins survive: a substituted value keeps the origin of the text that held `${VAR}`, with where each variable it
 * read is defined as related information. A value that reads a variable from a Secret is never put into the object:
 * a placeholder naming the Secret stands in, and its origin is marked `secret` so drift compares it by presence.
 */
import type { Origin, SourceLocation } from '../../model/location';
import { ProblemError } from '../../model/problem';
import { keyOf, type KubeObject } from '../../model/resource';
import { GO_INT_TEXT, resolveGoInt } from '../../yaml/goYamlScalars';
import { childPointer } from '../../yaml/pointer';
import type { RenderedObject } from '../types';
import { evaluate, mayReference, SubstitutionSyntaxError } from './envsubst';

/** The opt-out, as a label or an annotation on an object. */
export const SUBSTITUTE_KEY = 'kustomize.toolkit.fluxcd.io/substitute';
/** go-yaml's check in kustomize_varsub.go: a variable name must look like a shell variable. */
const VARIABLE_NAME = /^[_\p{L}][_\p{L}\p{Nd}]*$/u;

/** One postBuild variable: its value and where it is set. */
export interface Variable {
  value: string;
  /** The `substitute:` entry, or the ConfigMap's or Secret's data key. */
  definedAt: SourceLocation;
  /** What set it, for messages: `substitute`, `ConfigMap cluster-settings`, `Secret cluster-secrets`. */
  from: string;
  /** Its value comes from a Secret (SOPS-encrypted or not): never shown, never put into an object. */
  secret?: true;
}

/**
 * Substitutes one object; returns it unchanged (the same object) when nothing in it changed. `strict`: Flux's
 * StrictPostBuildSubstitutions, where a variable used without a default that is not set fails the build.
 */
export function substituteObject(
  r: RenderedObject,
  vars: ReadonlyMap<string, Variable>,
  options: { strict?: boolean } = {},
): RenderedObject {
  const meta = r.object.metadata as
    { labels?: Record<string, unknown>; annotations?: Record<string, unknown> } | undefined;
  if (meta?.labels?.[SUBSTITUTE_KEY] === 'disabled' || meta?.annotations?.[SUBSTITUTE_KEY] === 'disabled') return r;
  const origins = new Map<string, Origin>();
  let changed = false;
  const lookup = (name: string) => vars.get(name)?.value;

  // Where each variable read is set (an unset one, empty or its default, has no such place).
  const related = (names: string[]): NonNullable<Origin['related']> =>
    names.flatMap((n) => {
      const v = vars.get(n);
      return v
        ? [
            {
              location: v.definedAt,
              message: `\${${n}} is set by ${v.from}${v.secret ? ' (a Secret: its value is not shown, and only its presence is compared)' : ''}`,
            },
          ]
        : [];
    });

  const substitute = (text: string, at: Origin): { text: string; variables: string[] } => {
    try {
      return evaluate(text, lookup, options);
    } catch (e) {
      if (!(e instanceof SubstitutionSyntaxError)) throw e;
      // Flux fails the Kustomization's whole build on it.
      throw new ProblemError({
        severity: 'error',
        message: `postBuild substitution failed for ${r.key.kind} ${r.key.name}: ${e.message} (in '${text.length > 80 ? text.slice(0, 80) + '…' : text}')`,
        location: { file: at.file, line: at.line, column: at.column },
      });
    }
  };

  const walk = (value: unknown, from: string, to: string): unknown => {
    const origin = r.origins.get(from) ?? { ...r.source, kind: 'resource' as const };
    if (typeof value === 'string') {
      if (!mayReference(value)) {
        origins.set(to, origin);
        return value;
      }
      const out = substitute(value, origin);
      if (out.text === value && out.variables.length === 0) {
        origins.set(to, origin);
        return value;
      }
      changed = true;
      const setAt = related(out.variables);
      const secrets = [...new Set(out.variables.flatMap((n) => (vars.get(n)?.secret ? [vars.get(n)!.from] : [])))];
      origins.set(to, {
        ...origin,
        ...(setAt.length ? { related: [...(origin.related ?? []), ...setAt] } : {}),
        ...(secrets.length ? { secret: true as const } : {}),
      });
      // A Secret's value never enters the render (it would be printed and diffed): a placeholder stands in for it.
      if (secrets.length) return `(substituted from ${secrets.join(', ')})`;
      return writtenPlain(value) ? readPlainScalar(out.text) : out.text;
    }
    origins.set(to, origin);
    if (Array.isArray(value)) return value.map((v, i) => walk(v, `${from}/${i}`, `${to}/${i}`));
    if (value !== null && typeof value === 'object') {
      const result: Record<string, unknown> = {};
      for (const [key, v] of Object.entries(value)) {
        let k = key;
        if (mayReference(key)) {
          k = substitute(key, r.origins.get(childPointer(from, key)) ?? origin).text;
          if (k !== key) changed = true;
        }
        Object.defineProperty(result, k, {
          value: walk(v, childPointer(from, key), childPointer(to, k)),
          enumerable: true,
          writable: true,
          configurable: true,
        });
      }
      return result;
    }
    return value;
  };

  const object = walk(r.object, '', '') as KubeObject;
  if (!changed) return r;
  const { exactIntegers: _exact, ...rest } = r;
  // A name or namespace may have been substituted: the key follows.
  return { ...rest, object, key: keyOf(object), origins };
}

/** Checks the variables' names as Flux does before substituting anything: one bad name fails the build. */
export function checkVariableNames(vars: ReadonlyMap<string, Variable>): void {
  for (const [name, v] of vars) {
    if (!VARIABLE_NAME.test(name)) {
      throw new ProblemError({
        severity: 'error',
        message: `postBuild variable '${name}' (from ${v.from}) is not a valid name: Flux requires letters, digits and '_', not starting with a digit, and fails the build`,
        location: v.definedAt,
      });
    }
  }
}

/**
 * A plain scalar's text read back as go-yaml v2 (sigs.k8s.io/yaml's YAMLToJSON) types it: null, YAML 1.1 booleans
 * (`yes`, `on`, `off`...), Go integers (`0755` octal, `1_000`) and floats; anything else stays a string.
 */
export function readPlainScalar(text: string): unknown {
  if (text === '' || text === '~' || text === 'null' || text === 'Null' || text === 'NULL') return null;
  if (/^(y|Y|yes|Yes|YES|true|True|TRUE|on|On|ON)$/.test(text)) return true;
  if (/^(n|N|no|No|NO|false|False|FALSE|off|Off|OFF)$/.test(text)) return false;
  if (GO_INT_TEXT.test(text)) {
    const n = resolveGoInt(text);
    return typeof n === 'bigint' ? Number(n) : n;
  }
  const plain = text.replace(/_/g, '');
  if (/^[-+]?(?:\.[0-9]+|[0-9]+(?:\.[0-9]*)?)(?:[eE][-+]?[0-9]+)?$/.test(plain)) return parseFloat(plain);
  return text;
}

/**
 * Whether go-yaml v3 (kyaml) writes the string as a plain scalar: then Flux's substitution, which works on that text,
 * lets the result be read back as a number, a boolean or null. Quoting does not survive kustomize (`"${PORT}"` is
 * written `${PORT}` and becomes 8080), so this looks at the text before substitution, not at how the repo wrote it.
 * A string that must be quoted (`${A}: ${B}`, a leading `*`, a trailing space) or that spans lines stays a string.
 */
export function writtenPlain(s: string): boolean {
  if (s === '' || s.includes('\n') || /^\s|\s$/.test(s)) return false;
  if (/^[,[\]{}#&*!|>'"%@`]/.test(s)) return false;
  if (/^[-?:](\s|$)/.test(s)) return false;
  if (s.includes(': ') || s.includes(' #') || s.endsWith(':')) return false;
  // Text that already reads as something else (`true`, `12`) is quoted to stay a string.
  return readPlainScalar(s) === s;
}
