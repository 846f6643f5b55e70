import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Logger } from 'pino';
import { randomToken } from '../util/crypto.js';
import type { Config } from './config.js';

/** GATEHOUSE_SECRET, or a dev secret generated once into DATA_DIR (with a warning). */
export function resolveSecret(config: Config, log: Logger): string {
  if (config.secret) return config.secret;
  const file = join(config.dataDir, 'dev-secret');
  if (!existsSync(file)) {
    mkdirSync(config.dataDir, { recursive: true });
    writeFileSync(file, randomToken(48), { mode: 0o600 });
  }
  log.warn(
    { file },
    'GATEHOUSE_SECRET is not set: using a generated development secret. Set GATEHOUSE_SECRET (32+ characters, the same on every instance) in production.',
  );
  return readFileSync(file, 'utf8').trim();
}
