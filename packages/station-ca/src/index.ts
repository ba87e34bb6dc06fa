export type {
  CertificateSigner,
  CertificateSigners,
  SigningRequest,
  StationCertificateType,
} from './certificate-signer.js';
export { checkCsr, type CheckedCsr, type CsrExpectations, type CsrRefusal } from './csr-check.js';
export {
  FileCertificateAuthority,
  type FileCertificateAuthorityOptions,
} from './file-certificate-authority.js';
export {
  CommandCertificateSigner,
  type CommandCertificateSignerOptions,
} from './command-certificate-signer.js';
export {
  certificateFacts,
  leafCertificateFacts,
  pemCertificates,
  type CertificateFacts,
} from './certificate-facts.js';
