// @peculiar/x509 resolves its algorithm providers through tsyringe, which needs the Reflect metadata API loaded
// before it: this module is the one place that imports the library, in that order.
import 'reflect-metadata';
import * as x509 from '@peculiar/x509';

// Node's WebCrypto (globalThis.crypto, Node >= 19) does the cryptography.
x509.cryptoProvider.set(globalThis.crypto);

export { x509 };
