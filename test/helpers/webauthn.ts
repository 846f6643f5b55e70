import { createHash, generateKeyPairSync, randomBytes, sign, type KeyObject } from 'node:crypto';
import { isoCBOR } from '@simplewebauthn/server/helpers';
import type { AuthenticationResponseJSON, RegistrationResponseJSON } from '@simplewebauthn/server';

/*
 * A software authenticator for tests: an ES256 key pair per credential,
 * attestation `none`, and the bytes a browser would send (clientDataJSON,
 * authenticatorData, CBOR attestationObject, DER signature), built with
 * node:crypto so every field can be bent on purpose.
 */

const FLAG_UP = 0x01;
const FLAG_UV = 0x04;
const FLAG_BE = 0x08;
const FLAG_AT = 0x40;

const b64url = (bytes: Uint8Array) => Buffer.from(bytes).toString('base64url');
const sha256 = (data: Uint8Array | string) => createHash('sha256').update(data).digest();

export interface SoftCredential {
  id: string;
  rawId: Buffer;
  privateKey: KeyObject;
  cosePublicKey: Uint8Array;
  /** The user handle the authenticator keeps for a discoverable credential (base64url). */
  userHandle?: string;
  counter: number;
}

export function newCredential(options: { userHandle?: string; counter?: number } = {}): SoftCredential {
  const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
  const jwk = publicKey.export({ format: 'jwk' });
  const cose = new Map<number, number | Uint8Array>([
    [1, 2], // kty: EC2
    [3, -7], // alg: ES256
    [-1, 1], // crv: P-256
    [-2, Buffer.from(jwk.x!, 'base64url')],
    [-3, Buffer.from(jwk.y!, 'base64url')],
  ]);
  const rawId = randomBytes(32);
  return {
    id: b64url(rawId),
    rawId,
    privateKey,
    cosePublicKey: isoCBOR.encode(cose),
    userHandle: options.userHandle,
    counter: options.counter ?? 0,
  };
}

function authenticatorData(rpId: string, flags: number, counter: number, attested?: SoftCredential): Buffer {
  const counterBytes = Buffer.alloc(4);
  counterBytes.writeUInt32BE(counter);
  const parts: Uint8Array[] = [sha256(rpId), Buffer.from([flags]), counterBytes];
  if (attested) {
    const length = Buffer.alloc(2);
    length.writeUInt16BE(attested.rawId.length);
    parts.push(Buffer.alloc(16), length, attested.rawId, Buffer.from(attested.cosePublicKey));
  }
  return Buffer.concat(parts);
}

const clientData = (type: string, challenge: string, origin: string) =>
  Buffer.from(JSON.stringify({ type, challenge, origin, crossOrigin: false }));

export interface CeremonyOptions {
  challenge: string;
  origin: string;
  rpId: string;
  /** User verified (PIN, biometrics); default true. */
  uv?: boolean;
  /** Backup eligible (a synced passkey); default false. */
  backupEligible?: boolean;
}

/** What `navigator.credentials.create()` answers, for `credential`. */
export function registrationResponse(credential: SoftCredential, o: CeremonyOptions): RegistrationResponseJSON {
  const flags = FLAG_UP | FLAG_AT | ((o.uv ?? true) ? FLAG_UV : 0) | (o.backupEligible ? FLAG_BE : 0);
  const authData = authenticatorData(o.rpId, flags, credential.counter, credential);
  const attestationObject = isoCBOR.encode(
    new Map<string, unknown>([
      ['fmt', 'none'],
      ['attStmt', new Map()],
      ['authData', authData],
    ]) as never,
  );
  return {
    id: credential.id,
    rawId: credential.id,
    type: 'public-key',
    response: {
      clientDataJSON: b64url(clientData('webauthn.create', o.challenge, o.origin)),
      attestationObject: b64url(attestationObject),
      transports: ['internal'],
    },
    clientExtensionResults: {},
    authenticatorAttachment: 'platform',
  };
}

/**
 * What `navigator.credentials.get()` answers. Each call advances the
 * credential's counter by one unless `counter` says otherwise.
 */
export function authenticationResponse(
  credential: SoftCredential,
  o: CeremonyOptions & { counter?: number; userHandle?: string | null },
): AuthenticationResponseJSON {
  const counter = o.counter ?? credential.counter + 1;
  credential.counter = counter;
  const flags = FLAG_UP | ((o.uv ?? true) ? FLAG_UV : 0) | (o.backupEligible ? FLAG_BE : 0);
  const authData = authenticatorData(o.rpId, flags, counter);
  const clientDataJSON = clientData('webauthn.get', o.challenge, o.origin);
  const signature = sign('sha256', Buffer.concat([authData, sha256(clientDataJSON)]), credential.privateKey);
  const userHandle = o.userHandle === null ? undefined : (o.userHandle ?? credential.userHandle);
  return {
    id: credential.id,
    rawId: credential.id,
    type: 'public-key',
    response: {
      clientDataJSON: b64url(clientDataJSON),
      authenticatorData: b64url(authData),
      signature: b64url(signature),
      ...(userHandle ? { userHandle } : {}),
    },
    clientExtensionResults: {},
    authenticatorAttachment: 'platform',
  };
}

/** The user handle Gatehouse gives a user's credentials: the id's UTF-8 bytes, base64url. */
export const userHandleOf = (userId: string) => Buffer.from(userId, 'utf8').toString('base64url');
