import { rotatePassword } from '../password-rotation.js';
import type { V16 } from '@csms/ocpp';
import type { CommandContext } from '../handler.js';

/**
 * After ChangeConfiguration is answered: an Accepted new AuthorizationKey is the station's new
 * Basic-auth password (Security Whitepaper A01.FR.03). Rejected / NotSupported keep the old one
 * (A01.FR.04); RebootRequired means the station stored it (1.6 §6.9) and uses it after the reboot.
 */
export async function afterChangeConfiguration(
  ctx: CommandContext,
  request: V16.ChangeConfigurationRequest,
  response: V16.ChangeConfigurationResponse,
): Promise<void> {
  if (request.key !== 'AuthorizationKey') return;
  if (response.status === 'Accepted' || response.status === 'RebootRequired')
    await rotatePassword(ctx, request.value);
}
