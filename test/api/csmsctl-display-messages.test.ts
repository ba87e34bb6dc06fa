/**
 * csmsctl's `messages` commands (DisplayMessageService) run in-process against a whole embedded CSMS with real
 * OCPP 1.6 and 2.0.1 stations (ocpp-rpc in strict mode: every CALL the CLI causes is schema-checked by the
 * station): set, list, refresh and clear as tables and as --json, an API error (exit 1) and a usage error (exit 2).
 */
import { describe, expect, it } from 'vitest';
import { cp, cs, ctl, json, ok, rows, useCsmsctlDomain } from '../support/csmsctl-domain.js';

useCsmsctlDomain();

describe('csmsctl messages (DisplayMessageService)', () => {
  it('sets, lists, refreshes and clears display messages of a 2.0.1 station', async () => {
    cs.respond('SetDisplayMessage', { status: 'Accepted' });
    const set = ['messages', 'set', cs.id, '5', 'Welcome', '--priority', 'InFront', '--state', 'Idle'];
    expect(ok(await ctl(...set, '--language', 'en', '--end', '2099-01-01T00:00:00Z'))).toBe('Accepted\n');
    expect(cs.requests('SetDisplayMessage').at(-1)).toEqual({
      message: {
        id: 5,
        priority: 'InFront',
        state: 'Idle',
        endDateTime: '2099-01-01T00:00:00.000Z',
        message: { format: 'UTF8', language: 'en', content: 'Welcome' },
      },
    });
    expect(ok(await ctl('messages', 'set', cs.id, '6', 'https://example.com/m', '--format', 'URI'))).toBe(
      'Accepted\n',
    );
    expect(rows(ok(await ctl('messages', 'list', cs.id)))).toEqual([
      ['id', 'priority', 'state', 'format', 'language', 'content', 'start', 'end', 'transaction', 'report'],
      ['5', 'InFront', 'Idle', 'Utf8', 'en', 'Welcome', '-', '2099-01-01T00:00:00.000Z', '-', '-'],
      ['6', 'NormalCycle', '-', 'Uri', '-', 'https://example.com/m', '-', '-', '-', '-'],
    ]);
    expect(
      json<{ messages: { message: { id: number } }[] }>(
        await ctl('--json', 'messages', 'list', cs.id, '--state', 'idle'),
      ).messages.map((m) => m.message.id),
    ).toEqual([5]);

    // The station reports only message 6: 5 is gone from it.
    cs.respond('GetDisplayMessages', ({ requestId }) => {
      setTimeout(() => {
        const messageInfo = [
          {
            id: 6,
            priority: 'NormalCycle' as const,
            message: { format: 'URI' as const, content: 'https://example.com/m' },
          },
        ];
        void cs.call('NotifyDisplayMessages', { requestId, messageInfo });
      }, 50);
      return { status: 'Accepted' };
    });
    const refreshed = await ctl('messages', 'refresh', cs.id, '--wait', '10');
    expect(refreshed.code).toBe(0);
    const requestId = cs.requests('GetDisplayMessages').at(-1)!.requestId;
    expect(refreshed.stderr).toBe(`request ${requestId}: Accepted\n`);
    expect(rows(refreshed.stdout).slice(1)).toEqual([
      ['6', 'NormalCycle', '-', 'Uri', '-', 'https://example.com/m', '-', '-', '-', String(requestId)],
    ]);

    cs.respond('ClearDisplayMessage', { status: 'Accepted' });
    expect(ok(await ctl('messages', 'clear', cs.id, '6'))).toBe('Accepted\n');
    expect(rows(ok(await ctl('messages', 'list', cs.id))).slice(1)).toEqual([]);
  });

  it('exit 1 for an API error, exit 2 for a usage error; nothing is sent', async () => {
    const v16 = await ctl('messages', 'set', cp.id, '1', 'hello');
    expect(v16.code).toBe(1);
    expect(v16.stderr).toContain('OCPP_VERSION_UNSUPPORTED');
    const badEnd = await ctl(
      'messages',
      'set',
      cs.id,
      '1',
      'hi',
      '--start',
      '2031-01-02T00:00:00Z',
      '--end',
      '2031-01-01T00:00:00Z',
    );
    expect(badEnd.code).toBe(1);
    // As docs/cli.md prints it.
    expect(badEnd.stderr).toBe(
      [
        'csmsctl: INVALID_ARGUMENT: invalid display message: message.end_date_time must be after start_date_time',
        '  reason: INVALID_ARGUMENT',
        '  message.end_date_time: must be after start_date_time',
        '',
      ].join('\n'),
    );
    expect((await ctl('messages', 'set', cs.id, 'x', 'hi')).code).toBe(2);
    expect((await ctl('messages', 'set', cs.id, '1', 'hi', '--priority', 'Sideways')).code).toBe(2);
    expect(cp.received.filter((r) => r.action === 'SetDisplayMessage')).toEqual([]);
  });
});
