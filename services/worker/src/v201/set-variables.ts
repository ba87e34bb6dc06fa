import type { V201 } from '@csms/ocpp';
import type { CommandContext } from '../handler.js';
import { rotatePassword } from '../password-rotation.js';

type VariableRef = Pick<V201.SetVariableDataType, 'component' | 'variable' | 'attributeType'>;

const sameTarget = (a: VariableRef, b: VariableRef): boolean =>
  a.component.name === b.component.name &&
  a.component.instance === b.component.instance &&
  a.variable.name === b.variable.name &&
  a.variable.instance === b.variable.instance &&
  (a.attributeType ?? 'Actual') === (b.attributeType ?? 'Actual');

/**
 * After SetVariables is answered: an Accepted (or RebootRequired) SecurityCtrlr.BasicAuthPassword is
 * the station's new Basic-auth password (A01.FR.03); otherwise the old one stays valid (A01.FR.04).
 */
export async function afterSetVariables(
  ctx: CommandContext,
  request: V201.SetVariablesRequest,
  response: V201.SetVariablesResponse,
): Promise<void> {
  for (const d of request.setVariableData) {
    if (d.component.name !== 'SecurityCtrlr' || d.variable.name !== 'BasicAuthPassword') continue;
    const result = response.setVariableResult.find((r) => sameTarget(r, d));
    if (result?.attributeStatus === 'Accepted' || result?.attributeStatus === 'RebootRequired') {
      await rotatePassword(ctx, d.attributeValue);
    }
  }
}
