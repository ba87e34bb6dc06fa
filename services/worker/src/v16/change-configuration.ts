import { rotatePassword } from '../password-rotation.js';
import type { CommandContext } from '../station-actor.js';

/**
 * After ChangeConfiguration is answered: an Accepted new AuthorizationKey is the station's new
 * Basic-auth password (Security Whitepaper A01.FR.03). Rejected / NotSupported keep the old one
 * (A01.FR.04); RebootRequired means the station stored it (1.6 §6.9) and uses it after the reboot.
 */
export async function afterChangeConfiguration(
  ctx: CommandContext,
  request: Record<string, unknown>,
  response: Record<string, unknown>,
): Promise<void> {
  if (request.key !== 'AuthorizationKey' || typeof request.value !== 'string') return;
  if (response.status === 'Accepted' || response.status === 'RebootRequired')
    await rotatePassword(ctx, request.value);
}
