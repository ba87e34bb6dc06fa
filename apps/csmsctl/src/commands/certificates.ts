import type { Command } from 'commander';
import { authV1 } from '@csms/grpc';
import type { CliContext } from '../context.js';
import { STATION_ANSWER_MS } from '../station-call.js';
import { pages, printPage, withPageOptions, type PageOptions } from './paging.js';
import { EnumChoice } from './proto-json.js';

const { AuthServiceDefinition, StationCertificateStatus } = authV1;

/** An issued certificate's status: `--status` and the tables. */
const STATUS = new EnumChoice<authV1.StationCertificateStatus>(
  '--status',
  StationCertificateStatus,
  'STATION_CERTIFICATE_STATUS_',
);

type Ctx = () => CliContext;

/** `certificates list|renew|revoke`: the station certificates the CSMS's CA issued (csms.auth.v1). */
export function registerCertificateCommands(program: Command, ctx: Ctx): void {
  const certificates = program
    .command('certificates')
    .description('station certificates issued by the CSMS (SignCertificate / CertificateSigned)');
  withPageOptions(
    certificates
      .command('list')
      .description('list issued station certificates, newest first')
      .option('--station <id>', "only this station's")
      .option('--status <status>', `only this status: ${STATUS.choices.join(', ')}`, STATUS.parse),
  ).action(async (o: PageOptions & { station?: string; status?: authV1.StationCertificateStatus }) => {
    const c = ctx();
    const client = c.client(AuthServiceDefinition);
    const { items, nextPageToken } = await pages(o.all, o.pageToken, async (pageToken) => {
      const page = await client.listStationCertificates(
        {
          stationId: o.station ?? '',
          status: o.status ?? StationCertificateStatus.STATION_CERTIFICATE_STATUS_UNSPECIFIED,
          pageSize: o.pageSize,
          pageToken,
        },
        c.call(),
      );
      return { items: page.certificates, nextPageToken: page.nextPageToken };
    });
    printPage(
      c,
      authV1.ListStationCertificatesResponse.toJSON({ certificates: items, nextPageToken }),
      ['station', 'serial', 'status', 'not after', 'issued', 'renewal requested'],
      items.map((x) => [
        x.stationId,
        x.serialNumber,
        STATUS.name(x.status),
        x.notAfter,
        x.issueTime,
        x.renewalRequestTime,
      ]),
      nextPageToken,
    );
  });
  certificates
    .command('renew <station>')
    .description('ask a connected station to renew its certificate (it sends a CSR, the CSMS signs it)')
    .option(
      '--type <type>',
      'ChargingStationCertificate (default) or V2GCertificate (the ISO 15118 SECC certificate, 2.0.1)',
    )
    .action(async (station: string, o: { type?: string }) => {
      const c = ctx();
      const r = await c
        .client(AuthServiceDefinition)
        .renewStationCertificate(
          { stationId: station, certificateType: o.type ?? '' },
          c.call(STATION_ANSWER_MS),
        );
      c.out.record(authV1.RenewStationCertificateResponse.toJSON(r), [
        ['station', station],
        ['station answer', r.stationStatus],
      ]);
    });
  certificates
    .command('revoke <station> <serial>')
    .description('revoke an issued certificate: a profile-3 connection presenting it is refused')
    .action(async (station: string, serial: string) => {
      const c = ctx();
      const { certificate } = await c
        .client(AuthServiceDefinition)
        .revokeStationCertificate({ stationId: station, serialNumber: serial }, c.call());
      c.out.record(certificate ? authV1.StationCertificate.toJSON(certificate) : {}, [
        ['station', station],
        ['serial', certificate?.serialNumber],
        ['status', certificate ? STATUS.name(certificate.status) : undefined],
      ]);
    });
}
