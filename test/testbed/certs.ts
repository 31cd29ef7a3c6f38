// A throwaway CA and a serving certificate for a loopback server (the test bed's API server, the fixture and
// misbehaving servers of the tests), made with the openssl command.
import { execFileSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';

/** Runs openssl quietly; its stderr surfaces only in the error when it fails. */
export function openssl(...args: string[]): void {
  execFileSync('openssl', args, { stdio: ['ignore', 'ignore', 'pipe'] });
}

/**
 * Writes `ca.crt`/`ca.key` and `server.crt`/`server.key` into `dir`: a CA named `NAME-ca` and a certificate for
 * `CN=NAME` that it signs, valid for `days` with the given `extensions` (subjectAltName, …).
 */
export function loopbackCerts(
  dir: string,
  name: string,
  options: { days: number; extensions: string },
): { caCert: string; serverCert: string; serverKey: string } {
  const p = (file: string) => join(dir, file);
  const days = String(options.days);
  openssl(
    'req',
    '-x509',
    '-newkey',
    'rsa:2048',
    '-nodes',
    '-keyout',
    p('ca.key'),
    '-out',
    p('ca.crt'),
    '-days',
    days,
    '-subj',
    `/CN=${name}-ca`,
  );
  writeFileSync(p('server.ext'), options.extensions);
  openssl(
    'req',
    '-newkey',
    'rsa:2048',
    '-nodes',
    '-keyout',
    p('server.key'),
    '-out',
    p('server.csr'),
    '-subj',
    `/CN=${name}`,
  );
  openssl(
    'x509',
    '-req',
    '-in',
    p('server.csr'),
    '-CA',
    p('ca.crt'),
    '-CAkey',
    p('ca.key'),
    '-CAcreateserial',
    '-out',
    p('server.crt'),
    '-days',
    days,
    '-extfile',
    p('server.ext'),
  );
  return { caCert: p('ca.crt'), serverCert: p('server.crt'), serverKey: p('server.key') };
}
