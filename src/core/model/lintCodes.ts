/** The codes of the authoring checks: plain data, which the config (`lint.disable`) validates too. */
/** Every authoring diagnostic code; each has a section (same anchor) in docs/authoring.md. */
export const LINT_CODES = [
  'malformed-yaml',
  'missing-path',
  'path-outside-repo',
  'unknown-field',
  'deprecated-field',
  'patch-no-match',
  'duplicate-resource',
  'selector-label',
  'mutable-image-tag',
  'plaintext-secret',
  'render-error',
  'render-warning',
  'invalid-config',
] as const;

export type LintCode = (typeof LINT_CODES)[number];
