/**
 * csmsctl's domain commands (tokens, stations password, local-list, transactions, firmware, charging,
 * ocpp16/ocpp201) run in-process against a whole embedded CSMS that serves every gRPC service, with real
 * OCPP 1.6 and 2.0.1 stations (ocpp-rpc in strict mode, so every CALL the CLI causes is schema-checked by
 * the station). Each group: a happy path as a table and as --json, an API error (exit 1 with the field)
 * and a usage error (exit 2).
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { booted201 } from '../support/octt-states.js';
import { connect201, eventually, uniqueId } from '../support/scenario.js';
import { cp, cs, csms, ctl, dir, json, ok, record, useCsmsctlDomain } from '../support/csmsctl-domain.js';

useCsmsctlDomain();

describe('csmsctl ocpp16 / ocpp201 (typed OCPP commands)', () => {
  it('sends typed CALLs of both versions and prints the typed answers', async () => {
    cp.respond('ChangeAvailability', { status: 'Scheduled' });
    expect(
      json(await ctl('ocpp16', 'ChangeAvailability', cp.id, '{"connectorId":0,"type":"Inoperative"}')),
    ).toEqual({
      status: 'Scheduled',
    });
    expect(cp.requests('ChangeAvailability').at(-1)).toEqual({ connectorId: 0, type: 'Inoperative' });

    cs.respond('Reset', { status: 'Accepted' });
    const file = join(dir, 'reset.json');
    writeFileSync(file, '{"type":"OnIdle","evseId":1}');
    expect(json(await ctl('--json', 'ocpp201', 'reset', cs.id, `@${file}`))).toEqual({ status: 'Accepted' });
    expect(cs.requests('Reset').at(-1)).toEqual({ type: 'OnIdle', evseId: 1 });

    // --queue: a booted 2.0.1 station that went away gets the call when it reconnects.
    const gone = await connect201(csms, { id: uniqueId('CTL-OFF') });
    expect((await booted201(gone)).status).toBe('Accepted');
    await gone.close();
    const queued = await eventually(async () => {
      const r = await ctl(
        'ocpp201',
        'Reset',
        gone.id,
        '{"type":"Immediate"}',
        '--queue',
        '--call-timeout',
        '1000',
      );
      return r.code === 0 ? r : undefined;
    });
    expect(queued.stdout).toMatch(/^queued as (\S+) until \S+Z \(csmsctl calls get \1\)\n$/);
    const queuedId = /^queued as (\S+)/.exec(queued.stdout)![1]!;
    expect(record(ok(await ctl('calls', 'get', queuedId)))).toMatchObject({
      action: 'Reset',
      station: gone.id,
    });
  });

  it('explains unknown actions, payload typos, schema violations and version mismatches', async () => {
    const unknown = await ctl('ocpp16', 'Frobnicate', cp.id);
    expect(unknown).toMatchObject({ code: 2, stdout: '' });
    expect(unknown.stderr).toMatch(
      /unknown OCPP 1\.6 action "Frobnicate" \(the CSMS sends: CancelReservation, /,
    );
    expect(unknown.stderr).toMatch(/UpdateFirmware\)/);

    const typo = await ctl('ocpp16', 'Reset', cp.id, '{"typ":"Soft"}');
    expect(typo.code).toBe(2);
    expect(typo.stderr).toMatch(/payload\.typ: unknown field \(known: type\)/);

    const invalid = await ctl('ocpp16', 'Reset', cp.id, '{"type":"Bogus"}');
    expect(invalid.code).toBe(1);
    expect(invalid.stderr).toMatch(/INVALID_ARGUMENT[^]*\n {2}payload: .*\/type must be equal to one of/);

    const mismatch = await ctl('ocpp201', 'Reset', cp.id, '{"type":"Immediate"}');
    expect(mismatch.code).toBe(1);
    expect(mismatch.stderr).toMatch(/FAILED_PRECONDITION[^]*reason: VERSION_MISMATCH/);
  });
});
