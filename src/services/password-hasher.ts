import argon2 from 'argon2';

export interface Argon2Params {
  memoryCost: number;
  timeCost: number;
  parallelism: number;
}

/** argon2id hashing at the configured cost, with a dummy hash for unknown users. */
export function createPasswordHasher(params: Argon2Params) {
  const options = { type: argon2.argon2id, ...params } as const;
  // Verified when the identifier is unknown, so both answers take the same time.
  const dummy = argon2.hash('gatehouse-dummy-password', options);

  return {
    hash: (password: string) => argon2.hash(password, options),
    async verify(hash: string | null, password: string): Promise<boolean> {
      try {
        return await argon2.verify(hash ?? (await dummy), password);
      } catch {
        return false;
      }
    },
    /** Spends the time of a real verification and always fails. */
    async verifyDummy(password: string): Promise<false> {
      await argon2.verify(await dummy, password).catch(() => false);
      return false;
    },
    needsRehash: (hash: string) => argon2.needsRehash(hash, options),
  };
}
export type PasswordHasher = ReturnType<typeof createPasswordHasher>;
