import { rotatePassword } from '../password-rotation.js';
import type { CommandContext } from '../station-actor.js';

interface VariableRef {
  component?: { name?: unknown; instance?: unknown; evse?: unknown };
  variable?: { name?: unknown; instance?: unknown };
  attributeType?: unknown;
}

const sameTarget = (a: VariableRef, b: VariableRef): boolean =>
  a.component?.name === b.component?.name &&
  a.component?.instance === b.component?.instance &&
  a.variable?.name === b.variable?.name &&
  a.variable?.instance === b.variable?.instance &&
  (a.attributeType ?? 'Actual') === (b.attributeType ?? 'Actual');

/**
 * After SetVariables is answered: an Accepted (or RebootRequired) SecurityCtrlr.BasicAuthPassword is
 * the station's new Basic-auth password (A01.FR.03); otherwise the old one stays valid (A01.FR.04).
 */
export async function afterSetVariables(
  ctx: CommandContext,
  request: Record<string, unknown>,
  response: Record<string, unknown>,
): Promise<void> {
  const data = (request.setVariableData ?? []) as (VariableRef & { attributeValue?: unknown })[];
  const results = (response.setVariableResult ?? []) as (VariableRef & { attributeStatus?: unknown })[];
  for (const d of data) {
    if (d.component?.name !== 'SecurityCtrlr' || d.variable?.name !== 'BasicAuthPassword') continue;
    if (typeof d.attributeValue !== 'string') continue;
    const result = results.find((r) => sameTarget(r, d));
    if (result?.attributeStatus === 'Accepted' || result?.attributeStatus === 'RebootRequired') {
      await rotatePassword(ctx, d.attributeValue);
    }
  }
}
