/**
 * How a live snapshot keeps Secret values out of the file and still tells "same" from "differs": every value is
 * replaced by an HMAC-SHA256 of its bytes under the user's own secret key (never written to the repo or the
 * snapshot; see node/secretKey.ts), keyed further by object and data key so that equal values in two Secrets do not
 * look alike. Desired Secrets are hashed the same way before a diff against the snapshot. Without the key a stand-in
 * cannot be tested against a guessed value; the snapshot records only the key's id, to say when the key differs.
 */
import { createHmac } from 'node:crypto';
import { SecretRedactor, isSecret } from './secrets';
import type { KubeObject } from '../model/resource';
import { keyOf, keyString } from '../model/resource';

const PREFIX = 'gitops-drift-hmac:';

/** The user's key for snapshots, as bytes, with the id a snapshot records. */
export class SnapshotKey {
  readonly id: string;

  constructor(readonly bytes: Uint8Array) {
    if (bytes.length < 16) throw new Error('a snapshot key needs at least 16 bytes');
    // The id is itself keyed: it names the key without revealing anything about it.
    this.id = createHmac('sha256', bytes).update('gitops-drift snapshot key id').digest('hex').slice(0, 16);
  }

  /** The stand-in for one Secret value: printable ASCII, so it survives base64 and `stringData` folding alike. */
  hash(value: Buffer, objectKey: string, dataKey: string): string {
    return PREFIX + createHmac('sha256', this.bytes).update(`${objectKey}\0${dataKey}\0`).update(value).digest('hex');
  }
}

/**
 * A copy of a Secret with each `data` value (base64) replaced by base64(hash), each `stringData` value by the hash
 * itself, and the same wherever the values hide (the last-applied annotation, other embedded JSON). `data` and
 * `stringData` values of the same bytes hash alike, as the API server would store them alike.
 */
export function hashSecretValues(
  obj: KubeObject,
  key: SnapshotKey,
  namespace = obj.metadata?.namespace ?? '',
): KubeObject {
  if (!isSecret(obj)) return obj;
  const objectKey = keyString({ ...keyOf(obj), namespace });
  return new SecretRedactor([obj], {
    replace: (bytes, dataKey) => key.hash(bytes, objectKey, dataKey),
    dataAsBase64: true,
  }).object(obj);
}
