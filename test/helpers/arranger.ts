import type { Operator } from '../../src/domain/operator.js';
import { CLI_ACTOR } from '../../src/services/audit.js';

/**
 * An operator with every power, for tests that arrange data through the services
 * (`server.container.admin.*`): the command line by default, or a given user (then the
 * audit names them).
 */
export const arranger = (user?: { id: string; email: string }): Operator => ({
  actor: user ? { type: 'user', id: user.id, name: user.email } : CLI_ACTOR,
  ip: null,
  powers: { role: 'super_admin', scope: { all: true } },
});
