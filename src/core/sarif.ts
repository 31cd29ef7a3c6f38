/** The SARIF 2.1.0 envelope both reports share (`check --format sarif`, `lint --format sarif`). */
import { createHash } from 'node:crypto';

/** One rule of a SARIF log. */
export interface SarifRule {
  id: string;
  /** `error`, `warning` or `note`. */
  level: string;
  text: string;
  helpUri: string;
}

/** A SARIF log of one run: the tool, its rules and the results (serialise with `JSON.stringify`). */
export function sarifLog(
  tool: { name: string; informationUri: string; version?: string },
  rules: readonly SarifRule[],
  results: Record<string, unknown>[],
): Record<string, unknown> {
  return {
    $schema: 'https://json.schemastore.org/sarif-2.1.0.json',
    version: '2.1.0',
    runs: [
      {
        tool: {
          driver: {
            name: tool.name,
            informationUri: tool.informationUri,
            ...(tool.version ? { version: tool.version, semanticVersion: tool.version } : {}),
            rules: rules.map((rule) => ({
              id: rule.id,
              shortDescription: { text: rule.text },
              helpUri: rule.helpUri,
              defaultConfiguration: { level: rule.level },
            })),
          },
        },
        originalUriBaseIds: { REPO_ROOT: { description: { text: 'The config repository root' } } },
        results,
      },
    ],
  };
}

/** A result's partial fingerprint: stable across runs and line moves, so code scanning keeps one alert per finding. */
export function sarifFingerprint(identity: readonly string[]): string {
  return createHash('sha256').update(identity.join('\0')).digest('hex').slice(0, 32);
}
