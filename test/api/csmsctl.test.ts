import { runCli } from '@csms/csmsctl';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestCsms, type TestCsms } from '../support/csms.js';

/** Runs csmsctl in-process against the test CSMS and captures what it prints. */
async function ctl(csms: TestCsms, ...argv: string[]) {
  let stdout = '';
  let stderr = '';
  const code = await runCli(
    ['--address', csms.grpcAddress, '--token', 'ctl-token-0123456789', ...argv],
    { stdout: { write: (t: string) => (stdout += t) }, stderr: { write: (t: string) => (stderr += t) } },
    {},
  );
  return { code, stdout, stderr };
}

describe('csmsctl (end to end against the embedded CSMS)', () => {
  let csms: TestCsms;
  beforeAll(async () => {
    csms = await startTestCsms({
      env: { CSMS_API_TOKEN: 'ctl-token-0123456789', CSMS_AUTO_REGISTER: 'false' },
    });
  });
  afterAll(() => csms.close());

  it('creates, shows, lists and deletes stations as tables and as JSON', async () => {
    const created = await ctl(
      csms,
      'stations',
      'create',
      'CTL-1',
      '--profile',
      '1',
      '--password',
      'sixteen-chars-pw!',
    );
    expect(created).toMatchObject({ code: 0, stderr: '' });
    expect(created.stdout).toMatch(/CTL-1/);
    expect(created.stdout).toMatch(/password set\s*│\s*true/);
    await ctl(csms, 'stations', 'create', 'CTL-2', '--boot-policy', 'pending');

    const table = await ctl(csms, 'stations', 'list', '--prefix', 'CTL-');
    expect(table.code).toBe(0);
    expect(table.stdout).toMatch(/│ id\s+│ profile/);
    expect(table.stdout).toMatch(/CTL-2\s+│ 1\s+│ pending/);

    const json = await ctl(
      csms,
      '--json',
      'stations',
      'list',
      '--prefix',
      'CTL-',
      '--page-size',
      '1',
      '--all',
    );
    const parsed = JSON.parse(json.stdout) as { stations: { id: string }[] };
    expect(parsed.stations.map((s) => s.id)).toEqual(['CTL-1', 'CTL-2']);

    expect((await ctl(csms, 'stations', 'delete', 'CTL-2')).stdout).toBe('deleted CTL-2\n');
    const gone = await ctl(csms, 'stations', 'get', 'CTL-2');
    expect(gone.code).toBe(1);
    expect(gone.stderr).toMatch(/NOT_FOUND: station CTL-2 not found/);
  });

  it('sends a CALL to a connected station and prints its answer', async () => {
    await ctl(csms, 'stations', 'create', 'CTL-CALL', '--profile', '0');
    const station = await csms.connect({
      identity: 'CTL-CALL',
      protocol: 'ocpp1.6',
      handlers: { ChangeAvailability: () => ({ status: 'Scheduled' }) },
    });
    await station.call('BootNotification', { chargePointVendor: 'V', chargePointModel: 'M' });
    const answer = await ctl(
      csms,
      'call',
      'CTL-CALL',
      'ChangeAvailability',
      '{"connectorId":0,"type":"Inoperative"}',
    );
    expect(answer.code).toBe(0);
    expect(JSON.parse(answer.stdout)).toEqual({ status: 'Scheduled' });
    await station.close({ force: true });
  });

  it('explains errors with the gRPC status, reason and field, and a non-zero exit code', async () => {
    const invalid = await ctl(csms, 'stations', 'create', 'bad/id');
    expect(invalid.code).toBe(1);
    expect(invalid.stderr).toMatch(/INVALID_ARGUMENT/);
    expect(invalid.stderr).toMatch(/id: may contain only/);

    const offline = await ctl(csms, 'call', 'NOBODY', 'Reset', '{"type":"Soft"}');
    expect(offline.code).toBe(1);
    expect(offline.stderr).toMatch(
      /UNAVAILABLE: station NOBODY is not connected\n {2}reason: STATION_OFFLINE/,
    );

    const badJson = await ctl(csms, 'call', 'NOBODY', 'Reset', '{not json');
    expect(badJson.code).toBe(2);
    expect(badJson.stderr).toMatch(/payload is not valid JSON/);

    const usage = await ctl(csms, 'stations', 'create', 'X', '--profile', '9');
    expect(usage.code).toBe(2);
    expect(usage.stderr).toMatch(/--profile must be an integer from 0 to 3/);

    const unknown = await ctl(csms, 'frobnicate');
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toMatch(/unknown command 'frobnicate'/);
  });

  it('reports a wrong token and an unreachable API distinctly', async () => {
    let stderr = '';
    const io = { stdout: { write: () => true }, stderr: { write: (t: string) => (stderr += t) } };
    const denied = await runCli(
      ['--address', csms.grpcAddress, '--token', 'wrong', 'stations', 'list'],
      io,
      {},
    );
    expect(denied).toBe(1);
    expect(stderr).toMatch(/UNAUTHENTICATED/);
    stderr = '';
    const down = await runCli(['--address', '127.0.0.1:1', '--timeout', '2000', 'health'], io, {});
    expect(down).toBe(3);
    expect(stderr).toMatch(/UNAVAILABLE/);
  });

  it('checks health', async () => {
    expect(await ctl(csms, 'health')).toMatchObject({ code: 0, stdout: 'SERVING\n' });
  });
});
