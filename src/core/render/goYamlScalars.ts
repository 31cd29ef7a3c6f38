/**
 * Scalars as kustomize's YAML reader leaves them (kyaml over go-yaml v3, v5.7.1), where that differs from the YAML
 * 1.2 core schema the `yaml` package and js-yaml follow. Both of our parsers (fastYaml.ts and parseYamlSlow in
 * loader.ts) resolve through here, so a value reads the same whichever parser took the file.
 */
/** A plain scalar go-yaml v3 may read as an integer: Go's `strconv.ParseInt(s, 0, 64)` syntax, underscores anywhere. */
export const GO_INT_TEXT = /^[-+]?[0-9][0-9a-fA-FxXoObB_]*$/;

const GO_INT = /^([-+]?)(?:0[xX]([0-9a-fA-F]+)|0[oO]([0-7]+)|0[bB]([01]+)|(0[0-7]*)|([1-9][0-9]*))$/;
/** go-yaml's yamlStyleFloat, tried on the text without underscores when it is no integer (`08`, `1_0.5`). */
const GO_FLOAT = /^[-+]?(?:\.[0-9]+|[0-9]+(?:\.[0-9]*)?)(?:[eE][-+]?[0-9]+)?$/;

/**
 * The value go-yaml v3 resolves a plain scalar matching GO_INT_TEXT to: it drops every `_` and parses with base
 * prefixes, and a leading 0 means octal (YAML 1.1), so `0755` is 493, `0o17` 15, `0b101` 5, `0x1F` 31 and
 * `1_000` 1000, where YAML 1.2 reads 755 and the strings `0o17`, `0b101`, `1_000`. What is no Go integer falls
 * back to a float (`08` → 8) or stays the string it was. Integers are bigints (the callers keep ones beyond ±2^53
 * exact).
 */
export function resolveGoInt(text: string): bigint | number | string {
  const plain = text.replace(/_/g, '');
  const m = GO_INT.exec(plain);
  if (m) {
    const [, sign, hex, oct, bin, zeroOct, dec] = m;
    const digits = hex !== undefined ? '0x' + hex : oct !== undefined ? '0o' + oct : bin !== undefined ? '0b' + bin : zeroOct !== undefined ? '0o' + (zeroOct.slice(1) || '0') : dec;
    const n = BigInt(digits);
    return sign === '-' ? -n : n;
  }
  if (GO_FLOAT.test(plain)) return parseFloat(plain);
  return text;
}
