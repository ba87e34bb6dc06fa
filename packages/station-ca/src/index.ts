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
export { OcspClient, ocspRequestDer, type OcspClientOptions } from './ocsp-client.js';
export { checkOcspResponse, type CheckedOcspResponse } from './ocsp-response.js';
export {
  OcspError,
  type OcspAnswer,
  type OcspCertId,
  type OcspCertStatus,
  type OcspFailure,
} from './ocsp-types.js';
export { isIssuedBy, ocspCertIdOf, ocspResponderUrlOf } from './ocsp-cert-id.js';
export {
  checkContractChain,
  checkContractHashData,
  type ContractChainResult,
} from './contract-certificates.js';
export {
  type ContractCertificateAnswer,
  type ContractCertificateFailureCode,
  type ContractCertificateProvider,
  type ContractCertificateRequest,
} from './contract-certificate-provider.js';
export {
  CommandContractCertificateProvider,
  type CommandContractCertificateProviderOptions,
} from './contract-certificate-provider-command.js';
export {
  HttpContractCertificateProvider,
  type HttpContractCertificateProviderOptions,
} from './contract-certificate-provider-http.js';
