import { RequestViolations, type authV1 } from '@csms/grpc';
import type { V201 } from '@csms/ocpp';
import { checkIdToken, ID_TOKEN_TYPES } from './validation.js';

/** The customer a CustomerInformationRequest refers to: exactly one of these (N09.FR.04, N10.FR.08). */
export type CustomerReference =
  | { readonly kind: 'customerIdentifier'; readonly customerIdentifier: string }
  | { readonly kind: 'idToken'; readonly idToken: V201.IdTokenType }
  | { readonly kind: 'customerCertificate'; readonly customerCertificate: V201.CertificateHashDataType };

/** What Get- and ClearCustomerInformationRequest have in common. */
export type CustomerRequest = Pick<
  authV1.GetCustomerInformationRequest,
  'stationId' | 'customerIdentifier' | 'idToken' | 'customerCertificate' | 'reportWaitSeconds'
>;

/** A checked request: the customer and how long to wait for the station's report (ms). */
export interface CheckedCustomerRequest {
  readonly customer: CustomerReference;
  readonly waitMs: number;
}

/** How long the station's report is waited for by default, and at most (report_wait_seconds). */
const DEFAULT_REPORT_WAIT_SECONDS = 30;
const MAX_REPORT_WAIT_SECONDS = 120;
/** CustomerInformationRequest.customerIdentifier is string(64); CertificateHashDataType's hashes 128, serial 40. */
const CUSTOMER_IDENTIFIER_MAX_LENGTH = 64;
const HASH_MAX_LENGTH = 128;
const SERIAL_NUMBER_MAX_LENGTH = 40;
const HASH_ALGORITHMS: readonly string[] = ['SHA256', 'SHA384', 'SHA512'];
const CUSTOMER_FIELDS = 'customer_identifier, id_token and customer_certificate';

/**
 * Checks a customer information request: a valid station id, exactly one customer reference (N09.FR.04 /
 * N10.FR.08; a station answers Invalid to none or several, N09.FR.09) within the OCPP field limits, and the
 * report wait. INVALID_ARGUMENT with every field violation otherwise.
 */
export function checkCustomerRequest(request: CustomerRequest, rpc: string): CheckedCustomerRequest {
  const v = new RequestViolations();
  v.stationId('station_id', request.stationId);
  const given = customerReferences(v, request);
  if (given.length === 0)
    for (const field of ['customer_identifier', 'id_token', 'customer_certificate'])
      v.add(field, `one of ${CUSTOMER_FIELDS} must be set (N09.FR.04)`);
  else if (given.length > 1)
    for (const reference of given)
      v.add(fieldOf(reference), `only one of ${CUSTOMER_FIELDS} may be set (N09.FR.09)`);
  const wait = request.reportWaitSeconds ?? DEFAULT_REPORT_WAIT_SECONDS;
  v.check(
    Number.isInteger(wait) && wait >= 0 && wait <= MAX_REPORT_WAIT_SECONDS,
    'report_wait_seconds',
    `must be between 0 and ${MAX_REPORT_WAIT_SECONDS}`,
  );
  v.throwIfAny(`invalid ${rpc} request`);
  return { customer: given[0]!, waitMs: wait * 1000 };
}

/** The references set in the request, each checked against its OCPP type. */
function customerReferences(v: RequestViolations, request: CustomerRequest): CustomerReference[] {
  const given: CustomerReference[] = [];
  const { customerIdentifier, idToken, customerCertificate } = request;
  if (customerIdentifier !== '') {
    v.check(
      customerIdentifier.length <= CUSTOMER_IDENTIFIER_MAX_LENGTH,
      'customer_identifier',
      `must be at most ${CUSTOMER_IDENTIFIER_MAX_LENGTH} characters`,
    );
    given.push({ kind: 'customerIdentifier', customerIdentifier });
  }
  if (idToken !== undefined) {
    checkIdToken(v, 'id_token.id_token', idToken.idToken);
    v.check(
      ID_TOKEN_TYPES.includes(idToken.type),
      'id_token.type',
      `must be one of ${ID_TOKEN_TYPES.join(', ')} (2.0.1 IdTokenEnumType)`,
    );
    given.push({
      kind: 'idToken',
      idToken: { idToken: idToken.idToken, type: idToken.type as V201.IdTokenEnumType },
    });
  }
  if (customerCertificate !== undefined) {
    const c = customerCertificate;
    v.check(
      HASH_ALGORITHMS.includes(c.hashAlgorithm),
      'customer_certificate.hash_algorithm',
      `must be one of ${HASH_ALGORITHMS.join(', ')}`,
    );
    checkText(v, 'customer_certificate.issuer_name_hash', c.issuerNameHash, HASH_MAX_LENGTH);
    checkText(v, 'customer_certificate.issuer_key_hash', c.issuerKeyHash, HASH_MAX_LENGTH);
    checkText(v, 'customer_certificate.serial_number', c.serialNumber, SERIAL_NUMBER_MAX_LENGTH);
    given.push({
      kind: 'customerCertificate',
      customerCertificate: {
        hashAlgorithm: c.hashAlgorithm as V201.HashAlgorithmEnumType,
        issuerNameHash: c.issuerNameHash,
        issuerKeyHash: c.issuerKeyHash,
        serialNumber: c.serialNumber,
      },
    });
  }
  return given;
}

function checkText(v: RequestViolations, field: string, value: string, maxLength: number): void {
  if (value.length === 0) v.add(field, 'must not be empty');
  else if (value.length > maxLength) v.add(field, `must be at most ${maxLength} characters`);
}

function fieldOf(reference: CustomerReference): string {
  switch (reference.kind) {
    case 'customerIdentifier':
      return 'customer_identifier';
    case 'idToken':
      return 'id_token';
    case 'customerCertificate':
      return 'customer_certificate';
  }
}

/** The CustomerInformationRequest for `customer` (its one reference, N09.FR.04). */
export function customerInformationPayload(
  requestId: number,
  customer: CustomerReference,
  flags: { readonly report: boolean; readonly clear: boolean },
): V201.CustomerInformationRequest {
  const base = { requestId, report: flags.report, clear: flags.clear };
  switch (customer.kind) {
    case 'customerIdentifier':
      return { ...base, customerIdentifier: customer.customerIdentifier };
    case 'idToken':
      return { ...base, idToken: customer.idToken };
    case 'customerCertificate':
      return { ...base, customerCertificate: customer.customerCertificate };
  }
}
