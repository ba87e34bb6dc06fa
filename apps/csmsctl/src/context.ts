import { connectApi, type ApiClient, type ApiConnection, type CompatServiceDefinition } from '@csms/grpc';
import type { CliIo } from './io.js';
import { Output } from './io.js';

/** Global options (flags before or after the command; environment as fallback). */
export interface GlobalOptions {
  readonly address: string;
  readonly token?: string;
  readonly ca?: string;
  readonly cert?: string;
  readonly key?: string;
  readonly json: boolean;
  /** Per-call deadline (ms). */
  readonly timeout: number;
  /**
   * Addresses of single services, by name (`auth`, `transaction`, `firmware`, `smart-charging`,
   * `station`): the distributed topology runs each service in its own process (--endpoint auth=host:port).
   */
  readonly endpoints?: Readonly<Record<string, string>>;
}

/** The service name of a definition (`csms.smart_charging.v1.SmartChargingService` → `smart-charging`). */
function serviceKey(definition: CompatServiceDefinition): string | undefined {
  const fullName = (definition as { fullName?: string }).fullName;
  const pkg = fullName?.split('.')[1];
  if (pkg === undefined) return undefined;
  // The typed OCPP command services are served with the station API (the api role).
  if (pkg === 'ocpp16' || pkg === 'ocpp201') return 'station';
  // The tariff service is served by the transaction role.
  if (pkg === 'tariff') return 'transaction';
  return pkg.replace(/_/g, '-');
}

/** What a command needs: typed clients, output, and the per-call deadline. */
export class CliContext {
  readonly out: Output;
  readonly #connections = new Map<string, ApiConnection>();

  constructor(
    readonly options: GlobalOptions,
    readonly io: CliIo,
  ) {
    this.out = new Output(io, options.json);
  }

  client<D extends CompatServiceDefinition>(definition: D): ApiClient<D> {
    const key = serviceKey(definition);
    const address = (key && this.options.endpoints?.[key]) || this.options.address;
    let connection = this.#connections.get(address);
    connection ??= connectApi({
      address,
      ...(this.options.token ? { token: this.options.token } : {}),
      ...(this.options.ca || this.options.cert
        ? {
            tls: {
              ...(this.options.ca ? { caFile: this.options.ca } : {}),
              ...(this.options.cert ? { certFile: this.options.cert } : {}),
              ...(this.options.key ? { keyFile: this.options.key } : {}),
            },
          }
        : {}),
    });
    this.#connections.set(address, connection);
    return connection.client(definition);
  }

  /** Call options with the deadline (`extraMs` for calls that wait for a station). */
  call(extraMs = 0): { deadline: Date } {
    return { deadline: new Date(Date.now() + this.options.timeout + extraMs) };
  }

  close(): void {
    for (const connection of this.#connections.values()) connection.close();
  }
}
