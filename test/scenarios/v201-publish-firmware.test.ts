/**
 * OCPP 2.0.1 Part 6 §3.13 (L FirmwareManagement), the CSMS cases of a Local Controller publishing firmware (L03,
 * TC_L_17/19/20/24) and unpublishing it (L04, TC_L_21/22/23): a whole embedded CSMS on PostgreSQL, the typed
 * command service csms.ocpp201.v1.Ocpp201Service over real gRPC (what the OCTT's "Manually instruct CSMS to send
 * a PublishFirmwareRequest" uses), and a real OCPP 2.0.1 Local Controller (`ocpp-rpc`, strict mode: every CALL
 * validated against the OCA schemas) playing the OCTT. Each case asserts the tool validations on the request the
 * controller received, the CSMS's answers to its PublishFirmwareStatusNotifications, what the CSMS stored, and the
 * `publish-firmware-status` station events an operator follows (with the locations of a Published file).
 */
import { connectApi, ocpp201V1, stationV1, Status, type ApiConnection } from '@csms/grpc';
import type { V201 } from '@csms/ocpp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestCsms, type TestCsms } from '../support/csms.js';
import { booted201 } from '../support/octt-states.js';
import { connect201, uniqueId, type Station201 } from '../support/scenario.js';

/** The OCTT's configured firmware_location and the file's MD5 (L03.FR.02). */
const FIRMWARE_LOCATION = 'https://firmware.example.com/lc/cs-fw-2.1.bin';
const CHECKSUM = '9e107d9d372bb6826bd81d3542a419d6';
/** The URIs the controller serves the file at once Published (L03.FR.04). */
const PUBLISHED_AT = ['http://192.168.1.10/fw/cs-fw-2.1.bin', 'ftp://192.168.1.10/fw/cs-fw-2.1.bin'];

let csms: TestCsms;
let api: ApiConnection;
let c201: ReturnType<typeof ocpp201>;
const ocpp201 = () => api.client(ocpp201V1.Ocpp201ServiceDefinition);

beforeAll(async () => {
  csms = await startTestCsms({ database: 'postgres' });
  api = connectApi({ address: csms.grpcAddress });
  c201 = ocpp201();
});
afterAll(async () => {
  api?.close();
  await csms?.close();
});

/** The `publish-firmware-status` events of one station, read from the API's event stream while a case runs. */
interface EventFeed {
  readonly events: stationV1.StationEvent[];
  stop(): Promise<void>;
}

/**
 * A booted Local Controller, with the API's event stream of its `publish-firmware-status` events open before it
 * connects: its own `connected` event shows that the stream is live, so no later event can be missed.
 */
async function localController(prefix: string): Promise<{ lc: Station201; feed: EventFeed }> {
  const id = uniqueId(prefix);
  const stations = api.client(stationV1.StationServiceDefinition);
  const controller = new AbortController();
  const seen: stationV1.StationEvent[] = [];
  const reading = (async () => {
    try {
      for await (const { event } of stations.streamStationEvents(
        { stationIds: [id], types: ['connected', 'publish-firmware-status'] },
        { signal: controller.signal },
      ))
        if (event) seen.push(event);
    } catch {
      // aborted by stop()
    }
  })();
  let lc: Station201 | undefined;
  // Until the stream is live, a connection's event may be missed: reconnect until one arrives.
  await expect
    .poll(
      async () => {
        if (seen.some((e) => e.type === 'connected')) return true;
        await lc?.close();
        lc = await connect201(csms, { id });
        return seen.some((e) => e.type === 'connected');
      },
      { timeout: 20_000, interval: 500 },
    )
    .toBe(true);
  expect((await booted201(lc!)).status).toBe('Accepted');
  const feed: EventFeed = {
    get events() {
      return seen.filter((e) => e.type === 'publish-firmware-status');
    },
    stop: async () => {
      controller.abort();
      await reading;
    },
  };
  return { lc: lc!, feed };
}

/**
 * Step 1-2: the operator instructs the CSMS to send PublishFirmware; the controller answers Accepted. Tool
 * validation of step 1: the location is the configured firmware_location (and the checksum and requestId the
 * operator gave are sent as given).
 */
async function publish(lc: Station201, requestId: number): Promise<void> {
  lc.respond('PublishFirmware', { status: 'Accepted' });
  const payload = {
    location: FIRMWARE_LOCATION,
    checksum: CHECKSUM,
    requestId,
    retries: 2,
    retryInterval: 30,
  };
  const answer = await c201.publishFirmware({ stationId: lc.id, payload });
  expect(ocpp201V1.PublishFirmwareResponse.toJSON(answer.payload!)).toEqual({ status: 'Accepted' });
  expect(lc.requests('PublishFirmware')).toEqual([payload]);
}

/** The controller reports each new status of the publication (L03.FR.01); the CSMS answers every one. */
async function report(
  lc: Station201,
  requestId: number,
  statuses: readonly V201.PublishFirmwareStatusNotificationRequest['status'][],
): Promise<void> {
  for (const status of statuses) {
    const notification: V201.PublishFirmwareStatusNotificationRequest = {
      status,
      requestId,
      ...(status === 'Published' ? { location: PUBLISHED_AT } : {}),
    };
    expect(await lc.call('PublishFirmwareStatusNotification', notification)).toEqual({});
  }
}

