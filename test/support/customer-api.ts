/**
 * Steps of the customer information tests (2.0.1 N09 / N10, `csms.auth.v1.AuthService` Get- and
 * ClearCustomerInformation) on top of {@link useAuthApi}: the station's side of the exchange (the
 * CustomerInformationRequest it receives, the NotifyCustomerInformation parts it sends) and a token put on its
 * local list first.
 */
import type { V201 } from '@csms/ocpp';
import { expect } from 'vitest';
import { LocalListStatus, S, UpdateType, client } from './auth-api.js';
import { at, eventually, type Station201 } from './scenario.js';

/** Generous: the machine may be loaded. */
const RECEIVE_TIMEOUT_MS = 30_000;

/**
 * Starts an RPC that sends the station a CustomerInformationRequest and waits until the station received it (the
 * `count`-th one). Returns that request and the RPC's pending answer (awaited later, after the station reported).
 */
export async function customerRequestSent<T>(
  cs: Station201,
  rpc: () => Promise<T>,
  count = cs.requests('CustomerInformation').length + 1,
): Promise<{ request: V201.CustomerInformationRequest; answer: Promise<T> }> {
  const answer = rpc();
  // Awaited by the caller; marked handled so that a rejection before then is not reported as unhandled.
  answer.catch(() => undefined);
  const request = await Promise.race([
    eventually(() => cs.requests('CustomerInformation')[count - 1], RECEIVE_TIMEOUT_MS),
    // An RPC that fails before sending anything fails the step with its own error.
    answer.then(() => eventually(() => cs.requests('CustomerInformation')[count - 1], RECEIVE_TIMEOUT_MS)),
  ]);
  return { request, answer };
}

/**
 * The station's NotifyCustomerInformationRequests for `requestId`, one per part (seqNo 0.., tbc on all but the
 * last), each answered by the CSMS with an empty NotifyCustomerInformationResponse.
 */
export async function notifyCustomerInformation(
  cs: Station201,
  requestId: number,
  parts: readonly string[],
): Promise<void> {
  for (const [seqNo, data] of parts.entries()) {
    const tbc = seqNo < parts.length - 1;
    const answer = await cs.call('NotifyCustomerInformation', {
      data,
      seqNo,
      generatedAt: at(),
      requestId,
      ...(tbc ? { tbc } : {}),
    });
    expect(answer).toEqual({});
  }
}

/** Memory State "a local authorization list with the idToken is configured": a Full list, accepted. */
export async function localListWith(cs: Station201, tokens: readonly V201.IdTokenType[]): Promise<number> {
  cs.respond('SendLocalList', { status: 'Accepted' });
  const answer = await client.sendLocalList({
    stationId: cs.id,
    updateType: UpdateType.UPDATE_TYPE_FULL,
    entries: tokens.map((t) => ({
      idToken: t.idToken,
      type: t.type,
      status: S.AUTHORIZATION_STATUS_ACCEPTED,
      groupId: '',
    })),
  });
  expect(answer.status).toBe(LocalListStatus.LOCAL_LIST_STATUS_ACCEPTED);
  return answer.version;
}

/** A customer certificate's hash data (CertificateHashDataType), as the OCTT configures it. */
export const CUSTOMER_CERTIFICATE = {
  hashAlgorithm: 'SHA256',
  issuerNameHash: '8f2a5c1e0b7d3f94a6c2e18d5b0f7a3c9e4d1b6a2f8c0e5d7b3a9f1c6e2d4b80',
  issuerKeyHash: '3c7e9a1f5b2d8c4e0a6f3b9d1c5e7a2f8b4d0c6e9a3f1b5d7c2e8a4f0b6d9c13',
  serialNumber: '5A1F03C9E2B7',
} as const;
