import { describe, expect, it } from 'vitest';
import { createLogger } from './logger.js';

describe('createLogger', () => {
  it('writes JSON lines with service, level name and redacted secrets', () => {
    const lines: string[] = [];
    const log = createLogger({ service: 'edge', destination: { write: (s: string) => void lines.push(s) } });
    log.info({ stationId: 'CP1', password: 'hunter2hunter2hunter2' }, 'hello');
    const entry = JSON.parse(lines[0]!) as Record<string, unknown>;
    expect(entry).toMatchObject({
      service: 'edge',
      level: 'info',
      stationId: 'CP1',
      password: '[redacted]',
      msg: 'hello',
    });
    expect(typeof entry.time).toBe('string');
  });
});
