import { createHash, createPublicKey } from 'node:crypto';
import selfsigned from 'selfsigned';

export interface TestCertificate {
  key: string;
  cert: string;
  /** base64 SHA-256 of the SubjectPublicKeyInfo, for --ignore-certificate-errors-spki-list. */
  spkiHash: string;
}

/**
 * A throwaway certificate for the mapped webmail and provider hosts, made at test time
 * so no private key is ever committed. Chromium trusts it only through its SPKI hash,
 * which is narrower than ignoring every certificate error.
 */
export function createTestCertificate(hosts: readonly string[]): TestCertificate {
  const pems = selfsigned.generate([{ name: 'commonName', value: hosts[0] ?? 'localhost' }], {
    days: 2,
    keySize: 2048,
    algorithm: 'sha256',
    extensions: [
      { name: 'basicConstraints', cA: false },
      { name: 'keyUsage', digitalSignature: true, keyEncipherment: true },
      { name: 'extKeyUsage', serverAuth: true },
      {
        name: 'subjectAltName',
        altNames: [...hosts.map((value) => ({ type: 2, value })), { type: 7, ip: '127.0.0.1' }],
      },
    ],
  });
  const spki = createPublicKey(pems.public).export({ type: 'spki', format: 'der' });
  return { key: pems.private, cert: pems.cert, spkiHash: createHash('sha256').update(spki).digest('base64') };
}
