import { setStationPassword } from '@csms/db';
import type { CommandContext } from './handler.js';

/**
 * Stores a station's new Basic-auth password once the station accepted it (OCPP 2.0.1 A01.FR.03,
 * 1.6 Security Whitepaper A01.FR.03: from then on only the new password is accepted). A rejected
 * change keeps the old one (A01.FR.04): the hooks run only for accepted changes.
 */
export async function rotatePassword(ctx: CommandContext, password: string): Promise<void> {
  await setStationPassword(ctx.db, ctx.stationId, password);
  ctx.log.info({}, 'station password changed (accepted by the station)');
}
