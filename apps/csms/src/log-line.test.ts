import { describe, expect, it } from 'vitest';
import { formatLogLine } from './log-line.js';

describe('formatLogLine (npm run cluster output)', () => {
  it('prints level, message, then the station, action and reason of a warning', () => {
    const line = JSON.stringify({
      level: 'warn',
      time: 1,
      pid: 7,
      hostname: 'h',
      service: 'csms-edge',
      component: 'edge',
      reason: 'replaced by a newer connection',
      action: 'MeterValues',
      stationId: 'CP-1',
      msg: 'CALL refused',
      code: 'GenericError',
      description: 'Too many CALLs outstanding',
    });
    expect(formatLogLine('edge-1', line)).toBe(
      'edge-1    warn  CALL refused  stationId=CP-1 action=MeterValues code=GenericError ' +
        'description="Too many CALLs outstanding" reason="replaced by a newer connection" component=edge',
    );
  });

  it("shows an error's type and message, clips long values, and passes non-JSON lines through", () => {
    const line = JSON.stringify({
      level: 'error',
      msg: 'bus handler failed',
      err: { type: 'Error', message: 'boom', stack: 'Error: boom\n at x' },
      payload: 'x'.repeat(500),
    });
    const out = formatLogLine('worker-1', line);
    expect(out).toContain('err="Error: boom"'.replace(/"/g, ''));
    expect(out).toContain(`payload=${'x'.repeat(200)}…`);
    expect(out).not.toContain('stack');
    expect(formatLogLine('nats', 'plain text')).toBe('nats      plain text');
    expect(formatLogLine('nats', '[1,2]')).toBe('nats      [1,2]');
  });
});
