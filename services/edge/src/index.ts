/**
 * @csms/edge: the OCPP-J WebSocket edge. Terminates station connections (TLS / mTLS, authentication at the HTTP
 * upgrade, subprotocol negotiation, framing and schema validation) and bridges them to the station actors over
 * the bus. It keeps no business state.
 */
export { EdgeServer, createEdge } from './edge-server.js';
export type { EdgeOptions, EdgeStopOptions, EdgeTlsOptions } from './edge-server.js';
export type { StationCredentialStore, StationCredentials } from './station-credential-store.js';
export { admitStation, decideAdmission, presentedProfile } from './station-admission.js';
export type {
  AdmissionDecision,
  AdmissionInput,
  AdmissionRefusal,
  AdmissionResult,
  PresentedCredentials,
} from './station-admission.js';
export { parseBasicAuthorization } from './basic-credentials.js';
export type { PresentedBasicCredentials } from './basic-credentials.js';
export { parseStationIdentity } from './station-identity.js';
export type { StationIdentityResult } from './station-identity.js';
export { SUPPORTED_SUBPROTOCOLS_TEXT, selectSubprotocol } from './subprotocol.js';
export type { SubprotocolSelection } from './subprotocol.js';
export { CloseCode } from './close-codes.js';
export { silentLogger } from './logger.js';
export type { Logger } from './logger.js';
