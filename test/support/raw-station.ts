/**
 * A station on a bare `ws` socket, for frames a well-behaved OCPP client cannot send (malformed JSON, wrong
 * message type ids, schema violations, oversized frames), and a raw HTTP upgrade for refused connections.
 */
import { request as httpRequest, type IncomingHttpHeaders } from 'node:http';
import { WebSocket, type ClientOptions } from 'ws';

export class RawStation {
  readonly #inbox: string[] = [];
  readonly #waiters: Array<(text: string) => void> = [];
  /** Resolves with the close code and reason. */
  readonly closed: Promise<{ code: number; reason: string }>;

  private constructor(readonly ws: WebSocket) {
    ws.on('message', (data: Buffer) => {
      const text = data.toString('utf8');
      const waiter = this.#waiters.shift();
      if (waiter) waiter(text);
      else this.#inbox.push(text);
    });
    this.closed = new Promise((resolve) => {
      ws.on('close', (code: number, reason: Buffer) => resolve({ code, reason: reason.toString('utf8') }));
    });
    ws.on('error', () => {});
  }

  /** Connects `url` offering `protocols`; rejects with `upgrade refused: <status>` if the upgrade fails. */
  static connect(
    url: string,
    protocols: string | string[] = 'ocpp2.0.1',
    options: ClientOptions = {},
  ): Promise<RawStation> {
    return new Promise((resolve, reject) => {
      const ws = new WebSocket(url, protocols, options);
      const station = new RawStation(ws);
      ws.once('open', () => resolve(station));
      ws.once('unexpected-response', (_req, res) => {
        reject(new Error(`upgrade refused: ${res.statusCode ?? 0}`));
        ws.terminate();
      });
      ws.once('error', reject);
    });
  }

  /** The subprotocol the server selected ('' when none). */
  get protocol(): string {
    return this.ws.protocol;
  }

  /** Sends a string as it is, anything else as JSON. */
  send(value: unknown): void {
    this.ws.send(typeof value === 'string' ? value : JSON.stringify(value));
  }

  /** The next message, parsed as JSON; rejects after `timeoutMs`. */
  next(timeoutMs = 5_000): Promise<unknown> {
    const queued = this.#inbox.shift();
    if (queued !== undefined) return Promise.resolve(JSON.parse(queued) as unknown);
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        const i = this.#waiters.indexOf(waiter);
        if (i >= 0) this.#waiters.splice(i, 1);
        reject(new Error('no message received'));
      }, timeoutMs);
      const waiter = (text: string): void => {
        clearTimeout(timer);
        resolve(JSON.parse(text) as unknown);
      };
      this.#waiters.push(waiter);
    });
  }

  /** Sends a CALL and returns the next frame (its answer, when nothing else is in flight). */
  async call(messageId: string, action: string, payload: unknown): Promise<unknown> {
    this.send([2, messageId, action, payload]);
    return this.next();
  }

  /** True if nothing arrives within `ms`. */
  async silentFor(ms: number): Promise<boolean> {
    try {
      await this.next(ms);
      return false;
    } catch {
      return true;
    }
  }

  close(): void {
    this.ws.close();
  }
}

/** The answer to an HTTP upgrade request. */
export interface UpgradeAnswer {
  readonly status: number;
  readonly headers: IncomingHttpHeaders;
  /** After a 101: the close code of the first frame the server sent, if that frame was a close frame. */
  readonly closeCode?: number;
}

/**
 * Sends a WebSocket upgrade request with exactly the given path and headers and reports the HTTP status.
 * After a 101, waits up to `closeWaitMs` for the server's first frame and reports its close code if it closes.
 */
export function rawUpgrade(
  port: number,
  path: string,
  headers: Record<string, string> = {},
  closeWaitMs = 0,
): Promise<UpgradeAnswer> {
  return new Promise((resolve, reject) => {
    const req = httpRequest({
      host: '127.0.0.1',
      port,
      path,
      headers: {
        Connection: 'Upgrade',
        Upgrade: 'websocket',
        'Sec-WebSocket-Version': '13',
        'Sec-WebSocket-Key': 'dGhlIHNhbXBsZSBub25jZQ==',
        ...headers,
      },
    });
    req.on('upgrade', (res, socket, head) => {
      const answer = { status: res.statusCode ?? 101, headers: res.headers };
      let buffer = head;
      const finish = (closeCode?: number): void => {
        clearTimeout(timer);
        socket.destroy();
        resolve(closeCode === undefined ? answer : { ...answer, closeCode });
      };
      const timer = setTimeout(() => finish(), closeWaitMs);
      const parse = (): void => {
        // A server frame is unmasked: byte 0 = FIN + opcode, byte 1 = length (< 126 for a close frame).
        if (buffer.length < 2) return;
        const opcode = (buffer[0] ?? 0) & 0x0f;
        const length = (buffer[1] ?? 0) & 0x7f;
        if (opcode !== 0x8) return finish();
        if (buffer.length < 2 + length) return;
        finish(length >= 2 ? buffer.readUInt16BE(2) : 1005);
      };
      socket.on('data', (chunk: Buffer) => {
        buffer = Buffer.concat([buffer, chunk]);
        parse();
      });
      socket.on('error', () => finish());
      parse();
    });
    req.on('response', (res) => {
      res.resume();
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers }));
    });
    req.on('error', reject);
    req.end();
  });
}

/** `Basic base64(user:password)` */
export function basicAuth(username: string, password: string): string {
  return `Basic ${Buffer.from(`${username}:${password}`).toString('base64')}`;
}
