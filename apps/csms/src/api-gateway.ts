import type { ApiServiceName, CsmsConfig } from '@csms/config';
import {
  authV1,
  connectApi,
  firmwareV1,
  forwardingService,
  reservationV1,
  tariffV1,
  smartChargingV1,
  transactionV1,
  type ApiConnection,
  type ApiService,
  type TsProtoServiceDefinition,
} from '@csms/grpc';

/** The domain services the `api` role can forward to (the station API always runs in the api process). */
type ForwardableService = Exclude<ApiServiceName, 'station'>;

const DEFINITIONS: Readonly<Record<ForwardableService, TsProtoServiceDefinition>> = {
  auth: authV1.AuthServiceDefinition,
  transaction: transactionV1.TransactionServiceDefinition,
  firmware: firmwareV1.FirmwareServiceDefinition,
  'smart-charging': smartChargingV1.SmartChargingServiceDefinition,
  reservation: reservationV1.ReservationServiceDefinition,
};

/** Further services a role serves at the same address (forwarded along with its main one). */
const MORE_DEFINITIONS: Readonly<Partial<Record<ForwardableService, readonly TsProtoServiceDefinition[]>>> = {
  transaction: [tariffV1.TariffServiceDefinition],
};

/** Where a domain service runs (CSMS_<SERVICE>_URL), or undefined when it is not configured. */
export function serviceUrlOf(config: CsmsConfig, name: ForwardableService): string | undefined {
  const urls = config.services;
  switch (name) {
    case 'auth':
      return urls.authUrl;
    case 'transaction':
      return urls.transactionUrl;
    case 'firmware':
      return urls.firmwareUrl;
    case 'smart-charging':
      return urls.smartChargingUrl;
    case 'reservation':
      return urls.reservationUrl;
  }
}

/** The services the gateway forwards, and the connections to close when it stops. */
export interface ForwardedServices {
  /** The forwarded services, one per configured address. */
  readonly services: readonly ApiService[];
  /** The names forwarded, with their addresses (for the start-up summary). */
  readonly routes: readonly { readonly name: ForwardableService; readonly address: string }[];
  close(): void;
}

/**
 * One address for the whole gRPC API (the `api` role): every domain service whose address is configured is
 * forwarded there, with the same statuses and rich error details, so `csmsctl` and integrators need only the
 * api address. The forwarder calls the services with this process's own credential (the cluster's API token;
 * with mutual TLS, its certificate, which must be valid for client authentication too).
 */
/**
 * How this process calls the cluster's other gRPC services: with the cluster's API token and, with TLS,
 * trusting the API's CA and presenting its own certificate (valid for client authentication too).
 */
export function apiClientCredentials(config: CsmsConfig): {
  token?: string;
  tls?: { caFile: string; certFile: string; keyFile: string };
} {
  const { token, tls } = config.grpc;
  return {
    ...(token !== undefined ? { token } : {}),
    ...(tls
      ? { tls: { caFile: tls.caFile ?? tls.certFile, certFile: tls.certFile, keyFile: tls.keyFile } }
      : {}),
  };
}

export function forwardedServices(config: CsmsConfig, names: readonly ApiServiceName[]): ForwardedServices {
  const connections: ApiConnection[] = [];
  const services: ApiService[] = [];
  const routes: { name: ForwardableService; address: string }[] = [];
  for (const name of names) {
    if (name === 'station') continue;
    const address = serviceUrlOf(config, name);
    if (address === undefined) continue;
    const connection = connectApi({ address, ...apiClientCredentials(config) });
    connections.push(connection);
    services.push(forwardingService(DEFINITIONS[name], connection));
    for (const more of MORE_DEFINITIONS[name] ?? []) services.push(forwardingService(more, connection));
    routes.push({ name, address });
  }
  return { services, routes, close: () => connections.forEach((c) => c.close()) };
}
