/**
 * Kubernetes resource quantities (`500m`, `1Gi`, `1e3`, `0.5`), compared exactly: the API server canonicalises
 * them (`1000m` → `1`, `1024Mi` → `1Gi`), so git's spelling and the live one often differ for the same amount.
 */
import { isQuantityTyped } from './apiFields';

const QUANTITY = /^([+-]?(?:\d+(?:\.\d*)?|\.\d+))(Ki|Mi|Gi|Ti|Pi|Ei|[numkMGTPE]|[eE][+-]?\d+)?$/;
const BINARY: Record<string, number> = { Ki: 10, Mi: 20, Gi: 30, Ti: 40, Pi: 50, Ei: 60 };
const DECIMAL: Record<string, number> = { n: -9, u: -6, m: -3, k: 3, M: 6, G: 9, T: 12, P: 15, E: 18 };

/** An exact rational value: numerator / denominator, denominator > 0. */
interface Rational {
  num: bigint;
  den: bigint;
}

/** Parses a quantity (a string, or a number as YAML gives `cpu: 0.5`) into an exact rational; undefined if not one. */
export function parseQuantity(value: unknown): Rational | undefined {
  const text =
    typeof value === 'number'
      ? Number.isFinite(value)
        ? numberText(value)
        : ''
      : typeof value === 'string'
        ? value.trim()
        : '';
  const m = QUANTITY.exec(text);
  if (!m) return undefined;
  const [, mantissa, suffix = ''] = m;
  const negative = mantissa.startsWith('-');
  const unsigned = mantissa.replace(/^[+-]/, '');
  const [whole, fraction = ''] = unsigned.split('.');
  let num = BigInt((whole || '0') + fraction);
  let den = 10n ** BigInt(fraction.length);
  if (suffix in BINARY) num *= 2n ** BigInt(BINARY[suffix]);
  else {
    const exponent = suffix in DECIMAL ? DECIMAL[suffix] : suffix ? Number(suffix.slice(1)) : 0;
    if (Math.abs(exponent) > 400) return undefined; // not a real quantity; avoid huge bigints
    if (exponent >= 0) num *= 10n ** BigInt(exponent);
    else den *= 10n ** BigInt(-exponent);
  }
  return { num: negative ? -num : num, den };
}

/** Whether two values are the same quantity (both must parse). */
export function sameQuantity(a: unknown, b: unknown): boolean {
  const x = parseQuantity(a);
  const y = parseQuantity(b);
  return x !== undefined && y !== undefined && x.num * y.den === y.num * x.den;
}

/** A number's plain decimal text (no exponent for the sizes YAML produces). */
function numberText(n: number): string {
  const s = String(n);
  return /e/i.test(s) ? n.toFixed(20).replace(/\.?0+$/, '') : s;
}

/**
 * Whether the value at `pointer` in an object of this apiVersion and kind is a quantity: for a built-in kind, as the
 * pinned API's OpenAPI document types it (an HPA target's `averageValue`, an env var's `divisor`); for a custom
 * resource, which often embeds the built-in resource types, by its parent key and name (`isQuantityPath`).
 */
export function isQuantityField(
  apiVersion: string,
  kind: string,
  pointer: string,
  parentKey: string | undefined,
  key: string,
): boolean {
  return isQuantityTyped(apiVersion, kind, pointer) ?? isQuantityPath(parentKey, key);
}

/** Parent keys whose map values are quantities in the built-in API types (resources, quotas, limit ranges). */
const QUANTITY_MAPS = new Set([
  'limits',
  'requests',
  'hard',
  'used',
  'capacity',
  'allocatable',
  'overhead',
  'default',
  'defaultRequest',
  'max',
  'min',
  'maxLimitRequestRatio',
]);
/** Keys that are quantities themselves. */
const QUANTITY_FIELDS = new Set(['sizeLimit', 'storage']);

/**
 * Whether the value at this path is a quantity field, judged by the parent key and the field name (for custom
 * resources; the built-in kinds go by their types, see `isQuantityField`). Only there is a quantity comparison
 * used, so a ConfigMap value `1k` is never "equal" to `1000`.
 */
export function isQuantityPath(parentKey: string | undefined, key: string): boolean {
  return (parentKey !== undefined && QUANTITY_MAPS.has(parentKey)) || QUANTITY_FIELDS.has(key);
}
