import { CertID, OCSPRequest, Request, TBSRequest } from '@peculiar/asn1-ocsp';
import { AsnConvert, OctetString } from '@peculiar/asn1-schema';
import { AlgorithmIdentifier } from '@peculiar/asn1-x509';
import { BodyTooLargeError, fetchFailureCause, readBoundedBody } from './bounded-body.js';
import { checkOcspResponse } from './ocsp-response.js';
import { OcspError, type OcspAnswer, type OcspCertId } from './ocsp-types.js';

export interface OcspClientOptions {
  /** Bound on one responder exchange (connect, send, receive), ms. */
  readonly timeoutMs: number;
  /** How long an answer without nextUpdate is reused, ms; answers with one are reused until then (capped here). */
  readonly cacheMs: number;
  /** Cached answers kept at most (oldest dropped first). */
  readonly maxCached?: number;
  /**
   * URL prefixes responders must start with (empty: any http / https URL). The URL comes from the station, so
   * a deployment that knows its PKIs' responders should list them: the CSMS then posts nowhere else.
   */
  readonly allowedResponders?: readonly string[];
  /** Current time (injectable for tests). */
  readonly now?: () => Date;
}

/** RFC 6960 responses are small; anything bigger is not one. */
const MAX_RESPONSE_BYTES = 64 * 1024;

const HASH_OID: Readonly<Record<OcspCertId['hashAlgorithm'], string>> = {
  SHA256: '2.16.840.1.101.3.4.2.1',
  SHA384: '2.16.840.1.101.3.4.2.2',
  SHA512: '2.16.840.1.101.3.4.2.3',
};

/**
 * Asks OCSP responders (RFC 6960, HTTP POST, §A.1) for certificate statuses: GetCertificateStatus of a station
 * (M06) and contract certificates at Authorize (C07.FR.05: "real-time or cached OCSP data"). Each answer is
 * checked (signature, responder, certificate, time; {@link checkOcspResponse}) and cached until its nextUpdate
 * (at most `cacheMs` beyond now) so a busy site does not ask again per authorization; concurrent asks for the
 * same certificate share one request. Failures throw {@link OcspError} with a reason; nothing is cached then.
 */
export class OcspClient {
  readonly #options: OcspClientOptions;
  readonly #cache = new Map<string, { readonly answer: OcspAnswer; readonly until: number }>();
  readonly #pending = new Map<string, Promise<OcspAnswer>>();

  constructor(options: OcspClientOptions) {
    this.#options = options;
  }

