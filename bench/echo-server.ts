/**
 * The benchmark's ceiling: a bare `ws` server (permessage-deflate off) that answers every OCPP-J CALL at
 * once with a fixed, schema-valid CALLRESULT for its action, so that the simulator behaves as against a
 * CSMS (boots, heartbeats, authorizes, runs transactions) while the server does nothing but parse the
 * frame and write the answer. What it measures is the cost of ws plus the simulator itself.
 *
 * Run as a child process (`node --import tsx bench/echo-server.ts`) with an IPC channel: it listens on
 * 127.0.0.1 (port 0 unless ECHO_PORT is set), sends `{ type: 'ready', port }` and exits when its parent
 * goes away (the IPC channel closes) or on SIGTERM / SIGINT.
 */
import { WebSocketServer, type RawData, type WebSocket } from 'ws';

type Version = 'ocpp1.6' | 'ocpp2.0.1';
const VERSIONS: readonly Version[] = ['ocpp1.6', 'ocpp2.0.1'];
const HEARTBEAT_INTERVAL_SEC = 300;
const MAX_PAYLOAD = 1024 * 1024;

/** currentTime is refreshed every 100 ms, not per message: the answer stays a constant string in between. */
let now = new Date().toISOString();
const clock = setInterval(() => (now = new Date().toISOString()), 100);
clock.unref();
let transactionId = 0;

/** The CALLRESULT payload (as JSON) of `action`, or undefined: answered NotImplemented. */
function answer(version: Version, action: string): string | undefined {
  if (version === 'ocpp1.6') {
    switch (action) {
      case 'BootNotification':
        return `{"status":"Accepted","currentTime":"${now}","interval":${HEARTBEAT_INTERVAL_SEC}}`;
      case 'Heartbeat':
        return `{"currentTime":"${now}"}`;
      case 'Authorize':
        return '{"idTagInfo":{"status":"Accepted"}}';
      case 'StartTransaction':
        transactionId = (transactionId % 2_000_000_000) + 1;
        return `{"transactionId":${transactionId},"idTagInfo":{"status":"Accepted"}}`;
      case 'StopTransaction':
        return '{"idTagInfo":{"status":"Accepted"}}';
      case 'DataTransfer':
        return '{"status":"UnknownVendorId"}';
      case 'StatusNotification':
      case 'MeterValues':
      case 'DiagnosticsStatusNotification':
      case 'FirmwareStatusNotification':
      case 'SecurityEventNotification':
      case 'LogStatusNotification':
      case 'SignedFirmwareStatusNotification':
        return '{}';
      default:
        return undefined;
    }
  }
  switch (action) {
    case 'BootNotification':
      return `{"currentTime":"${now}","interval":${HEARTBEAT_INTERVAL_SEC},"status":"Accepted"}`;
    case 'Heartbeat':
      return `{"currentTime":"${now}"}`;
    case 'Authorize':
      return '{"idTokenInfo":{"status":"Accepted"}}';
    case 'TransactionEvent':
      return '{"idTokenInfo":{"status":"Accepted"}}';
    case 'DataTransfer':
      return '{"status":"UnknownVendorId"}';
    case 'StatusNotification':
    case 'MeterValues':
    case 'NotifyReport':
    case 'NotifyEvent':
    case 'SecurityEventNotification':
    case 'FirmwareStatusNotification':
    case 'LogStatusNotification':
      return '{}';
    default:
      return undefined;
  }
}

function text(data: RawData): string {
  if (Buffer.isBuffer(data)) return data.toString('utf8');
  if (Array.isArray(data)) return Buffer.concat(data).toString('utf8');
  return Buffer.from(data).toString('utf8');
}

function onMessage(socket: WebSocket, version: Version, data: RawData, isBinary: boolean): void {
  if (isBinary) return;
  let frame: unknown;
  try {
    frame = JSON.parse(text(data));
  } catch {
    return;
  }
  if (!Array.isArray(frame) || frame[0] !== 2 || typeof frame[1] !== 'string' || typeof frame[2] !== 'string')
    return;
  const id = JSON.stringify(frame[1]);
  const payload = answer(version, frame[2]);
  socket.send(
    payload === undefined
      ? `[4,${id},"NotImplemented",${JSON.stringify(`${frame[2]} is not answered by the echo server`)},{}]`
      : `[3,${id},${payload}]`,
  );
}

const server = new WebSocketServer({
  host: '127.0.0.1',
  port: Number(process.env.ECHO_PORT ?? 0),
  perMessageDeflate: false,
  maxPayload: MAX_PAYLOAD,
  clientTracking: false,
  handleProtocols: (offered: Set<string>) => VERSIONS.find((v) => offered.has(v)) ?? false,
});
server.on('connection', (socket) => {
  const version: Version = socket.protocol === 'ocpp1.6' ? 'ocpp1.6' : 'ocpp2.0.1';
  socket.on('message', (data, isBinary) => onMessage(socket, version, data, isBinary));
  socket.on('error', () => socket.terminate());
});
server.on('listening', () => {
  const address = server.address();
  const port = typeof address === 'object' && address !== null ? address.port : 0;
  process.send?.({ type: 'ready', port });
});
server.on('error', (error) => {
  process.stderr.write(`echo-server: ${error.message}\n`);
  process.exit(1);
});

const exit = (): void => {
  server.close();
  process.exit(0);
};
process.on('SIGTERM', exit);
process.on('SIGINT', exit);
// The parent died or closed the channel: never outlive it.
process.on('disconnect', exit);
