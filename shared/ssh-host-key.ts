// Pinned SSH host keys: parsing the OpenSSH public-key line kept in the pairing
// bundle, comparing it with what a server presents, and the SHA256 fingerprint
// operators know from `ssh-keygen -lf`.
import { createHash, timingSafeEqual } from 'node:crypto';
import { VsError } from './errors.js';

export interface PinnedHostKey {
  type: string;
  blob: Buffer;
  fingerprint: string;
}

const KEY_TYPES = new Set([
  'ssh-ed25519',
  'ecdsa-sha2-nistp256',
  'ecdsa-sha2-nistp384',
  'ecdsa-sha2-nistp521',
  'rsa-sha2-512',
  'rsa-sha2-256',
  'ssh-rsa',
]);

export function fingerprint(blob: Buffer): string {
  return `SHA256:${createHash('sha256').update(blob).digest('base64').replace(/=+$/, '')}`;
}

/** Parse `ssh-ed25519 AAAA... [comment]`; the type inside the blob must match the named one. */
export function parseHostKey(line: string): PinnedHostKey {
  const parts = line.trim().split(/\s+/);
  const [type, b64] = parts;
  if (!type || !b64 || !KEY_TYPES.has(type)) {
    throw new VsError(
      'VS_ERR_BUNDLE_INVALID',
      `SSH_HOST_KEY must be an OpenSSH public key line ("ssh-ed25519 AAAA..."), got type "${type ?? ''}"`,
    );
  }
  const blob = Buffer.from(b64, 'base64');
  if (blob.toString('base64').replace(/=+$/, '') !== b64.replace(/=+$/, '') || blob.length < 8) {
    throw new VsError('VS_ERR_BUNDLE_INVALID', 'SSH_HOST_KEY is not valid base64');
  }
  const innerLen = blob.readUInt32BE(0);
  const innerType = blob.subarray(4, 4 + innerLen).toString('latin1');
  if (innerType !== type && !(type.startsWith('rsa-sha2') && innerType === 'ssh-rsa')) {
    throw new VsError('VS_ERR_BUNDLE_INVALID', `SSH_HOST_KEY says ${type} but holds a ${innerType} key`);
  }
  return { type, blob, fingerprint: fingerprint(blob) };
}

export function sameKey(pinned: PinnedHostKey, presented: Buffer): boolean {
  return pinned.blob.length === presented.length && timingSafeEqual(pinned.blob, presented);
}