/** What the CSMS stored of the controller's notifications, oldest first. */
async function stored(stationId: string): Promise<unknown[]> {
  const rows = await csms.database.db
    .selectFrom('station_notifications')
    .select('payload')
    .where('station_id', '=', stationId)
    .where('action', '=', 'PublishFirmwareStatusNotification')
    .orderBy('id')
    .execute();
  return rows.map((r) => r.payload);
}

/** Runs a publication that ends in `statuses`' last status and checks what the CSMS kept and published. */
async function publication(
  prefix: string,
  requestId: number,
  statuses: readonly V201.PublishFirmwareStatusNotificationRequest['status'][],
): Promise<stationV1.StationEvent[]> {
  const { lc, feed } = await localController(prefix);
  try {
    await publish(lc, requestId);
    await report(lc, requestId, statuses);
    const expected = statuses.map((status) => ({
      status,
      requestId,
      ...(status === 'Published' ? { location: PUBLISHED_AT } : {}),
    }));
    expect(await stored(lc.id)).toEqual(expected);
    await expect.poll(() => feed.events.map((e) => e.data), { timeout: 10_000 }).toEqual(expected);
    return feed.events;
  } finally {
    await feed.stop();
    await lc.close();
  }
}

describe('TC_L_17_CSMS: Publish Firmware - Published', () => {
  it('sends PublishFirmware with the configured location, answers Downloading → Published and shows where the controller serves the file', async () => {
    const events = await publication('L17', 1701, [
      'Downloading',
      'Downloaded',
      'ChecksumVerified',
      'Published',
    ]);
    // An operator points the UpdateFirmware of the stations behind the controller at these URIs.
    expect(events.at(-1)?.data).toEqual({ status: 'Published', requestId: 1701, location: PUBLISHED_AT });
  });
});

describe('TC_L_24_CSMS: Publish Firmware - Download failed', () => {
  it('answers Downloading and DownloadFailed (L03.FR.06) and shows the failure', async () => {
    await publication('L24', 2401, ['Downloading', 'DownloadFailed']);
  });
});

describe('TC_L_19_CSMS: Publish Firmware - Invalid Checksum', () => {
  it('answers Downloading, Downloaded and InvalidChecksum (L03.FR.07) and shows the failure', async () => {
    await publication('L19', 1901, ['Downloading', 'Downloaded', 'InvalidChecksum']);
  });
});

describe('TC_L_20_CSMS: Publish Firmware - PublishFailed', () => {
  it('answers Downloading → ChecksumVerified and PublishFailed (L03.FR.08) and shows the failure', async () => {
    await publication('L20', 2001, ['Downloading', 'Downloaded', 'ChecksumVerified', 'PublishFailed']);
  });
});

/** Step 1-2 of the L04 cases: the CSMS sends UnpublishFirmware for the file's checksum; the operator gets `status`. */
async function unpublish(prefix: string, status: V201.UnpublishFirmwareResponse['status']): Promise<void> {
  const lc = await connect201(csms, { id: uniqueId(prefix) });
  try {
    expect((await booted201(lc)).status).toBe('Accepted');
    lc.respond('UnpublishFirmware', { status });
    const answer = await c201.unpublishFirmware({ stationId: lc.id, payload: { checksum: CHECKSUM } });
    expect(lc.requests('UnpublishFirmware')).toEqual([{ checksum: CHECKSUM }]);
    expect(ocpp201V1.UnpublishFirmwareResponse.toJSON(answer.payload!)).toEqual({ status });
  } finally {
    await lc.close();
  }
}

describe('TC_L_21_CSMS: Unpublish Firmware - Unpublished', () => {
  it('sends UnpublishFirmware with the checksum and reports Unpublished (L04.FR.02)', async () => {
    await unpublish('L21', 'Unpublished');
  });
});

describe('TC_L_22_CSMS: Unpublish Firmware - NoFirmware', () => {
  it('sends UnpublishFirmware and reports NoFirmware (L04.FR.03)', async () => {
    await unpublish('L22', 'NoFirmware');
  });
});

describe('TC_L_23_CSMS: Unpublish Firmware - Download Ongoing', () => {
  it('sends UnpublishFirmware and reports DownloadOngoing: the file stays published (L04.FR.04)', async () => {
    await unpublish('L23', 'DownloadOngoing');
  });
});

describe('Publish Firmware: bad requests', () => {
  it('refuses a checksum longer than an MD5 digest and a missing location with INVALID_ARGUMENT, sending nothing', async () => {
    const lc = await connect201(csms, { id: uniqueId('LBAD') });
    try {
      expect((await booted201(lc)).status).toBe('Accepted');
      lc.respond('PublishFirmware', { status: 'Accepted' });
      for (const payload of [
        { location: FIRMWARE_LOCATION, checksum: `${CHECKSUM}00`, requestId: 1 },
        { checksum: CHECKSUM, requestId: 1 },
      ]) {
        const error = await c201.publishFirmware({ stationId: lc.id, payload }).then(
          () => undefined,
          (e: unknown) => e as { code: number; details: string },
        );
        expect(error?.code).toBe(Status.INVALID_ARGUMENT);
      }
      expect(lc.requests('PublishFirmware')).toEqual([]);
    } finally {
      await lc.close();
    }
  });
});
