// @peculiar/x509 resolves its ASN.1 schemas through decorators that need the Reflect metadata polyfill first.
import 'reflect-metadata';
import * as x509 from '@peculiar/x509';
import { X509Certificate, createPrivateKey, randomBytes, randomUUID, timingSafeEqual, webcrypto } from 'node:crypto';
import type { Logger } from '@strongroom/core';
import { ClusterIdentityError } from './errors.js';

/** Barrier key of the cluster certificate and key; readable only by an unsealed node. */
export const CLUSTER_IDENTITY_PATH = 'core/cluster/identity';

/** Vault's lifetime for the cluster certificate: 262980 h, about 30 years. */
const VALIDITY_MS = 262_980 * 3600 * 1000;
/** Tolerates clock skew between nodes, as Vault does. */
const BACKDATE_MS = 30_000;

/** The certificate and key every cluster connection presents and pins, on both ends. */
export interface ClusterIdentity {
  readonly certPem: string;
  readonly keyPem: string;
  /** The certificate's DER: what both ends compare the peer's certificate to. */
  readonly certDer: Buffer;
  /** The certificate's DNS name and CN, `fw-<uuid>`: the TLS server name standbys dial. */
  readonly serverName: string;
}

/** What the active adds to its advertisement (`core/leader/<id>`, written through the barrier). */
export interface IdentityAdvertisement {
  cluster_cert: string;
  cluster_key: string;
}

/** The barrier, or any view of it: the identity is stored only behind the encryption barrier. */
export interface IdentityStorage {
  get(key: string): Promise<Uint8Array | null>;
  put(key: string, value: Uint8Array): Promise<void>;
}

/** A fresh ECDSA P-256 key and a self-signed CA certificate for both server and client auth. */
export async function generateClusterIdentity(now: Date = new Date()): Promise<ClusterIdentity> {
  const crypto = webcrypto;
  const alg = { name: 'ECDSA', namedCurve: 'P-256', hash: 'SHA-256' };
  const keys = (await crypto.subtle.generateKey(alg, true, ['sign', 'verify'])) as webcrypto.CryptoKeyPair;
  const name = `fw-${randomUUID()}`;
  const cert = await x509.X509CertificateGenerator.createSelfSigned(
    {
      serialNumber: randomSerial(),
      name: [{ CN: [name] }],
      notBefore: new Date(now.getTime() - BACKDATE_MS),
      notAfter: new Date(now.getTime() + VALIDITY_MS),
      keys,
      signingAlgorithm: alg,
      extensions: [
        new x509.BasicConstraintsExtension(true, undefined, true),
        new x509.KeyUsagesExtension(
          x509.KeyUsageFlags.digitalSignature | x509.KeyUsageFlags.keyAgreement | x509.KeyUsageFlags.keyCertSign,
          true,
        ),
        new x509.ExtendedKeyUsageExtension([x509.ExtendedKeyUsage.serverAuth, x509.ExtendedKeyUsage.clientAuth]),
        new x509.SubjectAlternativeNameExtension([{ type: 'dns', value: name }]),
        await x509.SubjectKeyIdentifierExtension.create(keys.publicKey, false, crypto),
      ],
    },
    crypto,
  );
  const pkcs8 = Buffer.from(await crypto.subtle.exportKey('pkcs8', keys.privateKey));
  return parseClusterIdentity(cert.toString('pem'), toPem('PRIVATE KEY', pkcs8));
}

/** Checks a certificate and key belong together and reads what the TLS layer needs from them. */
export function parseClusterIdentity(certPem: string, keyPem: string): ClusterIdentity {
  let cert: X509Certificate;
  try {
    cert = new X509Certificate(certPem);
  } catch (err) {
    throw new ClusterIdentityError('cluster certificate is not a valid PEM certificate', { cause: err });
  }
  let matches: boolean;
  try {
    matches = cert.checkPrivateKey(createPrivateKey(keyPem));
  } catch (err) {
    throw new ClusterIdentityError('cluster key is not a valid PEM private key', { cause: err });
  }
  if (!matches) throw new ClusterIdentityError('cluster key does not match the cluster certificate');
  const serverName = dnsName(cert);
  if (!serverName) throw new ClusterIdentityError('cluster certificate carries no DNS name');
  return { certPem, keyPem, certDer: Buffer.from(cert.raw), serverName };
}

