// TLS material from the files --ca-cert, --cert and --key name: read, checked as PEM, and the
// certificate matched with its key, so a wrong file is a one-line usage error naming it.
import { readFileSync } from 'node:fs';
import { createPrivateKey, X509Certificate } from 'node:crypto';
import { createSecureContext } from 'node:tls';
import type { TlsConfig } from '../grpc/channel.js';
import { UsageError } from './errors.js';

/** The TLS flags of `run`. */
export interface TlsFlags {
  readonly tls?: boolean;
  readonly caCert?: string;
  readonly cert?: string;
  readonly key?: string;
  readonly serverName?: string;
}

function read(flag: string, file: string): Buffer {
  try {
    return readFileSync(file);
  } catch (error) {
    throw new UsageError(`${flag} ${file}: cannot read: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`);
  }
}

/** A PEM file holding at least one certificate; each must parse. @throws UsageError naming the flag and file. */
export function readCertificates(flag: string, file: string): Buffer {
  const pem = read(flag, file);
  const blocks = pem.toString('latin1').match(/-----BEGIN CERTIFICATE-----[\s\S]*?-----END CERTIFICATE-----/g);
  if (blocks === null) {
    throw new UsageError(`${flag} ${file}: not a PEM certificate (expected -----BEGIN CERTIFICATE-----; convert DER with openssl x509 -inform der)`);
  }
  for (const block of blocks) {
    try {
      new X509Certificate(block);
    } catch (error) {
      throw new UsageError(`${flag} ${file}: a certificate in it cannot be read: ${(error as Error).message}`);
    }
  }
  return pem;
}

/** A PEM private key that parses. @throws UsageError naming the flag and file. */
export function readPrivateKey(flag: string, file: string): Buffer {
  const pem = read(flag, file);
  if (!/-----BEGIN [A-Z ]*PRIVATE KEY-----/.test(pem.toString('latin1'))) {
    throw new UsageError(`${flag} ${file}: not a PEM private key (expected -----BEGIN PRIVATE KEY-----)`);
  }
  try {
    createPrivateKey(pem);
  } catch (error) {
    throw new UsageError(`${flag} ${file}: the key cannot be read: ${(error as Error).message}`);
  }
  return pem;
}

/**
 * Checks that a certificate chain belongs to a private key, as TLS will when it loads them.
 * @param certWhat, keyWhat the flag and file, for the message.
 * @throws UsageError naming both.
 */
export function checkKeyPair(certWhat: string, certChain: Buffer, keyWhat: string, privateKey: Buffer): void {
  try {
    createSecureContext({ cert: certChain, key: privateKey });
  } catch (error) {
    throw new UsageError(`${certWhat} and ${keyWhat} do not belong together: ${(error as Error).message}`);
  }
}

/**
 * Reads and checks the TLS files; null without --tls.
 * @throws UsageError naming the flag and file: unreadable, not PEM, unparsable, or a --cert
 *   that does not belong to the --key.
 */
export function tlsConfigFrom(flags: TlsFlags): TlsConfig | null {
  if (flags.tls !== true) return null;
  const rootCerts = flags.caCert === undefined ? undefined : readCertificates('--ca-cert', flags.caCert);
  const certChain = flags.cert === undefined ? undefined : readCertificates('--cert', flags.cert);
  const privateKey = flags.key === undefined ? undefined : readPrivateKey('--key', flags.key);
  if (certChain !== undefined && privateKey !== undefined) {
    checkKeyPair(`--cert ${flags.cert}`, certChain, `--key ${flags.key}`, privateKey);
  }
  return { rootCerts, certChain, privateKey, serverName: flags.serverName };
}
