import type { LiveFailure } from '../model/live';
import type { ListOutcome } from '../ports';
import type { LiveScope } from './scopes';
import { resourceLabel } from './scopes';
import { plainText } from '../model/untrustedText';

/** The LiveFailure for a LIST that did not succeed (undefined for an ok outcome). */
export function failureOf(scope: LiveScope, outcome: ListOutcome): LiveFailure | undefined {
  const where = scope.namespace ? `in namespace "${scope.namespace}"` : 'cluster-wide';
  switch (outcome.status) {
    case 'ok':
      return undefined;
    case 'unknownKind':
      return {
        verdict: 'UnknownKind',
        message: `the cluster no longer serves ${resourceLabel(scope.type)} (kind ${scope.type.kind})`,
      };
    case 'forbidden':
      // The server's message names the user, verb, resource and namespace; keep ours first for a stable prefix.
      return {
        verdict: 'Forbidden',
        message: `${outcome.verb} ${outcome.resource} ${where} is forbidden${outcome.message ? `: ${plainText(outcome.message)}` : ''}`,
      };
    case 'error':
      return {
        verdict: 'Error',
        message: `list ${resourceLabel(scope.type)} ${where} failed: ${plainText(outcome.message)}`,
      };
  }
}
