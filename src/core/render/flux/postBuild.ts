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
import { LazyOrigins } from '../../yaml/tree';
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

/** A value's substitution: what goes into the object, and where its variables are set. */
interface Substituted {
  value: unknown;
  setAt: NonNullable<Origin['related']>;
  secrets: string[];
}

/**
 * Substitutions already made with the same variables and strictness, by text (undefined: the text stays as it is):
 * a Kustomization's objects repeat the same `${TIMEZONE}`, `${PUID}`. Make one per variable set; never share it
 * between Kustomizations.
 */
export type SubstitutionMemo = Map<string, Substituted | undefined>;

/**
 * Substitutes one object; returns it unchanged (the same object) when nothing in it changed. `strict`: Flux's
 * StrictPostBuildSubstitutions, where a variable used without a default that is not set fails the build. `memo`: see
 * SubstitutionMemo.
 */
export function substituteObject(
  r: RenderedObject,
  vars: ReadonlyMap<string, Variable>,
  options: { strict?: boolean; memo?: SubstitutionMemo } = {},
): RenderedObject {
  const meta = r.object.metadata as
    { labels?: Record<string, unknown>; annotations?: Record<string, unknown> } | undefined;
  if (meta?.labels?.[SUBSTITUTE_KEY] === 'disabled' || meta?.annotations?.[SUBSTITUTE_KEY] === 'disabled') return r;
  // The usual object substitutes values only: see substituteValues.
  return substituteValues(r, vars, options) ?? substituteKeysAndValues(r, vars, options);
}

