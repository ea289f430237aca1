// Shared by the cluster-*.test.ts files: advertisements, a raw TLS probe, and certificates issued by a cluster key.
import 'reflect-metadata';
import * as x509 from '@peculiar/x509';
import { createPrivateKey, randomBytes, webcrypto } from 'node:crypto';
import { connect, type SecureVersion } from 'node:tls';
import type { LeaderAdvertisement } from '@strongroom/core';
import { parseClusterIdentity, type ClusterIdentity } from '../src/cluster/index.js';

export function leader(clusterHostPort: string, id: ClusterIdentity, extra: Record<string, unknown> = {}): LeaderAdvertisement {
  return {
    api_addr: 'https://active.example:8200',
    cluster_addr: `https://${clusterHostPort}`,
    active_time: new Date().toISOString(),
    cluster_cert: id.certPem,
    cluster_key: id.keyPem,
    ...extra,
  };
}

export async function waitFor(pred: () => boolean, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!pred()) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 20));
  }
}

export function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const mid = s.length >> 1;
  return s.length % 2 ? s[mid]! : (s[mid - 1]! + s[mid]!) / 2;
}

export interface TlsProbe {
  host: string;
  port: number;
  ca: string;
  cert?: string;
  key?: string;
  servername: string;
  minVersion?: SecureVersion;
  maxVersion: SecureVersion;
  ciphers?: string;
  /** Only the server's chain matters: resolve as soon as the client accepted it. */
  expectServerOnly?: boolean;
}

/**
 * Opens a raw TLS connection as an HTTP/2 client would and reports how far it got: whether the client side of the
 * handshake completed, whether the server ever sent application data, and the error that ended it.
 */
export function tlsAttempt(p: TlsProbe): Promise<{ secure: boolean; gotData: boolean; error?: Error }> {
  return new Promise((resolve) => {
    let secure = false;
    let gotData = false;
    let settled = false;
    const finish = (error?: Error): void => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      socket.destroy();
      resolve({ secure, gotData, error });
    };
    const socket = connect({
      host: p.host,
      port: p.port,
      ca: p.ca,
      cert: p.cert,
      key: p.key,
      servername: p.servername,
      minVersion: p.minVersion,
      maxVersion: p.maxVersion,
      ciphers: p.ciphers,
      ALPNProtocols: ['h2'],
      checkServerIdentity: () => undefined,
    });
    const timer = setTimeout(() => finish(), 3000);
    socket.on('secureConnect', () => {
      secure = true;
      if (p.expectServerOnly) return finish();
      // The HTTP/2 preface and an empty SETTINGS frame: a server that accepted us answers with its own SETTINGS.
      socket.write(Buffer.concat([Buffer.from('PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n'), Buffer.from([0, 0, 0, 4, 0, 0, 0, 0, 0])]));
    });
    socket.on('data', () => {
      gotData = true;
      finish();
    });
    socket.on('error', (err) => finish(err));
    socket.on('close', () => finish(secure && !gotData ? new Error('socket hang up') : undefined));
  });
}

/** A certificate for a fresh key, signed by the cluster key: valid for the cluster CA, but not the pinned one. */
export async function issueLeaf(ca: ClusterIdentity): Promise<ClusterIdentity> {
  const crypto = webcrypto;
  const alg = { name: 'ECDSA', namedCurve: 'P-256', hash: 'SHA-256' };
  const keys = (await crypto.subtle.generateKey(alg, true, ['sign', 'verify'])) as webcrypto.CryptoKeyPair;
  const caKey = await crypto.subtle.importKey('pkcs8', createPrivateKey(ca.keyPem).export({ type: 'pkcs8', format: 'der' }), alg, false, ['sign']);
  const name = `fw-leaf-${randomBytes(4).toString('hex')}`;
  const caCert = new x509.X509Certificate(ca.certPem);
  const cert = await x509.X509CertificateGenerator.create(
    {
      serialNumber: `41${randomBytes(15).toString('hex')}`,
      subject: `CN=${name}`,
      issuer: caCert.subject,
      notBefore: new Date(Date.now() - 60_000),
      notAfter: new Date(Date.now() + 86_400_000),
      signingKey: caKey,
      publicKey: keys.publicKey,
      signingAlgorithm: alg,
      extensions: [
        new x509.ExtendedKeyUsageExtension([x509.ExtendedKeyUsage.serverAuth, x509.ExtendedKeyUsage.clientAuth]),
        new x509.SubjectAlternativeNameExtension([{ type: 'dns', value: name }]),
      ],
    },
    crypto,
  );
  const pkcs8 = Buffer.from(await crypto.subtle.exportKey('pkcs8', keys.privateKey));
  const keyPem = createPrivateKey({ key: pkcs8, format: 'der', type: 'pkcs8' }).export({ type: 'pkcs8', format: 'pem' }) as string;
  return parseClusterIdentity(cert.toString('pem'), keyPem);
}
