import { Status } from '@csms/grpc';
import { describe, expect, it } from 'vitest';
import { LogType, client, firmware, rejection, violations, useFirmwareApi } from './testing/firmware-api.js';

useFirmwareApi();

describe('FirmwareService validation', () => {
  it('rejects an empty station list, a bad URI and bad times with field violations', async () => {
    const error = await rejection(
      client.startFirmwareUpdate({
        stationIds: [],
        firmware: firmware({
          location: 'not a uri',
          retrieveTime: new Date('2030-01-02T00:00:00Z'),
          installTime: new Date('2030-01-01T00:00:00Z'),
          retries: -1,
        }),
        maxConcurrency: 5000,
      }),
    );
    expect(error.code).toBe(Status.INVALID_ARGUMENT);
    expect(violations(error).map((v) => v.field)).toEqual([
      'station_ids',
      'max_concurrency',
      'firmware.location',
      'firmware.install_time',
      'firmware.retries',
    ]);
  });

  it('rejects more than 10000 stations', async () => {
    const ids = Array.from({ length: 10_001 }, (_, i) => `x${i}`);
    const error = await rejection(
      client.startFirmwareUpdate({ stationIds: ids, firmware: firmware(), maxConcurrency: 0 }),
    );
    expect(error.code).toBe(Status.INVALID_ARGUMENT);
    expect(violations(error)).toEqual([
      { field: 'station_ids', description: expect.stringContaining('at most 10000') as string },
    ]);
  });

  it('rejects a signature without its certificate, a missing firmware, and relative URIs', async () => {
    let error = await rejection(
      client.startFirmwareUpdate({
        stationIds: ['cs-00'],
        firmware: firmware({ signature: 'c2ln' }),
        maxConcurrency: 0,
      }),
    );
    expect(violations(error).map((v) => v.field)).toEqual(['firmware.signing_certificate']);
    error = await rejection(
      client.startFirmwareUpdate({ stationIds: ['cs-00'], firmware: undefined, maxConcurrency: 0 }),
    );
    expect(violations(error).map((v) => v.field)).toEqual(['firmware']);
    error = await rejection(
      client.startFirmwareUpdate({
        stationIds: ['cs-00'],
        firmware: firmware({ location: '/fw.bin' }),
        maxConcurrency: 0,
      }),
    );
    expect(violations(error).map((v) => v.field)).toEqual(['firmware.location']);
  });

  it('rejects a log upload without log type or with latest before oldest', async () => {
    const error = await rejection(
      client.startLogUpload({
        stationIds: ['cs-00'],
        log: {
          logType: LogType.LOG_TYPE_UNSPECIFIED,
          remoteLocation: 'ftp://logs.example.com/upload',
          oldestTime: new Date('2030-01-02T00:00:00Z'),
          latestTime: new Date('2030-01-01T00:00:00Z'),
        },
        maxConcurrency: 0,
      }),
    );
    expect(error.code).toBe(Status.INVALID_ARGUMENT);
    expect(violations(error).map((v) => v.field)).toEqual(['log.log_type', 'log.latest_time']);
  });

  it('answers NOT_FOUND for unknown campaigns and INVALID_ARGUMENT for a missing id', async () => {
    expect((await rejection(client.getCampaign({ id: '424242' }))).code).toBe(Status.NOT_FOUND);
    expect((await rejection(client.getCampaign({ id: 'nope' }))).code).toBe(Status.NOT_FOUND);
    expect((await rejection(client.cancelCampaign({ id: '424242' }))).code).toBe(Status.NOT_FOUND);
    const error = await rejection(
      client.listCampaignStations({ campaignId: '', pageSize: 0, pageToken: '', statuses: [] }),
    );
    expect(error.code).toBe(Status.INVALID_ARGUMENT);
    expect(violations(error).map((v) => v.field)).toEqual(['campaign_id']);
  });
});