/** substituteObject's walk over keys and values: every container copied, every origin set. */
function substituteKeysAndValues(
  r: RenderedObject,
  vars: ReadonlyMap<string, Variable>,
  options: { strict?: boolean },
): RenderedObject {
  const origins = new Map<string, Origin>();
  let changed = false;
  const lookup = (name: string) => vars.get(name)?.value;
  const related = (names: string[]) => relatedDefinitions(names, vars);
  const substitute = (text: string, at: Origin) => substituteText(text, () => at, r, lookup, options);

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
      const secrets = secretSources(out.variables, vars);
      origins.set(to, substitutedOrigin(origin, setAt, secrets));
      return substitutedValue(value, out.text, secrets);
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

/**
 * substituteObject for an object whose keys hold no `$` (nearly all; undefined for the others): its shape stays, so the object shares every
 * subtree without a substitution with the render's, and pointers are built only for the substituted values. Its
 * origins, the render's with the substituted values' own, are the same map substituteObject's walk builds, built
 * when first read (most never are).
 */
function substituteValues(
  r: RenderedObject,
  vars: ReadonlyMap<string, Variable>,
  options: { strict?: boolean; memo?: SubstitutionMemo },
): RenderedObject | undefined {
  /** Pointer → where the variables a substituted value read are set, and the Secrets among them. */
  const substituted = new Map<string, Substituted>();
  let keyed = false;
  const lookup = (name: string) => vars.get(name)?.value;
  const fallback: Origin = { ...r.source, kind: 'resource' };
  const memo = options.memo ?? new Map<string, Substituted | undefined>();
  const path: string[] = [];
  const pointer = () => path.reduce((p, segment) => childPointer(p, segment), '');
  const walk = (value: unknown): unknown => {
    if (typeof value === 'string') {
      if (!mayReference(value)) return value;
      let done = memo.get(value);
      if (done === undefined && !memo.has(value)) {
        // The render's origins are read only for an error here, or when the result's are first read.
        const out = substituteText(value, () => r.origins.get(pointer()) ?? fallback, r, lookup, options);
        if (out.text !== value || out.variables.length > 0) {
          const secrets = secretSources(out.variables, vars);
          done = {
            value: substitutedValue(value, out.text, secrets),
            setAt: relatedDefinitions(out.variables, vars),
            secrets,
          };
        }
        memo.set(value, done);
      }
      if (done === undefined) return value;
      substituted.set(pointer(), done);
      return done.value;
    }
    if (Array.isArray(value)) {
      let copy: unknown[] | undefined;
      for (let i = 0; i < value.length; i++) {
        path.push(String(i));
        const v = walk(value[i]);
        path.pop();
        if (v !== value[i]) (copy ??= value.slice())[i] = v;
      }
      return copy ?? value;
    }
    if (value !== null && typeof value === 'object') {
      let copy: Record<string, unknown> | undefined;
      const object = value as Record<string, unknown>;
      // for…in, not Object.entries: no array per object (the render's objects are plain, with own keys only).
      for (const key in object) {
        const v = object[key];
        if (mayReference(key)) keyed = true;
        if (keyed) return value;
        path.push(key);
        const w = walk(v);
        path.pop();
        if (w === v) continue;
        copy ??= { ...object };
        Object.defineProperty(copy, key, { value: w, enumerable: true, writable: true, configurable: true });
      }
      return copy ?? value;
    }
    return value;
  };
  const object = walk(r.object) as KubeObject;
  if (keyed) return undefined;
  if (substituted.size === 0) return r;
  const { exactIntegers: _exact, ...rest } = r;
  const origins = new LazyOrigins((out) => {
    const visit = (value: unknown, at: string): void => {
      const origin = r.origins.get(at) ?? fallback;
      const s = substituted.get(at);
      out.set(at, s ? substitutedOrigin(origin, s.setAt, s.secrets) : origin);
      if (Array.isArray(value)) value.forEach((v, i) => visit(v, `${at}/${i}`));
      else if (value !== null && typeof value === 'object')
        for (const [key, v] of Object.entries(value)) visit(v, childPointer(at, key));
    };
    visit(object, '');
  });
  // A name or namespace may have been substituted: the key follows.
  return { ...rest, object, key: keyOf(object), origins };
}

/** `text` substituted; a syntax error is Flux's build failure, at the text's line (`at`). */
function substituteText(
  text: string,
  at: () => Origin,
  r: RenderedObject,
  lookup: (name: string) => string | undefined,
  options: { strict?: boolean },
): { text: string; variables: string[] } {
  try {
    return evaluate(text, lookup, options);
  } catch (e) {
    if (!(e instanceof SubstitutionSyntaxError)) throw e;
    // Flux fails the Kustomization's whole build on it.
    const { file, line, column } = at();
    throw new ProblemError({
      severity: 'error',
      message: `postBuild substitution failed for ${r.key.kind} ${r.key.name}: ${e.message} (in '${text.length > 80 ? text.slice(0, 80) + '…' : text}')`,
      location: { file, line, column },
    });
  }
}

/** Where each variable read is set (an unset one, empty or its default, has no such place). */
function relatedDefinitions(names: string[], vars: ReadonlyMap<string, Variable>): NonNullable<Origin['related']> {
  return names.flatMap((n) => {
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
}

/** The Secrets (by `from`) among the variables a value read. */
function secretSources(names: string[], vars: ReadonlyMap<string, Variable>): string[] {
  return [...new Set(names.flatMap((n) => (vars.get(n)?.secret ? [vars.get(n)!.from] : [])))];
}

/** A substituted value's origin: the text's, with where its variables are set, marked secret when one is. */
function substitutedOrigin(origin: Origin, setAt: NonNullable<Origin['related']>, secrets: string[]): Origin {
  return {
    ...origin,
    ...(setAt.length ? { related: [...(origin.related ?? []), ...setAt] } : {}),
    ...(secrets.length ? { secret: true as const } : {}),
  };
}

/** The value that goes into the object for `text` substituted into `substituted`. */
function substitutedValue(text: string, substituted: string, secrets: string[]): unknown {
  // A Secret's value never enters the render (it would be printed and diffed): a placeholder stands in for it.
  if (secrets.length) return `(substituted from ${secrets.join(', ')})`;
  return writtenPlain(text) ? readPlainScalar(substituted) : substituted;
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