  /** The status of one certificate, from the cache or its responder. */
  async check(certId: OcspCertId): Promise<OcspAnswer> {
    const id = normalised(certId);
    const key = `${id.hashAlgorithm}:${id.issuerNameHash}:${id.issuerKeyHash}:${id.serialNumber}`;
    const now = this.#now().getTime();
    const cached = this.#cache.get(key);
    if (cached !== undefined && cached.until > now) return { ...cached.answer, cached: true };
    if (cached !== undefined) this.#cache.delete(key);
    const pending = this.#pending.get(key);
    if (pending !== undefined) return pending;
    const asking = this.#ask(id)
      .then((answer) => {
        this.#remember(key, answer);
        return answer;
      })
      .finally(() => this.#pending.delete(key));
    this.#pending.set(key, asking);
    return asking;
  }

  async #ask(certId: OcspCertId): Promise<OcspAnswer> {
    const url = this.#checkedUrl(certId.responderUrl);
    const body = ocspRequestDer(certId);
    let response: Response;
    try {
      response = await fetch(url, {
        method: 'POST',
        headers: { 'content-type': 'application/ocsp-request', accept: 'application/ocsp-response' },
        body,
        signal: AbortSignal.timeout(this.#options.timeoutMs),
        redirect: 'error',
      });
    } catch (error) {
      const timedOut = (error as Error).name === 'TimeoutError';
      throw new OcspError(
        timedOut ? 'timeout' : 'unreachable',
        timedOut
          ? `no answer from ${url.origin} within ${this.#options.timeoutMs} ms`
          : `could not reach ${url.origin}: ${fetchFailureCause(error)}`,
      );
    }
    if (!response.ok) {
      await response.body?.cancel().catch(() => undefined);
      throw new OcspError('http-status', `${url.origin} answered HTTP ${response.status}`);
    }
    let der: Uint8Array;
    try {
      der = new Uint8Array(
        await readBoundedBody(response, MAX_RESPONSE_BYTES, 'response', this.#options.timeoutMs),
      );
    } catch (error) {
      if (error instanceof BodyTooLargeError) throw new OcspError('too-large', error.message);
      throw error;
    }
    const checked = checkOcspResponse(der, certId, this.#now());
    return { ...checked, response: der, cached: false };
  }

  #checkedUrl(responderUrl: string): URL {
    let url: URL;
    try {
      url = new URL(responderUrl);
    } catch {
      throw new OcspError('refused-url', `not a URL: ${JSON.stringify(responderUrl)}`);
    }
    if (url.protocol !== 'http:' && url.protocol !== 'https:')
      throw new OcspError('refused-url', `not an http(s) responder: ${url.protocol}`);
    const allowed = this.#options.allowedResponders ?? [];
    if (allowed.length > 0 && !allowed.some((prefix) => url.href.startsWith(prefix)))
      throw new OcspError('refused-url', `responder ${url.origin} is not among the allowed ones`);
    return url;
  }

  #remember(key: string, answer: OcspAnswer): void {
    const now = this.#now().getTime();
    const until = Math.min(
      answer.nextUpdate?.getTime() ?? Number.POSITIVE_INFINITY,
      now + this.#options.cacheMs,
    );
    if (until <= now) return;
    this.#cache.set(key, { answer, until });
    const max = this.#options.maxCached ?? 10_000;
    for (const oldest of this.#cache.keys()) {
      if (this.#cache.size <= max) break;
      this.#cache.delete(oldest);
    }
  }

  #now(): Date {
    return this.#options.now?.() ?? new Date();
  }
}

/** The DER OCSPRequest (unsigned, no nonce: answers are cached, RFC 6960 §4.4.1 makes the nonce optional). */
export function ocspRequestDer(certId: OcspCertId): Uint8Array {
  const reqCert = new CertID({
    hashAlgorithm: new AlgorithmIdentifier({ algorithm: HASH_OID[certId.hashAlgorithm], parameters: null }),
    issuerNameHash: new OctetString(Buffer.from(certId.issuerNameHash, 'hex')),
    issuerKeyHash: new OctetString(Buffer.from(certId.issuerKeyHash, 'hex')),
    serialNumber: serialBytes(certId.serialNumber),
  });
  const request = new OCSPRequest({
    tbsRequest: new TBSRequest({ requestList: [new Request({ reqCert })] }),
  });
  return new Uint8Array(AsnConvert.serialize(request));
}

/** A positive DER INTEGER's content bytes for a hex serial (a leading 00 when the top bit is set). */
function serialBytes(serialHex: string): ArrayBuffer {
  const even = serialHex.length % 2 === 1 ? `0${serialHex}` : serialHex;
  const bytes = Buffer.from(even, 'hex');
  const positive = bytes.length > 0 && bytes[0]! >= 0x80 ? Buffer.concat([Buffer.from([0]), bytes]) : bytes;
  return positive.buffer.slice(positive.byteOffset, positive.byteOffset + positive.byteLength);
}

function normalised(certId: OcspCertId): OcspCertId {
  const clean = (h: string) => h.trim().toLowerCase();
  const serial = clean(certId.serialNumber).replace(/^(00)+(?=.)/, '');
  for (const [field, value] of Object.entries({
    issuerNameHash: certId.issuerNameHash,
    issuerKeyHash: certId.issuerKeyHash,
    serialNumber: serial,
  }))
    if (!/^[0-9a-f]+$/.test(clean(value)))
      throw new OcspError('bad-request', `${field} is not hexadecimal: ${JSON.stringify(value)}`);
  return {
    ...certId,
    issuerNameHash: clean(certId.issuerNameHash),
    issuerKeyHash: clean(certId.issuerKeyHash),
    serialNumber: serial,
  };
}
