import type { Bus } from '@csms/bus';
import type { CsmsConfig } from '@csms/config';
import { EdgeServer, type EdgeTlsOptions, type StationCredentialStore } from '@csms/edge';
import type { OcppValidator } from '@csms/ocpp';
import type { CsmsMetrics, Logger } from '@csms/telemetry';
import { edgeOptionsFrom, readTls, startEdgeTlsReloader } from './components.js';

/** What the station edge is built from besides the configuration. */
export interface StationEdgeParts {
  /** 'embedded', or the node id of a `csms edge` process. */
  readonly edgeId: string;
  readonly bus: Bus;
  readonly validator: OcppValidator;
  readonly credentials: StationCredentialStore;
  readonly logger: Logger;
  readonly metrics?: CsmsMetrics;
  /** The TLS files already read (`readTls`), so a bad file fails before anything else starts; default: read now. */
  readonly tls?: EdgeTlsOptions | undefined;
}

/** A started station edge. */
export interface RunningStationEdge {
  readonly edge: EdgeServer;
  /** The port stations connect to. */
  readonly port: number;
  /** Stops the TLS reloader, then the edge (closing station sockets after CSMS_EDGE_SHUTDOWN_GRACE). */
  stop(): Promise<void>;
}

/**
 * The one place that builds and starts the OCPP-J edge from the configuration, the bus, the station credential
 * store and telemetry: the same in the embedded process and the `csms edge` role. Keeps the TLS identity up to
 * date with its files when the edge serves wss.
 */
export async function startStationEdge(
  config: CsmsConfig,
  parts: StationEdgeParts,
): Promise<RunningStationEdge> {
  const { edgeId, bus, validator, credentials, logger, metrics } = parts;
  const tls = 'tls' in parts ? parts.tls : readTls(config);
  const edge = new EdgeServer(
    edgeOptionsFrom(config, {
      edgeId,
      bus,
      validator,
      credentials,
      logger,
      tls,
      ...(metrics ? { metrics } : {}),
    }),
  );
  const { port } = await edge.start();
  let tlsReloader: ReturnType<typeof startEdgeTlsReloader>;
  try {
    tlsReloader = startEdgeTlsReloader(config, edge, tls, logger);
  } catch (error) {
    await edge.stop({ graceMs: config.edge.shutdownGraceMs });
    throw error;
  }
  return {
    edge,
    port,
    stop: async () => {
      tlsReloader?.stop();
      await edge.stop({ graceMs: config.edge.shutdownGraceMs });
    },
  };
}