/** The identity an active advertised, or null when it advertised none (clustering disabled there). */
export function identityFromAdvertisement(ad: Record<string, unknown>): ClusterIdentity | null {
  const cert = ad['cluster_cert'];
  const key = ad['cluster_key'];
  if (typeof cert !== 'string' || typeof key !== 'string' || cert === '' || key === '') return null;
  return parseClusterIdentity(cert, key);
}

export function identityAdvertisement(id: ClusterIdentity): IdentityAdvertisement {
  return { cluster_cert: id.certPem, cluster_key: id.keyPem };
}

/** Pinning: the peer's certificate is exactly the expected one (constant time over equal lengths). */
export function sameCertificate(peerDer: Uint8Array | undefined, expectedDer: Uint8Array): boolean {
  if (!peerDer || peerDer.length !== expectedDer.length) return false;
  return timingSafeEqual(peerDer, expectedDer);
}

/**
 * Loads the cluster identity from the barrier, or creates and stores one. Only an unsealed node can read it, so
 * only unsealed nodes can join the cluster's TLS.
 */
export class ClusterIdentityStore {
  constructor(
    private readonly storage: IdentityStorage,
    private readonly logger?: Logger,
  ) {}

  async load(): Promise<ClusterIdentity | null> {
    const raw = await this.storage.get(CLUSTER_IDENTITY_PATH);
    if (!raw) return null;
    let stored: unknown;
    try {
      stored = JSON.parse(Buffer.from(raw).toString('utf8'));
    } catch (err) {
      throw new ClusterIdentityError('stored cluster identity is not JSON', { cause: err });
    }
    const { cert, key } = (stored ?? {}) as { cert?: unknown; key?: unknown };
    if (typeof cert !== 'string' || typeof key !== 'string') {
      throw new ClusterIdentityError('stored cluster identity lacks its certificate or key');
    }
    return parseClusterIdentity(cert, key);
  }

  /** The stored identity; an unreadable one is replaced, since peers learn the new one from the advertisement. */
  async loadOrCreate(): Promise<ClusterIdentity> {
    try {
      const existing = await this.load();
      if (existing) return existing;
    } catch (err) {
      if (!(err instanceof ClusterIdentityError)) throw err;
      this.logger?.warn('stored cluster identity unusable; generating a new one', { error: err.message });
    }
    const id = await generateClusterIdentity();
    const record = { cert: id.certPem, key: id.keyPem, created: new Date().toISOString() };
    await this.storage.put(CLUSTER_IDENTITY_PATH, Buffer.from(JSON.stringify(record)));
    this.logger?.info('generated cluster identity', { server_name: id.serverName });
    return id;
  }
}

function dnsName(cert: X509Certificate): string | null {
  for (const entry of (cert.subjectAltName ?? '').split(', ')) {
    if (entry.startsWith('DNS:')) return entry.slice(4);
  }
  const cn = /(?:^|\n)CN=([^\n]+)/.exec(cert.subject);
  return cn?.[1] ?? null;
}

/** A positive 16-byte serial with a non-zero first byte, so its DER encoding is minimal. */
function randomSerial(): string {
  const bytes = randomBytes(16);
  bytes[0] = (bytes[0]! & 0x7f) | 0x40;
  return bytes.toString('hex');
}

function toPem(label: string, der: Buffer): string {
  const lines = der.toString('base64').match(/.{1,64}/g) ?? [];
  return `-----BEGIN ${label}-----\n${lines.join('\n')}\n-----END ${label}-----\n`;
}
